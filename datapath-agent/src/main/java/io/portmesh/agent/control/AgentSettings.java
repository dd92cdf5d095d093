package io.portmesh.agent.control;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueType;
import io.netty.util.NetUtil;
import io.portmesh.openflow.OfConfig;
import io.portmesh.openflow.tls.OfTlsFiles;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The {@code portmesh.agent} configuration (datapath-agent/src/main/resources/reference.conf). */
public record AgentSettings(
        String host,
        String slot,
        long dpid,
        List<InetSocketAddress> controllers,
        Duration controllersResolveInterval,
        Optional<InetSocketAddress> listen,
        ListenAccess listenAccess,
        InetSocketAddress trunkBind,
        InetSocketAddress vxlanBind,
        int vxlanRemotePort,
        boolean trunkUp,
        int tables,
        OfConfig openflow,
        Optional<OfTlsFiles> tls,
        Duration arrivalReplayWindow,
        Duration standbyReplayWindow,
        int socketBufferBytes,
        Optional<Pair> pair) {

    /**
     * The heartbeat between the two agents of an HA pair (docs/architecture.md section 7.2, the pair fence).
     *
     * @param listen this agent's UDP heartbeat address ({@code pair.listen})
     * @param peer the other agent's ({@code pair.peer})
     * @param interval between two heartbeats ({@code pair.interval}); one also goes out at once on every change
     */
    public record Pair(InetSocketAddress listen, InetSocketAddress peer, Duration interval) {
        public Pair {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("pair.interval must be > 0: " + interval);
            }
        }
    }

    public AgentSettings {
        if (controllersResolveInterval.isNegative() || controllersResolveInterval.isZero()) {
            throw new IllegalArgumentException(
                    "controllers-resolve-interval must be > 0: " + controllersResolveInterval);
        }
        if (arrivalReplayWindow.isNegative()) {
            throw new IllegalArgumentException("arrival-replay-window must be >= 0: " + arrivalReplayWindow);
        }
        if (socketBufferBytes < 0) {
            throw new IllegalArgumentException(
                    "socket-buffer must be >= 0 (0: the system default): " + socketBufferBytes);
        }
        if (standbyReplayWindow.isNegative()) {
            throw new IllegalArgumentException("standby-replay-window must be >= 0: " + standbyReplayWindow);
        }
    }

    public static AgentSettings fromConfig(Config root) {
        Config c = root.getConfig("portmesh.agent");
        String listen = c.getString("listen");
        OfConfig of = OfConfig.defaults()
                .withEcho(c.getDuration("openflow.echo-interval"), c.getInt("openflow.echo-miss-limit"))
                .withReconnectBackoff(c.getDuration("openflow.reconnect-min"), c.getDuration("openflow.reconnect-max"));
        return new AgentSettings(
                c.getString("host"),
                c.getString("slot"),
                c.getLong("dpid"),
                controllers(c).stream().map(AgentSettings::controllerAddress).toList(),
                c.getDuration("controllers-resolve-interval"),
                listen.isBlank() ? Optional.empty() : Optional.of(address(listen)),
                ListenAccess.parse(c.getString("listen-access")),
                address(c.getString("trunk.bind")),
                address(c.getString("vxlan.bind")),
                c.getInt("vxlan.remote-port"),
                c.getBoolean("trunk.admin-up"),
                c.getInt("tables"),
                of,
                OfTlsFiles.fromConfig(root, "portmesh.agent.openflow.tls"),
                c.getDuration("arrival-replay-window"),
                c.getDuration("standby-replay-window"),
                (int) Math.min(Integer.MAX_VALUE, c.getBytes("socket-buffer")),
                pair(c));
    }

    /** {@code controllers}: a list, or a string of comma-separated entries (as an environment variable sets it). */
    private static List<String> controllers(Config c) {
        if (c.getValue("controllers").valueType() != ConfigValueType.STRING) {
            return c.getStringList("controllers");
        }
        List<String> entries = java.util.Arrays.stream(
                        c.getString("controllers").split(","))
                .map(String::strip)
                .filter(e -> !e.isEmpty())
                .toList();
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("controllers is an empty string: give at least one host:port");
        }
        return entries;
    }

    private static Optional<Pair> pair(Config c) {
        String listen = c.getString("pair.listen");
        String peer = c.getString("pair.peer");
        if (listen.isBlank() != peer.isBlank()) {
            throw new IllegalArgumentException(
                    "pair.listen and pair.peer go together (both empty: no pair): '" + listen + "', '" + peer + "'");
        }
        return listen.isBlank()
                ? Optional.empty()
                : Optional.of(new Pair(address(listen), address(peer), c.getDuration("pair.interval")));
    }

    /** These settings with another {@code arrival-replay-window} (0: off). */
    public AgentSettings withArrivalReplayWindow(Duration window) {
        return with(c -> c.arrivalReplayWindow = window);
    }

    /** These settings with another {@code standby-replay-window} (0: off). */
    public AgentSettings withStandbyReplayWindow(Duration window) {
        return with(c -> c.standbyReplayWindow = window);
    }

    /**
     * These settings with another initial trunk state ({@code trunk.admin-up}): false for a member of an HA pair, whose
     * trunk the controller brings up with OFPT_PORT_MOD when it makes the agent active; e.g.
     * {@code AgentSettings.local(host, "b", tep, 4789, controllers).withTrunkUp(false)}.
     */
    public AgentSettings withTrunkUp(boolean up) {
        return with(c -> c.trunkUp = up);
    }

    /** These settings with another datapath id ({@code dpid}; 0: derived from the host and slot). */
    public AgentSettings withDpid(long dpid) {
        return with(c -> c.dpid = dpid);
    }

    /** These settings with OpenFlow TLS files ({@code openflow.tls}; empty: plain TCP). */
    public AgentSettings withTls(Optional<OfTlsFiles> files) {
        return with(c -> c.tls = files);
    }

    private AgentSettings with(java.util.function.Consumer<Copy> change) {
        Copy c = new Copy(this);
        change.accept(c);
        return c.build();
    }

    /** The settings' values, changeable: the with-methods change one and build new settings from all of them. */
    private static final class Copy {
        private final AgentSettings s;
        long dpid;
        Duration arrivalReplayWindow;
        Duration standbyReplayWindow;
        boolean trunkUp;
        Optional<OfTlsFiles> tls;

        Copy(AgentSettings s) {
            this.s = s;
            this.dpid = s.dpid;
            this.arrivalReplayWindow = s.arrivalReplayWindow;
            this.standbyReplayWindow = s.standbyReplayWindow;
            this.trunkUp = s.trunkUp;
            this.tls = s.tls;
        }

        AgentSettings build() {
            return new AgentSettings(
                    s.host,
                    s.slot,
                    dpid,
                    s.controllers,
                    s.controllersResolveInterval,
                    s.listen,
                    s.listenAccess,
                    s.trunkBind,
                    s.vxlanBind,
                    s.vxlanRemotePort,
                    trunkUp,
                    s.tables,
                    s.openflow,
                    tls,
                    arrivalReplayWindow,
                    standbyReplayWindow,
                    s.socketBufferBytes,
                    s.pair);
        }
    }

    /**
     * An agent on this machine (demo, tests, benchmarks): the defaults of reference.conf with its host and slot, its
     * VXLAN endpoint (every agent of a run uses the same UDP port on its own loopback address) and its controllers. The
     * trunk starts up (reference.conf); see {@link #withTrunkUp} and the overload below for the agents of an HA pair.
     */
    public static AgentSettings local(
            String host, String slot, String vxlanIp, int vxlanPort, List<String> controllers) {
        String list =
                String.join(",", controllers.stream().map(c -> "\"" + c + "\"").toList());
        return fromConfig(ConfigFactory.parseString(
                        "portmesh.agent { host = \"%s\", slot = \"%s\", vxlan.bind = \"%s:%d\", vxlan.remote-port = %d, controllers = [%s] }"
                                .formatted(host, slot, vxlanIp, vxlanPort, vxlanPort, list))
                .withFallback(ConfigFactory.load())
                .resolve());
    }

    /**
     * As above, with the trunk's initial admin state: {@code local(host, "b", tep, port, controllers, false)} is the
     * standby of an HA pair (both agents of a pair start down; the controller brings the active one up).
     */
    public static AgentSettings local(
            String host, String slot, String vxlanIp, int vxlanPort, List<String> controllers, boolean trunkUp) {
        return local(host, slot, vxlanIp, vxlanPort, controllers).withTrunkUp(trunkUp);
    }

    /** host:port; an IPv4 literal or a name (resolved now, once). */
    public static InetSocketAddress address(String hostPort) {
        return new InetSocketAddress(hostPort.substring(0, colon(hostPort)), port(hostPort));
    }

    /**
     * A controller entry, host:port: an IP literal stays that address for good; a name is kept unresolved ({@link
     * InetSocketAddress#isUnresolved()}) for {@link ControllerNodes} to resolve again and again, since it may list
     * several controller nodes and the list changes (a Kubernetes headless Service, any DNS name with one address per
     * node). IPv6 literals go in brackets: {@code [fd00::1]:6653}.
     */
    public static InetSocketAddress controllerAddress(String hostPort) {
        String host = hostPort.substring(0, colon(hostPort));
        int port = port(hostPort);
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (NetUtil.isValidIpV4Address(bare) || NetUtil.isValidIpV6Address(bare)) {
            return new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(bare), port);
        }
        if (host.isBlank() || host.chars().anyMatch(ch -> Character.isWhitespace(ch) || ch == '/' || ch == '[')) {
            throw new IllegalArgumentException(
                    "controller '" + hostPort + "': '" + host + "' is neither an IP address nor a host name");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    private static int colon(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("'" + hostPort + "' is not host:port");
        }
        return colon;
    }

    private static int port(String hostPort) {
        String port = hostPort.substring(colon(hostPort) + 1);
        try {
            int p = Integer.parseInt(port);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + hostPort + "': the port '" + port + "' is not a number 0-65535");
        }
    }
}
