package io.portmesh.agent.control;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.portmesh.agent.io.AdminStateObserver;
import io.portmesh.agent.io.FramePort;
import io.portmesh.agent.io.PortChange;
import io.portmesh.agent.io.Ports;
import io.portmesh.agent.io.TrunkPort;
import io.portmesh.agent.io.TrunkStateLog;
import io.portmesh.agent.io.VxlanPort;
import io.portmesh.agent.pipeline.Pipeline;
import io.portmesh.agent.table.SwitchTables;
import io.portmesh.model.Mac;
import io.portmesh.openflow.OfClient;
import io.portmesh.openflow.OfConnection;
import io.portmesh.openflow.OfMessageListener;
import io.portmesh.openflow.OfRole;
import io.portmesh.openflow.OfServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPortReason;
import org.projectfloodlight.openflow.types.DatapathId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running datapath agent: flow tables, the frame pipeline, the trunk and VXLAN ports, and OpenFlow connections to
 * every controller (plus an optional passive listener). Frames are forwarded on I/O threads from the installed flows
 * whether or not any controller is connected (fail-secure, headless); OpenFlow is handled on one control thread.
 */
public final class DatapathAgent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DatapathAgent.class);
    /**
     * Packet-ins handed to the control thread and not yet sent, at most; the pipeline drops (and counts) the ones past
     * it rather than wait or queue without bound. About 1.5 MiB of full-size frames.
     */
    static final int MAX_PENDING_PACKET_INS = 1024;

    private final AgentSettings settings;
    private final DatapathId dpid;
    private final SwitchTables tables;
    private final Ports ports;
    private final TrunkPort trunk;
    private final VxlanPort vxlan;
    private final Pipeline pipeline;
    private final TrunkStateLog trunkLog;
    private final PairFence pair;
    private final RoleTable roles = new RoleTable();
    /** Bounds the inbox and the replies per connection: stops reading a connection the agent is behind on. */
    final ReadGate readGate = new ReadGate();

    private final String description;
    private final SwitchProtocol protocol;
    /** Its own control thread, or one shared with other agents of this JVM ({@link SharedAgentThreads}). */
    private final ControlThread control;
    /** Its own single I/O thread, or the event loops shared with other agents of this JVM. */
    private final EventLoopGroup group;
    /** The threads shared with other agents of this JVM, or null: the agent has its own and shuts them down. */
    private final SharedAgentThreads shared;
    /** Set once in start(), before any connection; read by the I/O thread (lost connections) and callers. */
    private volatile ControllerNodes controllers;

    private final PacketInRelay packetIns = new PacketInRelay(roles, this::runOnControl);
    /** Warns with a stack when the OpenFlow I/O thread or the control thread stops running. */
    private Runnable stopStallWatch = () -> {};

    private OfServer passive;

    /** The OpenFlow TLS contexts, or none (plain TCP); loaded before any port opens. */
    private final AgentTls tls;

    private DatapathAgent(AgentSettings s, SharedAgentThreads shared) throws IOException {
        this.settings = s;
        this.shared = shared;
        this.group = shared != null ? shared.io() : new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.tls = AgentTls.of(s);
        this.control = shared != null ? ControlThread.on(shared) : ControlThread.own(s.host(), s.slot());
        this.dpid = DatapathId.of(s.dpid() != 0 ? s.dpid() : AgentDescription.derivedDpid(s.host(), s.slot()));
        Mac base = new Mac(0x02_00_00_00_00_00L | (dpid.getLong() & 0xFF_FFFF_FF00L));
        this.tables = new SwitchTables(s.tables(), this::flowRemoved);
        this.ports = new Ports(this::portChanged);
        this.trunk = TrunkPort.open(
                Pipeline.TRUNK_PORT,
                "trunk",
                new Mac(base.value() | 1),
                s.trunkBind(),
                s.trunkUp(),
                s.socketBufferBytes());
        try {
            this.vxlan = VxlanPort.open(
                    Pipeline.TUNNEL_PORT,
                    "vxlan",
                    new Mac(base.value() | 2),
                    s.vxlanBind(),
                    s.vxlanRemotePort(),
                    s.socketBufferBytes());
        } catch (IOException | RuntimeException e) {
            trunk.close(); // the trunk's socket must not outlive an agent that never started
            control.close();
            if (shared == null) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
            throw e;
        }
        if (shared != null) {
            trunk.receiveOn(shared.udp());
            vxlan.receiveOn(shared.udp());
        }
        ports.add(trunk);
        ports.add(vxlan);
        this.pipeline = new Pipeline(
                tables,
                new AgentPortOutput(ports, packetIns),
                s.arrivalReplayWindow().toNanos(),
                s.standbyReplayWindow().toNanos(),
                System::nanoTime);
        trunk.setStandbyTap(new StandbyTrunkTap(pipeline));
        this.trunkLog = new TrunkStateLog(s.host(), s.slot());
        this.pair = s.pair().isPresent()
                ? PairFence.start(s.host(), s.slot(), trunk, s.pair().get())
                : null;
        if (pair != null) {
            // after a crash of the other agent the replay reaches back to its last heartbeat (section 7.2)
            pipeline.standbyReplay().countFromOtherTrunk(pair::peerLastUpNanos);
        }
        trunk.setAdminStateObserver(pair == null ? trunkLog : AdminStateObserver.both(trunkLog, pair));
        this.description = AgentDescription.describe(
                s.host(), s.slot(), vxlan.localAddress().getAddress());
        this.protocol = new SwitchProtocol(dpid, description, tables, pipeline, ports, roles, this::activation);
    }

    /** This agent's datapath description ({@link AgentDescription#describe(String, String, InetAddress)}). */
    public String description() {
        return description;
    }

    /** Starts an agent that looks controller names up with the system's resolver ({@link DnsControllerResolver}). */
    public static DatapathAgent start(AgentSettings s) throws IOException {
        return start(s, DnsControllerResolver.INSTANCE);
    }

    /** Starts an agent that looks the controller names of {@code s} up with {@code resolver}. */
    public static DatapathAgent start(AgentSettings s, ControllerResolver resolver) throws IOException {
        return start(s, resolver, null);
    }

    /**
     * An agent on threads that other agents of this JVM use too ({@link SharedAgentThreads}: the scale run puts two
     * thousand agents in one JVM, and threads of their own would be eight thousand). The caller closes the shared
     * threads after closing its agents; they are watched for stalls there, not here.
     */
    public static DatapathAgent start(AgentSettings s, SharedAgentThreads shared) throws IOException {
        return start(s, DnsControllerResolver.INSTANCE, java.util.Objects.requireNonNull(shared, "shared"));
    }

    private static DatapathAgent start(AgentSettings s, ControllerResolver resolver, SharedAgentThreads shared)
            throws IOException {
        DatapathAgent a = new DatapathAgent(s, shared);
        try {
            a.begin(s, resolver, shared);
        } catch (IOException | RuntimeException | Error e) {
            a.close(); // its ports, connections and (shared) loop registrations: nothing of a failed start stays
            throw e;
        }
        return a;
    }

    /** Starts the ports, the controller connections, the listen port, the periodic work and the stall watch. */
    private void begin(AgentSettings s, ControllerResolver resolver, SharedAgentThreads shared) throws IOException {
        long beforeTrunkStarts = System.nanoTime(); // an up trunk forwards only once started: its start line's time
        ports.startAll(pipeline::process);
        trunkLog.started(trunk.isAdminUp(), beforeTrunkStarts);
        OfMessageListener toControllers = listener(roles::addController, () -> controllers.connectionLost());
        controllers = new ControllerNodes(
                s.host() + "/" + s.slot(),
                s.controllers(),
                resolver,
                s.controllersResolveInterval(),
                node -> OfClient.builder(OfRole.SWITCH, toControllers)
                        .config(s.openflow())
                        .sslContext(tls.client())
                        .wireDecoder(AgentWireDecoder.INSTANCE)
                        .eventLoopGroup(group)
                        .connect(node));
        controllers.start();
        if (s.listen().isPresent()) {
            OfMessageListener fromListenPort = listener(
                    c -> {
                        if (tls.refusesOnListenPort(c)) {
                            c.close();
                            return;
                        }
                        roles.addListener(c, s.listenAccess());
                    },
                    () -> {});
            passive = OfServer.builder(OfRole.SWITCH, fromListenPort)
                    .config(s.openflow())
                    .sslContext(tls.server())
                    .wireDecoder(AgentWireDecoder.INSTANCE)
                    .eventLoopGroup(group)
                    .bind(s.listen().get());
        }
        control.every(java.time.Duration.ofSeconds(1), () -> tables.expire(System.nanoTime()));
        // connections is in the log with what the thread was doing; shared threads are watched by their owner
        if (shared == null) {
            stopStallWatch = ThreadStallWatch.watchAgent(group.next(), control.executor());
        }
        log.info(
                "agent {} slot {} up: trunk {} vxlan {} controllers {} (nodes {})",
                s.host(),
                s.slot(),
                trunk.localAddress(),
                vxlan.localAddress(),
                s.controllers(),
                controllers.nodes());
    }

    /** On the control thread: a controller told the epoch of the trunk-up that follows. */
    private void activation(long epoch) {
        if (pair != null) {
            pair.activation(epoch);
        } else {
            log.debug("activation (epoch {}) ignored: this agent has no pair", epoch);
        }
    }

    /** The pair fence, when this agent is one of an HA pair ({@code portmesh.agent.pair}). */
    public Optional<PairFence> pair() {
        return Optional.ofNullable(pair);
    }

    public InetSocketAddress trunkAddress() {
        return trunk.localAddress();
    }

    public InetSocketAddress vxlanAddress() {
        return vxlan.localAddress();
    }

    public Optional<InetSocketAddress> listenAddress() {
        return Optional.ofNullable(passive).map(OfServer::localAddress);
    }

    /** The datapath id announced to controllers: configured, or derived from host and slot. */
    public long datapathId() {
        return dpid.getLong();
    }

    public AgentSettings settings() {
        return settings;
    }

    public SwitchTables tables() {
        return tables;
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    public Ports ports() {
        return ports;
    }

    /** Flow-mods applied since start (how a test proves that a controller restart sent none). */
    public long flowModsApplied() {
        return onControl(protocol::flowModsApplied);
    }

    /**
     * What the agent holds at one instant, read on its control thread (where flow-mods and role requests are applied):
     * how a test tells the flow-mods a controller sent from the flows they added, and which controller masters it.
     *
     * @param flowModsApplied flow-mods applied since start (as {@link #flowModsApplied()})
     * @param flowCount flows in all tables
     * @param master the MASTER connection's grant, empty while no connection is MASTER
     * @param masterGrants every MASTER grant so far, oldest first (the newest 256)
     */
    public record ControlState(
            long flowModsApplied, int flowCount, Optional<MasterGrant> master, List<MasterGrant> masterGrants) {}

    public ControlState controlState() {
        return onControl(() ->
                new ControlState(protocol.flowModsApplied(), tables.flowCount(), roles.master(), roles.masterGrants()));
    }

    /** The controller connections' roles and what each controller did, read on the control thread at one instant. */
    public ControllerRoles controllerRoles() {
        return onControl(roles::controllerRoles);
    }

    public int connectedControllers() {
        return controllers.connected();
    }

    /**
     * Controllers this agent refused (TLS on) because their certificate, of the CA and naming their address, is no
     * controller node's: another host's agent key, say, posing as a controller. Each is logged with the certificate.
     */
    public long controllersRefusedNotNodes() {
        return tls.controllersNotNodes();
    }

    /** The controller nodes this agent has a client for and what its lookups did ({@link ControllerNodes}). */
    public ControllerNodes.Stats controllerNodes() {
        return controllers.stats();
    }

    /** The addresses of the controller nodes this agent has a client for now, connected or retrying. */
    public java.util.Set<InetSocketAddress> controllerAddresses() {
        return controllers.nodes();
    }

    /**
     * What became of the frames the pipeline sent to the controller.
     *
     * @param pending handed to the control thread, not yet sent (at most {@link #MAX_PENDING_PACKET_INS})
     * @param queued handed to the control thread in all
     * @param overflowed dropped by the pipeline because {@link #MAX_PENDING_PACKET_INS} were pending
     * @param sent OFPT_PACKET_IN messages written to a connection (one per MASTER or EQUAL connection)
     * @param unwritable messages not written: the connection's outbound buffer was above its high-water mark (a
     *     controller that does not keep up) or it was closed
     */
    public record PacketInStats(long pending, long queued, long overflowed, long sent, long unwritable) {}

    public PacketInStats packetInStats() {
        return packetIns.stats();
    }

    private <T> T onControl(java.util.concurrent.Callable<T> c) {
        return control.call(c);
    }

    /** Queues work for the control thread ({@link ControlThread#run}); package-private so that a test can keep it busy. */
    void runOnControl(Runnable task) {
        control.run(task);
    }

    private OfMessageListener listener(java.util.function.Consumer<OfConnection> join, Runnable lost) {
        return new AgentConnectionListener(tls, readGate, control, protocol, roles, join, lost);
    }

    private void flowRemoved(OFFlowRemoved msg) {
        broadcast(msg, true);
    }

    private void portChanged(FramePort p, PortChange change) {
        runOnControl(() -> roles.connections()
                .forEach(c -> c.send(c.factory()
                        .buildPortStatus()
                        .setReason(
                                change == PortChange.ADDED
                                        ? OFPortReason.ADD
                                        : change == PortChange.REMOVED ? OFPortReason.DELETE : OFPortReason.MODIFY)
                        .setDesc(AgentReplies.portDesc(c.factory(), p))
                        .build())));
    }

    private void broadcast(OFMessage m, boolean asyncOnly) {
        for (OfConnection c : roles.connections()) {
            if (!asyncOnly || roles.receivesAsync(c)) {
                c.send(m);
            }
        }
    }

    @Override
    public void close() {
        stopStallWatch.run(); // first: the threads stop below, that is no stall
        if (controllers != null) {
            controllers.close();
        }
        if (passive != null) {
            passive.close();
        }
        ports.close();
        if (pair != null) {
            pair.close();
        }
        control.close();
        if (shared == null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
