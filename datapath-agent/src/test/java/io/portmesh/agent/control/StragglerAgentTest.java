package io.portmesh.agent.control;

import static io.portmesh.agent.control.SourceRelayAgentTest.install;
import static io.portmesh.agent.control.SourceRelayAgentTest.packetIns;
import static io.portmesh.agent.control.SourceRelayAgentTest.track;
import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.agent.io.TrunkPort;
import io.portmesh.agent.pipeline.Pipeline;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.VlanId;
import io.portmesh.model.Vni;
import io.portmesh.model.flow.Cookies;
import io.portmesh.model.flow.FlowCompiler;
import io.portmesh.model.flow.HostView;
import io.portmesh.openflow.OfConnection;
import io.portmesh.openflow.plan.PlanToOpenFlow;
import io.portmesh.sim.Await;
import io.portmesh.sim.FrameStream;
import io.portmesh.sim.PseudoWire;
import io.portmesh.sim.SimulatedVm;
import io.portmesh.sim.StreamStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a live move with a late source (docs/architecture.md section 7.1, gap 4 of the relay through the source):
 * three agents over real OpenFlow connections, VM m moving from host A to host B, its peer p on host C streaming
 * numbered frames to it. C's frames to A take a path {@link #A_PATH_DELAY_MS} late (a loaded agent, as at A in
 * MoveBenchmark's run that lost 17 frames). After m moved, the activation re-points C to B and then A lets m go, in
 * the controller's order: the frames still on A's path reach A after it let go. With the straggler flow
 * ({@link HostView.DepartedPort}) A sends them on to B, which delivers them; without it they meet A's remote flow for m
 * on B, which cannot send a frame from the tunnel back into it, and are lost.
 */
class StragglerAgentTest {
    private static final Logger log = LoggerFactory.getLogger(StragglerAgentTest.class);
    private static final OFFactory OF13 = OFFactories.getFactory(OFVersion.OF_13);

    static final String IP_A = "127.0.0.41";
    static final String IP_B = "127.0.0.42";
    static final String IP_C = "127.0.0.43";
    static final String IP_RELAY = "127.0.0.44";
    static final int A_PATH_DELAY_MS = 500;
    static final int RATE = 2_000;
    static final int FRAMES = 6_000;
    static final Vni BLUE = new Vni(100);
    static final Mac M = Mac.parse("52:54:00:00:04:01");
    static final Mac P = Mac.parse("52:54:00:00:04:02");
    /** Another port of the switch on A: A still carries the switch after it let m go, and holds m as remote. */
    static final Mac Q = Mac.parse("52:54:00:00:04:03");

    static final int V_A = 10;
    static final int V_Q = 11;
    static final int V_B = 20;
    static final int V_C = 10;

    /** The straggler flow's hard timeout: the agent removes it by itself, no controller telling it. */
    static final int LIFETIME_S = 4;

    /**
     * {@code goneAfterMs}: when A's agent no longer had the straggler flow, in ms after the let-go, with no push from
     * the controller after the let-go (-1 with no straggler flow).
     */
    record Outcome(StreamStats stats, long afterLetGoOnA, long noOutputOnA, long stragglerFlowsOnA, long goneAfterMs) {}

    @Test
    void framesThatReachTheSourceFromTheTunnelAfterItLetTheVmGoAreSentOnToTheDestinationAndNoneIsLost()
            throws Exception {
        Outcome with = move(true);
        log.info("source {} ms late, straggler flow on: {}", A_PATH_DELAY_MS, with);
        Outcome without = move(false);
        log.info("source {} ms late, straggler flow off: {}", A_PATH_DELAY_MS, without);

        assertThat(with.afterLetGoOnA())
                .as("frames for m reached A from the tunnel after A let m go (the straggler case happened)")
                .isPositive();
        assertThat(with.stragglerFlowsOnA())
                .as("straggler flows in A's flow table")
                .isEqualTo(1);
        assertThat(with.stats().sent()).isEqualTo(FRAMES);
        assertThat(with.stats().lost())
                .as("frames lost with the straggler flow")
                .isZero();
        assertThat(with.noOutputOnA())
                .as("frames A dropped for want of an output")
                .isZero();
        // no controller removed it: A's agent did, by its hard timeout (LIFETIME_S after it was installed, which was
        // just before the let-go was recorded), within the agent's one-second expiry sweep and a margin for load
        assertThat(with.goneAfterMs())
                .as("ms from the let-go until A's agent had removed the straggler flow by itself")
                .isBetween((LIFETIME_S - 1) * 1_000L, (LIFETIME_S + 2) * 1_000L);

        // the same move without the straggler flow: what reached A after it let go is lost there
        assertThat(without.stragglerFlowsOnA()).isZero();
        assertThat(without.stats().lost())
                .as("frames lost without the straggler flow")
                .isPositive();
        assertThat(without.noOutputOnA())
                .as("A dropped them: matched its remote flow for m, no output back into the tunnel")
                .isGreaterThanOrEqualTo(without.stats().lost());
    }

