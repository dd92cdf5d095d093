package io.portmesh.loadtest.bind;

import com.typesafe.config.ConfigFactory;
import io.portmesh.agent.control.AgentSettings;
import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.loadtest.BenchTls;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.sharding.service.HostInfo;
import io.portmesh.sharding.service.NetworkService;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * The simulated hosts: each registered with the controller and served by a real {@link DatapathAgent} connected to
 * every controller node over TCP, its VXLAN port on its own loopback address (127.0.0.51 and up), all on one UDP port.
 * The agents run in a JVM of their own ({@link AgentFleet}), or in this one when asked.
 */
public final class BenchHosts implements AutoCloseable {
    public static final int FIRST_TEP = 51;
    public static final int MAX_HOSTS = 200;

    private final List<HostId> ids = new ArrayList<>();
    private final List<DatapathAgent> agents = new ArrayList<>();
    private AgentFleet.Process fleet;
    private final int vxlanPort;
    /** The hosts' tunnel endpoints, first-last, for the report. */
    private String tepRange = "";

    private BenchHosts(int vxlanPort) {
        this.vxlanPort = vxlanPort;
    }

    public static String tep(int index) {
        return tep("127.0.0.", index);
    }

    private static String tep(String net, int index) {
        return net + (FIRST_TEP + index);
    }

    /**
     * Registers {@code count} hosts, then starts their agents (an agent of an unknown host is refused): in a JVM of
     * their own whose output goes to {@code fleetLog}, or with {@code fleetLog} null in this one.
     */
    public static BenchHosts start(
            NetworkService api, List<String> controllers, int count, String run, Duration timeout, Path fleetLog)
            throws Exception {
        return start(api, controllers, count, run, timeout, fleetLog, BenchTls.off());
    }

    /** As above, each agent with OpenFlow mutual TLS and a certificate of its own when {@code tls} is on. */
    public static BenchHosts start(
            NetworkService api,
            List<String> controllers,
            int count,
            String run,
            Duration timeout,
            Path fleetLog,
            BenchTls tls)
            throws Exception {
        if (count < 1 || count > MAX_HOSTS) {
            throw new IllegalArgumentException("hosts must be 1.." + MAX_HOSTS + ": " + count);
        }
        // TLS on: another /24, since the TLS half of a --tls both run registers its hosts in the Cassandra that holds
        // the plain half's, and a tunnel IP belongs to one host only (hosts cannot be deleted)
        String net = tls.enabled() ? "127.0.1." : "127.0.0.";
        List<String> teps = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            teps.add(tep(net, i));
        }
        BenchHosts h = new BenchHosts(commonFreeUdpPort(teps));
        h.tepRange = teps.get(0) + "-" + teps.get(count - 1);
        try {
            for (int i = 0; i < count; i++) {
                HostId id = HostId.of(String.format("bench-%s-h%03d", run, i + 1));
                api.createHost(id, Ipv4.parse(teps.get(i)))
                        .toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
                h.ids.add(id);
                tls.agent(id.value()); // its certificate, where the agent (in whichever JVM) finds it
            }
            if (fleetLog != null) {
                h.fleet = AgentFleet.Process.start(
                        h.ids.stream().map(HostId::value).toList(),
                        teps,
                        h.vxlanPort,
                        controllers,
                        tls.dir(),
                        fleetLog);
            } else {
                for (int i = 0; i < count; i++) {
                    String host = h.ids.get(i).value();
                    h.agents.add(DatapathAgent.start(agentSettings(host, teps.get(i), h.vxlanPort, controllers)
                            .withTls(tls.agent(host))));
                }
            }
            h.awaitConnected(api, controllers.size(), timeout);
            return h;
        } catch (Exception | Error e) {
            h.close();
            throw e;
        }
    }

    static AgentSettings agentSettings(String host, String ip, int vxlanPort, List<String> controllers) {
        return AgentSettings.fromConfig(ConfigFactory.parseString("""
                        portmesh.agent.host = "%s"
                        portmesh.agent.vxlan.bind = "%s:%d"
                        portmesh.agent.vxlan.remote-port = %d
                        portmesh.agent.controllers = [%s]
                        """.formatted(
                        host,
                        ip,
                        vxlanPort,
                        vxlanPort,
                        String.join(
                                ",",
                                controllers.stream().map(c -> "\"" + c + "\"").toList())))
                .withFallback(ConfigFactory.load())
                .resolve());
    }

    /**
     * Every host shows one connection per node, a master, and its (empty) plan acknowledged: only then does a
     * binding's latency measure the binding and not the agents' start-up.
     */
    private void awaitConnected(NetworkService api, int nodes, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> behind = List.of();
        while (System.nanoTime() - deadline < 0) {
            behind = new ArrayList<>();
            for (HostId id : ids) {
                HostInfo info = api.getHost(id).toCompletableFuture().get(15, TimeUnit.SECONDS);
                boolean master = info.agents().stream().anyMatch(a -> "MASTER".equals(a.role()));
                if (info.agents().size() != nodes || !master || !info.realized()) {
                    behind.add(id.value() + " (" + info.agents().size() + " connections, master " + master
                            + ", realized " + info.realized() + ")");
                }
            }
            if (behind.isEmpty()) {
                return;
            }
            Sleep.millis(500);
        }
        throw new IllegalStateException(behind.size() + " hosts not connected to all " + nodes + " nodes within "
                + timeout + ", e.g. " + behind.subList(0, Math.min(5, behind.size())));
    }

    /**
     * A UDP port free on every tunnel endpoint address, so that all agents share one VXLAN port (as real hosts do);
     * bounded tries: an ephemeral port is free on 127.0.0.1 and almost always on the rest.
     */
    public static int commonFreeUdpPort(List<String> addresses) throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            int candidate;
            try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                candidate = probe.getLocalPort();
            }
            if (freeOnAll(addresses, candidate)) {
                return candidate;
            }
        }
        throw new IOException("no UDP port free on all of " + addresses.size() + " tunnel addresses in 20 tries");
    }

    private static boolean freeOnAll(List<String> addresses, int port) {
        List<DatagramSocket> held = new ArrayList<>();
        try {
            for (String a : addresses) {
                held.add(new DatagramSocket(new InetSocketAddress(a, port)));
            }
            return true;
        } catch (SocketException taken) {
            return false;
        } finally {
            held.forEach(DatagramSocket::close);
        }
    }

    public List<HostId> ids() {
        return ids;
    }

    /** The agents, in the order of {@link #ids()}, when they run in this JVM; empty when they run in their own. */
    public List<DatapathAgent> agents() {
        return List.copyOf(agents);
    }

    public int vxlanPort() {
        return vxlanPort;
    }

    String tepRange() {
        return tepRange;
    }

    /** The agents' own JVM, when they run in one. */
    OptionalLong fleetPid() {
        return fleet == null ? OptionalLong.empty() : OptionalLong.of(fleet.pid());
    }

    String where() {
        return fleet == null
                ? "in the benchmark JVM"
                : "in a JVM of their own (" + String.join(" ", AgentFleet.JVM_OPTIONS) + ")";
    }

    @Override
    public void close() {
        for (DatapathAgent a : agents) {
            try {
                a.close();
            } catch (RuntimeException e) {
                System.err.println("agent " + a.settings().host() + " did not close cleanly: " + e);
            }
        }
        agents.clear();
        if (fleet != null) {
            fleet.close();
            fleet = null;
        }
    }
}
