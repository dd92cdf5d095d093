package io.portmesh.agent.control;

import static io.portmesh.agent.control.ScriptedController.WAIT_SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.agent.io.TrunkPort;
import io.portmesh.agent.pipeline.Pipeline;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.VlanId;
import io.portmesh.model.Vni;
import io.portmesh.model.flow.FlowCompiler;
import io.portmesh.model.flow.FlowPlan;
import io.portmesh.model.flow.HostView;
import io.portmesh.openflow.OfConnection;
import io.portmesh.openflow.plan.PlanToOpenFlow;
import io.portmesh.sim.Await;
import io.portmesh.sim.FrameStream;
import io.portmesh.sim.PseudoWire;
import io.portmesh.sim.SimulatedVm;
import io.portmesh.sim.StreamStats;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFControllerRole;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFRoleReply;
import org.projectfloodlight.openflow.types.U64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live move end to end with a late source (docs/architecture.md section 7.1, "the relay through the source"): three
 * agents over real OpenFlow connections, with the flows {@link FlowCompiler} makes in the middle of a live move of VM m
 * from host A (VLAN 10) to host B (VLAN 20); the peer p on host C streams numbered frames to m, to A only (peers keep
 * pointing at the source until the activation), through a relay that delays them by {@link #A_PATH_DELAY_MS}, as a
 * loaded path or agent would. About a thousand frames are on A's path when m moves: they reach A's port group after m
 * left it. A delivers each on its trunk first and then copies it to B, so each of those reaches B's port group after
 * m arrived there. With dual delivery (each peer sending to A and B itself) every frame whose copy reached B before the
 * move and A after it was lost unless B's arrival replay window was wider than A's delay (2 of 133,433 frames lost in
 * MoveBenchmark with a 200 ms window, a source path up to 860 ms late: docs/benchmarks.md); here the replay is off.
 */
class SourceRelayAgentTest {
    private static final Logger log = LoggerFactory.getLogger(SourceRelayAgentTest.class);

    static final String IP_A = "127.0.0.31";
    static final String IP_B = "127.0.0.32";
    static final String IP_C = "127.0.0.33";
    /** Where C sends A's copies: the delaying relay, which forwards to A. */
    static final String IP_RELAY = "127.0.0.34";

    /** Longer than any arrival replay window (200 ms by default): no replay can cover it. */
    static final int A_PATH_DELAY_MS = 500;

    static final int RATE = 2_000;
    static final int FRAMES = 4_000;
    static final Vni BLUE = new Vni(100);
    static final Mac M = Mac.parse("52:54:00:00:03:01");
    static final Mac P = Mac.parse("52:54:00:00:03:02");
    static final int V_A = 10;
    static final int V_B = 20;
    static final int V_C = 10;

    record Outcome(StreamStats stats, long replayed, long unclaimedOnB, long unclaimedOnA) {}

    @Test
    void aSourceLateByMoreThanAnyReplayWindowLosesNoFrameBecauseTheDestinationGetsItsCopiesFromTheSource()
            throws Exception {
        Outcome o = move("0ms");
        log.info("source {} ms late, arrival replay off: {}", A_PATH_DELAY_MS, o);

        assertThat(o.unclaimedOnA())
                .as("frames reached A's port group after m left it (the straddle happened)")
                .isPositive();
        assertThat(o.stats().sent()).isEqualTo(FRAMES);
        assertThat(o.stats().lost()).as("frames lost").isZero();
        assertThat(o.replayed()).isZero();
        // a frame A delivered just before m left and whose copy reached B just after comes twice: counted, not hidden
        log.info("duplicates: {}", o.stats().duplicates());
    }

    /** One move with {@code arrival-replay-window} set to {@code window}. */
    private Outcome move(String window) throws Exception {
        List<AutoCloseable> closeables = new ArrayList<>();
        try {
            DelayedSourceHosts hosts = DelayedSourceHosts.start(
                    closeables, IP_A, IP_B, IP_C, IP_RELAY, A_PATH_DELAY_MS, "arrival-replay-window = " + window);
            ScriptedController ctl = hosts.ctl();
            DatapathAgent a = hosts.a();
            DatapathAgent b = hosts.b();
            DatapathAgent c = hosts.c();
            Map<String, OfConnection> byDesc = hosts.byDesc();

            SimulatedVm m = track(closeables, new SimulatedVm(M, Ipv4.parse("10.0.3.1"), V_A, a.trunkAddress()));
            SimulatedVm p = track(closeables, new SimulatedVm(P, Ipv4.parse("10.0.3.2"), V_C, c.trunkAddress()));
            PseudoWire wireB = track(closeables, PseudoWire.open(b.trunkAddress()));
            // B's port group for VLAN 20 exists before the VM arrives (the orchestrator made it)
            ((TrunkPort) b.ports().get(Pipeline.TRUNK_PORT)).bindVlan(V_B, wireB.localAddress());
            m.sendGratuitousArp();
            TrunkPort trunkA = (TrunkPort) a.ports().get(Pipeline.TRUNK_PORT);
            Await.until(() -> trunkA.endpoints().lookup(V_A) != null, () -> "A has not learned VLAN 10");

            Ipv4 tepA = Ipv4.parse(IP_A);
            Ipv4 tepB = Ipv4.parse(IP_B);
            Ipv4 tepC = Ipv4.parse(IP_C);
            PortId mId = PortId.of("m");
            PortId pId = PortId.of("p");
            HostView.RemotePort pRemote = new HostView.RemotePort(pId, P, BLUE, tepC);
            // the move's middle (MoveFlows): A and B both hold m with the other as twin, B's copy is arriving; C sends
            // to A only (HostPlan gives a peer the source only), by way of the relay
            install(
                    ctl,
                    byDesc.get(a.description()),
                    new HostView(
                            HostId.of("host-a"),
                            List.of(new HostView.LocalPort(mId, M, BLUE, new VlanId(V_A), tepB, false)),
                            List.of(pRemote)));
            install(
                    ctl,
                    byDesc.get(b.description()),
                    new HostView(
                            HostId.of("host-b"),
                            List.of(new HostView.LocalPort(mId, M, BLUE, new VlanId(V_B), tepA, true)),
                            List.of(pRemote)));
            install(
                    ctl,
                    byDesc.get(c.description()),
                    new HostView(
                            HostId.of("host-c"),
                            List.of(new HostView.LocalPort(pId, P, BLUE, new VlanId(V_C))),
                            List.of(new HostView.RemotePort(mId, M, BLUE, Ipv4.parse(IP_RELAY)))));
            assertThat(b.pipeline().arrivalReplay().isArriving(V_B)).isEqualTo(!window.equals("0ms"));

            PseudoWire wireA = m.wire();
            StreamStats stats;
            try (FrameStream s =
                    FrameStream.from(p).to(m).rate(RATE).count(FRAMES).start()) {
                Await.until(() -> s.stats().received() >= FRAMES / 3, () -> "stream not flowing: " + s.stats());
                m.moveTo(wireB, V_B, true);
                Await.until(() -> packetIns(ctl, byDesc.get(b.description())) > 0, () -> "B reported no activation");
                s.awaitReceived(Duration.ofSeconds(10));
                Thread.sleep(200); // late duplicates
                stats = s.stats();
            }
            return new Outcome(
                    stats, b.pipeline().counters().replayedFrames(), wireB.unclaimedFrames(), wireA.unclaimedFrames());
        } finally {
            for (int i = closeables.size() - 1; i >= 0; i--) {
                try {
                    closeables.get(i).close();
                } catch (Exception e) {
                    // close the rest
                }
            }
        }
    }

    static long packetIns(ScriptedController ctl, OfConnection c) {
        return ctl.received(c).stream().filter(msg -> msg instanceof OFPacketIn).count();
    }

    static <T extends AutoCloseable> T track(List<AutoCloseable> closeables, T c) {
        closeables.add(c);
        return c;
    }

    static void install(ScriptedController ctl, OfConnection c, HostView view) throws Exception {
        var role = c.factory()
                .buildRoleRequest()
                .setRole(OFControllerRole.ROLE_MASTER)
                .setGenerationId(U64.of(1))
                .build();
        assertThat(c.request(role, OFRoleReply.class)
                        .get(WAIT_SECONDS, TimeUnit.SECONDS)
                        .getRole())
                .isEqualTo(OFControllerRole.ROLE_MASTER);
        FlowPlan plan = FlowCompiler.compile(view);
        ScriptedController.sendAndSync(c, new PlanToOpenFlow(c.factory()).messages(plan.diffFrom(FlowPlan.EMPTY)));
        assertThat(ctl.received(c)).noneMatch(msg -> msg instanceof OFErrorMsg);
    }

    /** A UDP port free on the agents' addresses {@code a} and {@code b} and on {@code others} (a relay's too). */
    static int portFreeOnAll(String a, String b, String... others) throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            int port = TestAgents.portFreeOnBoth(a, b);
            List<DatagramChannel> bound = new ArrayList<>();
            try {
                for (String ip : others) {
                    bound.add(DatagramChannel.open().bind(new InetSocketAddress(ip, port)));
                }
                return port;
            } catch (IOException taken) {
                // try another
            } finally {
                for (DatagramChannel c : bound) {
                    c.close();
                }
            }
        }
        throw new IOException("no UDP port free on all the addresses");
    }
}
