package io.portmesh.agent.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.agent.io.FramePort;
import io.portmesh.agent.io.TrunkPort;
import io.portmesh.agent.pipeline.Pipeline;
import io.portmesh.agent.pipeline.PipelineCounters;
import io.portmesh.agent.pipeline.StandbyReplay;
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
import io.portmesh.sim.SimulatedVm;
import io.portmesh.sim.StreamStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;

/**
 * Standby replay end to end (docs/architecture.md section 7.2): agent H is a standby (slot b, started with
 * {@code trunk.admin-up = false}) with VM m on its trunk; agent P, an up single agent, has VM p; both hold the flows
 * {@link FlowCompiler} makes for them (real OpenFlow, real UDP trunks and VXLAN on loopback). While H's trunk is down,
 * m sends to p (H's trunk keeps what it does not deliver) and p sends to m (P tunnels to H, whose pipeline outputs to
 * its down trunk, which keeps it). When the controller brings H's trunk up with OFPT_PORT_MOD, the kept frames younger
 * than the window reach their VM, once, oldest first; older ones do not.
 */
class StandbyReplayAgentTest {
    static final String IP_H = "127.0.0.41";
    static final String IP_P = "127.0.0.42";
    static final Vni BLUE = new Vni(200);
    static final Mac M = Mac.parse("52:54:00:00:04:01");
    static final Mac P = Mac.parse("52:54:00:00:04:02");
    static final int VLAN = 10;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private ScriptedController ctl;
    private DatapathAgent h;
    private DatapathAgent p;
    private OfConnection toH;
    private SimulatedVm vmM;
    private SimulatedVm vmP;