    private Outcome move(boolean straggler) throws Exception {
        List<AutoCloseable> closeables = new ArrayList<>();
        try {
            DelayedSourceHosts hosts = DelayedSourceHosts.start(
                    closeables, IP_A, IP_B, IP_C, IP_RELAY, A_PATH_DELAY_MS, "arrival-replay-window = 0ms");
            ScriptedController ctl = hosts.ctl();
            DatapathAgent a = hosts.a();
            DatapathAgent b = hosts.b();
            DatapathAgent c = hosts.c();
            Map<String, OfConnection> byDesc = hosts.byDesc();
            OfConnection connA = byDesc.get(a.description());
            OfConnection connC = byDesc.get(c.description());

            SimulatedVm m = track(closeables, new SimulatedVm(M, Ipv4.parse("10.0.4.1"), V_A, a.trunkAddress()));
            SimulatedVm p = track(closeables, new SimulatedVm(P, Ipv4.parse("10.0.4.2"), V_C, c.trunkAddress()));
            PseudoWire wireB = track(closeables, PseudoWire.open(b.trunkAddress()));
            ((TrunkPort) b.ports().get(Pipeline.TRUNK_PORT)).bindVlan(V_B, wireB.localAddress());
            m.sendGratuitousArp();
            TrunkPort trunkA = (TrunkPort) a.ports().get(Pipeline.TRUNK_PORT);
            Await.until(() -> trunkA.endpoints().lookup(V_A) != null, () -> "A has not learned VLAN 10");

            Ipv4 tepA = Ipv4.parse(IP_A);
            Ipv4 tepB = Ipv4.parse(IP_B);
            PortId mId = PortId.of("m");
            HostView.RemotePort pOnC = new HostView.RemotePort(PortId.of("p"), P, BLUE, Ipv4.parse(IP_C));
            HostView.LocalPort q = new HostView.LocalPort(PortId.of("q"), Q, BLUE, new VlanId(V_Q));
            // the move's middle, as in SourceRelayAgentTest: C sends to A only, by way of the late path
            HostView aMoving = new HostView(
                    HostId.of("host-a"),
                    List.of(new HostView.LocalPort(mId, M, BLUE, new VlanId(V_A), tepB, false), q),
                    List.of(pOnC));
            install(ctl, connA, aMoving);
            install(
                    ctl,
                    byDesc.get(b.description()),
                    new HostView(
                            HostId.of("host-b"),
                            List.of(new HostView.LocalPort(mId, M, BLUE, new VlanId(V_B), tepA, true)),
                            List.of(pOnC)));
            HostView.LocalPort pOnItsHost = new HostView.LocalPort(PortId.of("p"), P, BLUE, new VlanId(V_C));
            HostView cMoving = new HostView(
                    HostId.of("host-c"),
                    List.of(pOnItsHost),
                    List.of(new HostView.RemotePort(mId, M, BLUE, Ipv4.parse(IP_RELAY))));
            install(ctl, connC, cMoving);

            StreamStats stats;
            long receivedAtLetGo;
            long stragglersAtLetGo;
            long letGoAt;
            try (FrameStream s =
                    FrameStream.from(p).to(m).rate(RATE).count(FRAMES).start()) {
                Await.until(() -> s.stats().received() >= FRAMES / 4, () -> "stream not flowing: " + s.stats());
                m.moveTo(wireB, V_B, true);
                Await.until(() -> packetIns(ctl, byDesc.get(b.description())) > 0, () -> "B reported no activation");
                // the activation: C is re-pointed to B (directly), then A lets m go: m is a member on B for A now
                change(
                        ctl,
                        connC,
                        cMoving,
                        new HostView(
                                HostId.of("host-c"),
                                List.of(pOnItsHost),
                                List.of(new HostView.RemotePort(mId, M, BLUE, tepB))));
                List<HostView.DepartedPort> departed =
                        straggler ? List.of(new HostView.DepartedPort(mId, M, BLUE, tepB, LIFETIME_S)) : List.of();
                change(
                        ctl,
                        connA,
                        aMoving,
                        new HostView(
                                HostId.of("host-a"),
                                List.of(q),
                                List.of(pOnC, new HostView.RemotePort(mId, M, BLUE, tepB)),
                                departed));
                letGoAt = System.nanoTime();
                receivedAtLetGo = a.pipeline().counters().framesIn();
                stragglersAtLetGo = stragglerFlows(a);
                s.awaitReceived(Duration.ofSeconds(10));
                Thread.sleep(200); // late duplicates
                stats = s.stats();
            }
            long afterLetGo = a.pipeline().counters().framesIn() - receivedAtLetGo;
            long goneAfterMs = -1;
            if (stragglersAtLetGo > 0) {
                // the stream outlasts the let-go by about 2.5 s; the flow goes at most LIFETIME_S + 1 s after it
                Await.until(() -> stragglerFlows(a) == 0, () -> "A's agent still has its straggler flow");
                goneAfterMs = (System.nanoTime() - letGoAt) / 1_000_000;
            }
            return new Outcome(stats, afterLetGo, a.pipeline().counters().noOutput(), stragglersAtLetGo, goneAfterMs);
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

    /** The change from {@code before} to {@code after}, as the controller's incremental push sends it. */
    private static void change(ScriptedController ctl, OfConnection c, HostView before, HostView after)
            throws Exception {
        var diff = FlowCompiler.compile(after).diffFrom(FlowCompiler.compile(before));
        ScriptedController.sendAndSync(c, new PlanToOpenFlow(c.factory()).messages(diff));
        assertThat(ctl.received(c)).noneMatch(msg -> msg instanceof OFErrorMsg);
    }

    /** The straggler flows in the agent's own flow table, read back with a flow-stats request. */
    static long stragglerFlows(DatapathAgent agent) {
        return TwoHostNetwork.installedPlan(agent).flows().values().stream()
                .filter(f -> Cookies.rule(f.cookie()) == Cookies.STRAGGLER)
                .count();
    }
}