    @AfterEach
    void closeAll() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                // close the rest
            }
        }
    }

    @Test
    void framesSentWhileTheTrunkIsDownAreDeliveredOnceWhenItComesUpByPortMod() throws Exception {
        pair("500ms");
        FrameStream mToP = track(FrameStream.from(vmM).to(vmP).open());
        FrameStream pToM = track(FrameStream.from(vmP).to(vmM).open());
        int n = 20;
        for (int seq = 1; seq <= n; seq++) {
            mToP.send(seq);
            pToM.send(seq);
        }
        Await.until(
                () -> h.pipeline().standbyReplay().keptIngress() == n
                        && h.pipeline().standbyReplay().keptEgress() == n,
                () -> "kept in " + h.pipeline().standbyReplay().keptIngress() + ", out "
                        + h.pipeline().standbyReplay().keptEgress());
        assertThat(mToP.stats().received()).as("m -> p while H's trunk is down").isZero();
        assertThat(pToM.stats().received()).as("p -> m while H's trunk is down").isZero();

        long beforeUp = System.nanoTime();
        TrunkPortMods.setTrunk(ctl, toH, h, true);

        StreamStats toP = mToP.awaitReceived(Duration.ofSeconds(5));
        StreamStats toM = pToM.awaitReceived(Duration.ofSeconds(5));
        Thread.sleep(200); // late duplicates
        for (FrameStream s : List.of(mToP, pToM)) {
            StreamStats st = s.stats();
            assertThat(st.received()).as("%s", s).isEqualTo(n);
            assertThat(st.duplicates()).as("%s", s).isZero();
            assertThat(st.outOfOrder()).as("%s: oldest first", s).isZero();
            assertThat(s.firstArrivalAfter(beforeUp).orElseThrow().seq()).isEqualTo(1);
        }
        assertThat(toP.lost()).isZero();
        assertThat(toM.lost()).isZero();
        PipelineCounters counters = h.pipeline().counters();
        assertThat(counters.standbyReplayedIngress()).isEqualTo(n);
        assertThat(counters.standbyReplayedEgress()).isEqualTo(n);
        assertThat(h.pipeline().standbyReplay().keptIngress()).isZero();

        // up now: live, and nothing replayed again when the trunk goes down and comes back
        mToP.send(n + 1);
        pToM.send(n + 1);
        Await.until(
                () -> mToP.stats().received() == n + 1 && pToM.stats().received() == n + 1,
                () -> mToP.stats() + " / " + pToM.stats());
        TrunkPortMods.setTrunk(ctl, toH, h, false);
        TrunkPortMods.setTrunk(ctl, toH, h, true);
        Thread.sleep(100);
        assertThat(counters.standbyReplayedIngress()).isEqualTo(n);
        assertThat(counters.standbyReplayedEgress()).isEqualTo(n);
        assertThat(mToP.stats().duplicates()).isZero();
        assertThat(pToM.stats().duplicates()).isZero();
    }

    @Test
    void framesOlderThanTheWindowWhenTheTrunkComesUpAreNotReplayed() throws Exception {
        pair("1s");
        FrameStream mToP = track(FrameStream.from(vmM).to(vmP).open());
        FrameStream pToM = track(FrameStream.from(vmP).to(vmM).open());
        FramePort trunkH = h.ports().get(Pipeline.TRUNK_PORT);
        for (int seq = 1; seq <= 10; seq++) {
            mToP.send(seq);
            pToM.send(seq);
        }
        Await.until(
                () -> trunkH.stats().rxDropped() == 10 && trunkH.stats().txDropped() == 10,
                () -> "H's trunk: " + trunkH.stats());
        Thread.sleep(1_300); // frames 1..10 are now older than the window
        for (int seq = 11; seq <= 20; seq++) {
            mToP.send(seq);
            pToM.send(seq);
        }
        Await.until(
                () -> trunkH.stats().rxDropped() == 20 && trunkH.stats().txDropped() == 20,
                () -> "H's trunk: " + trunkH.stats());

        long beforeUp = System.nanoTime();
        TrunkPortMods.setTrunk(ctl, toH, h, true);

        Await.until(
                () -> mToP.stats().received() == 10 && pToM.stats().received() == 10,
                () -> mToP.stats() + " / " + pToM.stats());
        Thread.sleep(300); // anything older would have come by now
        for (FrameStream s : List.of(mToP, pToM)) {
            StreamStats st = s.stats();
            assertThat(st.received()).as("%s", s).isEqualTo(10);
            assertThat(st.lost()).as("%s: 1..10, older than the window", s).isEqualTo(10);
            assertThat(st.duplicates()).isZero();
            assertThat(st.outOfOrder()).isZero();
            // in order and ten of them from 11 on: exactly 11..20
            assertThat(s.firstArrivalAfter(beforeUp).orElseThrow().seq()).isEqualTo(11);
        }
        assertThat(h.pipeline().counters().standbyReplayedIngress()).isEqualTo(10);
        assertThat(h.pipeline().counters().standbyReplayedEgress()).isEqualTo(10);
    }

    @Test
    void afterTheOtherAgentCrashedTheReplayReachesBackToItsLastHeartbeatHoweverLateTheTrunkComesUp() throws Exception {
        // H's pair peer is this test: slot a of host-h, up, heartbeating every 5 ms until it "crashes"
        DatagramChannel slotA = track(DatagramChannel.open());
        slotA.bind(new InetSocketAddress("127.0.0.1", 0));
        int listen = PairFenceAgentTest.freeUdpPort(IP_H);
        pair(
                "200ms",
                "pair.listen = \"" + IP_H + ":" + listen + "\"\npair.peer = \"127.0.0.1:"
                        + ((InetSocketAddress) slotA.getLocalAddress()).getPort() + "\"\npair.interval = 5ms");
        ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor();
        closeables.add(beats::shutdownNow);
        byte[] up = new PairFence.Heartbeat("host-h", "a", true, 1).encode();
        InetSocketAddress hFence = new InetSocketAddress(IP_H, listen);
        beats.scheduleAtFixedRate(
                () -> {
                    try {
                        slotA.send(ByteBuffer.wrap(up), hFence);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                },
                0,
                5,
                TimeUnit.MILLISECONDS);
        PairFence fence = h.pair().orElseThrow();
        Await.until(() -> fence.peerLastUpNanos() != StandbyReplay.NEVER, () -> "no heartbeat of slot a heard");

        FrameStream mToP = track(FrameStream.from(vmM).to(vmP).open());
        FrameStream pToM = track(FrameStream.from(vmP).to(vmM).open());
        for (int seq = 1; seq <= 10; seq++) { // slot a is up: it forwarded these (here nobody does)
            mToP.send(seq);
            pToM.send(seq);
        }
        StandbyReplay history = h.pipeline().standbyReplay();
        Await.until(
                () -> history.keptIngress() == 10 && history.keptEgress() == 10,
                () -> "kept in " + history.keptIngress() + ", out " + history.keptEgress());
        Thread.sleep(400); // slot a lives on for two windows after them
        beats.shutdownNow(); // slot a crashes
        assertThat(beats.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        for (int seq = 11; seq <= 20; seq++) { // nobody forwards these
            mToP.send(seq);
            pToM.send(seq);
        }
        FramePort trunkH = h.ports().get(Pipeline.TRUNK_PORT);
        Await.until(
                () -> trunkH.stats().rxDropped() == 20 && trunkH.stats().txDropped() == 20,
                () -> "H's trunk: " + trunkH.stats());
        // 1..10 went from the history as 11..20 came: more than a window before slot a's last heartbeat
        assertThat(history.keptIngress()).isEqualTo(10);
        assertThat(history.keptEgress()).isEqualTo(10);
        Thread.sleep(600); // the controllers take three windows to bring H's trunk up

        long beforeUp = System.nanoTime();
        TrunkPortMods.setTrunk(ctl, toH, h, true);

        Await.until(
                () -> mToP.stats().received() == 10 && pToM.stats().received() == 10,
                () -> mToP.stats() + " / " + pToM.stats());
        Thread.sleep(300); // anything else would have come by now
        for (FrameStream s : List.of(mToP, pToM)) {
            StreamStats st = s.stats();
            // 11..20, sent after slot a's last heartbeat and 600 ms old when the trunk came up, all replayed; 1..10,
            // more than a window before that heartbeat, not (slot a had forwarded them)
            assertThat(st.received()).as("%s", s).isEqualTo(10);
            assertThat(st.duplicates()).as("%s", s).isZero();
            assertThat(st.outOfOrder()).as("%s", s).isZero();
            assertThat(s.firstArrivalAfter(beforeUp).orElseThrow().seq()).isEqualTo(11);
        }
        assertThat(h.pipeline().counters().standbyReplayedIngress()).isEqualTo(10);
        assertThat(h.pipeline().counters().standbyReplayedEgress()).isEqualTo(10);
    }

    @Test
    void withTheWindowAtZeroAStandbyKeepsNothingAndReplaysNothing() throws Exception {
        pair("0ms");
        FrameStream mToP = track(FrameStream.from(vmM).to(vmP).open());
        FrameStream pToM = track(FrameStream.from(vmP).to(vmM).open());
        FramePort trunkH = h.ports().get(Pipeline.TRUNK_PORT);
        for (int seq = 1; seq <= 5; seq++) {
            mToP.send(seq);
            pToM.send(seq);
        }
        Await.until(
                () -> trunkH.stats().rxDropped() == 5 && trunkH.stats().txDropped() == 5,
                () -> "H's trunk: " + trunkH.stats());

        TrunkPortMods.setTrunk(ctl, toH, h, true);
        mToP.send(6);
        pToM.send(6);
        Await.until(
                () -> mToP.stats().received() == 1 && pToM.stats().received() == 1,
                () -> mToP.stats() + " / " + pToM.stats());

        assertThat(h.pipeline().standbyReplay().keptIngress()).isZero();
        assertThat(h.pipeline().counters().standbyReplayedIngress()).isZero();
        assertThat(h.pipeline().counters().standbyReplayedEgress()).isZero();
    }

    /**
     * H (slot b, trunk down, {@code standby-replay-window = window}) and P (trunk up), their VMs statically bound on
     * their trunks (so no announcement of theirs lands in H's history), and their flows installed.
     */
    private void pair(String window) throws Exception {
        pair(window, "");
    }

    /** As {@link #pair(String)}, with more of H's settings ({@code extra}: HOCON lines). */
    private void pair(String window, String extra) throws Exception {
        ctl = track(new ScriptedController());
        int vxlanPort = TestAgents.portFreeOnBoth(IP_H, IP_P);
        List<String> controllers = List.of(ctl.hostPort());
        h = track(DatapathAgent.start(TestAgents.settings(
                "host-h",
                0,
                controllers,
                IP_H,
                vxlanPort,
                vxlanPort,
                "slot = \"b\"\ntrunk.admin-up = false\nstandby-replay-window = " + window + "\n" + extra)));
        p = track(DatapathAgent.start(TestAgents.settings("host-p", 0, controllers, IP_P, vxlanPort, vxlanPort)));
        assertThat(h.ports().get(Pipeline.TRUNK_PORT).isAdminUp()).isFalse();
        Map<String, OfConnection> byDesc = new HashMap<>();
        for (int i = 0; i < 2; i++) {
            OfConnection c = ctl.awaitConnection();
            byDesc.put(c.switchInfo().orElseThrow().dpDesc(), c);
        }
        toH = byDesc.get(h.description());
        OfConnection toP = byDesc.get(p.description());
        assertThat(h.description()).isEqualTo("portmesh host=host-h slot=b tep=" + IP_H);

        vmM = track(new SimulatedVm(M, Ipv4.parse("10.0.4.1"), VLAN, h.trunkAddress()));
        vmP = track(new SimulatedVm(P, Ipv4.parse("10.0.4.2"), VLAN, p.trunkAddress()));
        ((TrunkPort) h.ports().get(Pipeline.TRUNK_PORT))
                .bindVlan(VLAN, vmM.wire().localAddress());
        ((TrunkPort) p.ports().get(Pipeline.TRUNK_PORT))
                .bindVlan(VLAN, vmP.wire().localAddress());

        PortId mId = PortId.of("m");
        PortId pId = PortId.of("p");
        install(
                toH,
                new HostView(
                        HostId.of("host-h"),
                        List.of(new HostView.LocalPort(mId, M, BLUE, new VlanId(VLAN))),
                        List.of(new HostView.RemotePort(pId, P, BLUE, Ipv4.parse(IP_P)))));
        install(
                toP,
                new HostView(
                        HostId.of("host-p"),
                        List.of(new HostView.LocalPort(pId, P, BLUE, new VlanId(VLAN))),
                        List.of(new HostView.RemotePort(mId, M, BLUE, Ipv4.parse(IP_H)))));
    }

    private void install(OfConnection c, HostView view) throws Exception {
        TrunkPortMods.becomeMaster(c, 1);
        FlowPlan plan = FlowCompiler.compile(view);
        ScriptedController.sendAndSync(c, new PlanToOpenFlow(c.factory()).messages(plan.diffFrom(FlowPlan.EMPTY)));
        assertThat(ctl.received(c)).noneMatch(msg -> msg instanceof OFErrorMsg);
    }

    private <T extends AutoCloseable> T track(T c) {
        closeables.add(c);
        return c;
    }
}
