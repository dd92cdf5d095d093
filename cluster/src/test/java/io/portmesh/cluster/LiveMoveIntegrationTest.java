package io.portmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.agent.control.AgentSettings;
import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.agent.io.TrunkPort;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.model.flow.Cookies;
import io.portmesh.model.flow.DatapathPorts;
import io.portmesh.persistence.testkit.CassandraExtension;
import io.portmesh.persistence.testkit.TestCassandra;
import io.portmesh.sharding.service.BindingResult;
import io.portmesh.sharding.service.MigrationInfo;
import io.portmesh.sharding.service.NetworkService;
import io.portmesh.sharding.service.PortInfo;
import io.portmesh.sim.FrameStream;
import io.portmesh.sim.PseudoWire;
import io.portmesh.sim.SimulatedVm;
import io.portmesh.sim.StreamStats;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowStatsRequest;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;

/**
 * Live moves end to end (docs/architecture.md section 7.1): three controller nodes, the real Cassandra, four agents
 * over real TCP with VXLAN between them on loopback addresses, simulated VMs on one pseudo-wire per host. A VM pair
 * exchanges numbered frames at 1,000 frames/s each way while one VM moves; the receivers count every sequence number,
 * so "no frame lost" is a count, and duplicates are reported. The VM moves like a vMotion: the test picks the instant,
 * the controller is not told, and the VM's own RARP on the destination activates the move.
 */
@ExtendWith(CassandraExtension.class)
class LiveMoveIntegrationTest {
    private static final int RATE = 1_000;
    private static final OFFactory OF13 = OFFactories.getFactory(OFVersion.OF_13);

    /** Four hosts (a, b, c, d), their agents and one wire (port groups) per host. */
    private static final class Fabric implements AutoCloseable {
        final TestCluster cluster;
        final NetworkService api;
        final List<String> hosts = new ArrayList<>();
        final List<DatapathAgent> agents = new ArrayList<>();
        final List<PseudoWire> wires = new ArrayList<>();
        final List<SimulatedVm> vms = new ArrayList<>();
        final SwitchId sw;

        Fabric(TestCassandra cassandra, String tag) throws Exception {
            int[] ports = TestCluster.freePorts(7);
            cluster = TestCluster.start(
                    cassandra, new int[] {ports[0], ports[1], ports[2]}, new int[] {ports[3], ports[4], ports[5]});
            api = cluster.nodes.get(0).service();
            String run = tag + Long.toHexString(System.nanoTime() & 0xFFFFF);
            // tunnel IPs are unique cluster-wide and the test Cassandra outlives a run: a loopback /24 of its own
            var rnd = java.util.concurrent.ThreadLocalRandom.current();
            String net = "127." + rnd.nextInt(16, 250) + "." + rnd.nextInt(1, 250) + ".";
            for (int i = 0; i < 4; i++) {
                String id = "mv-" + (char) ('a' + i) + "-" + run;
                String tep = net + (1 + i);
                await(api.createHost(HostId.of(id), Ipv4.parse(tep)));
                hosts.add(id);
                DatapathAgent agent =
                        DatapathAgent.start(AgentSettings.local(id, "a", tep, ports[6], cluster.openflowAddresses()));
                agents.add(agent);
                wires.add(PseudoWire.open(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), List.of(agent.trunkAddress())));
            }
            sw = SwitchId.of("mv-" + run);
            await(api.createSwitch(sw, Optional.empty()));
        }

        /** A port bound (realized) on host {@code h} and its VM on that host's wire. */
        SimulatedVm vm(String mac, String ip, int h) throws Exception {
            PortInfo p = await(api.createPort(sw, Mac.parse(mac), List.of(Ipv4.parse(ip)), Optional.empty()));
            BindingResult b = await(api.bindPort(PortId.of(p.id()), HostId.of(hosts.get(h)), true));
            assertThat(b.realization().realized())
                    .as("binding of %s realized", mac)
                    .isTrue();
            SimulatedVm vm = new SimulatedVm(Mac.parse(mac), Ipv4.parse(ip), b.vlan(), wires.get(h));
            portGroup(h, b.vlan());
            vms.add(vm);
            return vm;
        }

        /**
         * The inventory configures the VM's port group on host {@code h} with {@code vlan} (before the VM runs there,
         * as vCenter does with the VLAN a move answers): the host's trunk knows which wire carries it.
         */
        void portGroup(int h, int vlan) {
            ((TrunkPort) agents.get(h).ports().get(DatapathPorts.TRUNK))
                    .bindVlan(vlan, wires.get(h).localAddress());
        }

        /** Starts a move and waits until the destination and every peer acknowledged the dual delivery. */
        MigrationInfo startMove(String port, int to) throws Exception {
            MigrationInfo m = await(api.startMigration(PortId.of(port), HostId.of(hosts.get(to)), true));
            assertThat(m.state()).isEqualTo(MigrationInfo.MIGRATING);
            assertThat(m.realization().realized())
                    .as("destination and peers ready: %s", m.realization())
                    .isTrue();
            portGroup(to, m.toVlan());
            return m;
        }

        MigrationInfo awaitEnded(String port, String state) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            MigrationInfo last = null;
            while (System.nanoTime() < deadline) {
                last = await(api.getMigration(PortId.of(port)));
                if (last.state().equals(state)) {
                    return last;
                }
                TestCluster.sleep(20);
            }
            throw new AssertionError("move of " + port + " not " + state + " in 20 s: " + last);
        }

        /** The Portmesh flows on host {@code h}'s agent. */
        long portmeshFlows(int h) {
            return portmeshCookies(h).count();
        }

        /** The straggler flows (of ports let go of after a move) on host {@code h}'s agent. */
        long stragglerFlows(int h) {
            return portmeshCookies(h)
                    .filter(cookie -> Cookies.rule(cookie) == Cookies.STRAGGLER)
                    .count();
        }

        private java.util.stream.Stream<Long> portmeshCookies(int h) {
            OFFlowStatsRequest all = OF13.buildFlowStatsRequest()
                    .setTableId(TableId.ALL)
                    .setOutPort(OFPort.ANY)
                    .setOutGroup(OFGroup.ANY)
                    .setMatch(OF13.buildMatch().build())
                    .build();
            return agents.get(h).tables().flowStats(all).stream()
                    .map(e -> e.getCookie().getValue())
                    .filter(Cookies::isPortmesh);
        }

        /** Waits (20 s at most) until host {@code h}'s agent has {@code n} flows as {@code count} counts them. */
        void awaitFlows(int h, java.util.function.IntToLongFunction count, long n, String what) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (count.applyAsLong(h) != n) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(what + " on host " + h + ": " + count.applyAsLong(h) + ", not " + n);
                }
                TestCluster.sleep(20);
            }
        }

        @Override
        public void close() {
            vms.forEach(SimulatedVm::close);
            wires.forEach(PseudoWire::close);
            agents.forEach(DatapathAgent::close);
            cluster.close();
        }
    }

    @Test
    void aVmMovedThereAndBackUnderTrafficLosesNoFrameAndItsFirstFrameOnTheDestinationIsForwarded(
            TestCassandra cassandra) throws Exception {
        try (Fabric f = new Fabric(cassandra, "ab")) {
            SimulatedVm x = f.vm("52:54:00:16:00:01", "10.16.0.1", 0);
            SimulatedVm y = f.vm("52:54:00:16:00:02", "10.16.0.2", 3);
            String px = portOf(f, x);
            try (FrameStream toY = stream(x, y);
                    FrameStream toX = stream(y, x)) {
                TestCluster.sleep(500);

                // A -> B: the VM runs on B from the instant it moves, its RARP activates the move
                MigrationInfo toB = f.startMove(px, 1);
                TestCluster.sleep(300);
                x.moveTo(f.wires.get(1), toB.toVlan(), true);
                long onB = System.nanoTime(); // every frame sent from now on leaves from B's port group
                MigrationInfo doneB = f.awaitEnded(px, MigrationInfo.COMPLETED);
                assertThat(doneB.activatedBy()).isEqualTo("RARP");
                long firstFromB = toY.firstSentAfter(onB).orElseThrow(() -> new AssertionError("nothing sent from B"));
                var first = toY.arrivalOf(firstFromB);
                assertThat(first)
                        .as("the first frame the VM sent from B (seq %d) reached its peer", firstFromB)
                        .isPresent();
                assertThat(TimeUnit.NANOSECONDS.toMillis(first.get().receivedNanos() - onB))
                        .as("ms from the VM's arrival on B to its first frame from there at the peer")
                        .isLessThan(200);
                // A let the port go with a straggler flow to B (docs/architecture.md 7.1, gap 4), gone after the
                // grace (portmesh.controller.move-straggler-grace, 2 s): read in A's agent's own flow table
                f.awaitFlows(0, f::stragglerFlows, 1, "straggler flows");
                f.awaitFlows(0, f::stragglerFlows, 0, "straggler flows after the grace");

                // and back to A (B -> A), with a new VLAN on A
                TestCluster.sleep(300);
                MigrationInfo toA = f.startMove(px, 0);
                TestCluster.sleep(300);
                x.moveTo(f.wires.get(0), toA.toVlan(), true);
                f.awaitEnded(px, MigrationInfo.COMPLETED);

                StreamStats there = finish(toY);
                StreamStats back = finish(toX);
                System.out.printf("live move A->B->A at %d frames/s each way: x->y %s, y->x %s%n", RATE, there, back);
                assertThat(there.lost()).as("frames lost x->y: %s", there).isZero();
                assertThat(back.lost()).as("frames lost y->x: %s", back).isZero();
                assertThat(there.received()).isEqualTo(there.sent());
            }
            // the port ended where it started, with every other host cleaned of it
            PortInfo p = await(f.api.getPort(PortId.of(px)));
            assertThat(p.host()).isEqualTo(f.hosts.get(0));
            f.awaitFlows(1, f::portmeshFlows, 0, "Portmesh flows left on B (its straggler flow goes after the grace)");

            // the port's own journal tells the story, read back from Cassandra
            List<String> events = await(f.api.portHistory(PortId.of(px))).stream()
                    .map(e -> e.event())
                    .toList();
            assertThat(events)
                    .containsSubsequence(
                            "Created",
                            "ChangeStarted",
                            "Bound",
                            "ChangeStarted",
                            "MoveStarted",
                            "MoveActivated",
                            "MoveCompleted",
                            "ChangeStarted",
                            "MoveStarted",
                            "MoveActivated",
                            "MoveCompleted");
            // and the nodes' metrics count both moves as activated by the VM, with their phases timed
            assertThat(NodeScrape.sum(f.cluster.nodes, "portmesh_port_moves_total", "outcome=\"activated\""))
                    .isEqualTo(2);
            assertThat(NodeScrape.sum(
                            f.cluster.nodes, "portmesh_port_move_phase_seconds_count", "phase=\"activation\""))
                    .isEqualTo(2);
        }
    }

    @Test
    void aSecondMoveBeforeActivationLosesNoFrameAndACancelledMoveLeavesNothingOnTheDestination(TestCassandra cassandra)
            throws Exception {
        try (Fabric f = new Fabric(cassandra, "abc")) {
            SimulatedVm x = f.vm("52:54:00:16:01:01", "10.16.1.1", 0);
            SimulatedVm y = f.vm("52:54:00:16:01:02", "10.16.1.2", 3);
            String px = portOf(f, x);
            try (FrameStream toY = stream(x, y);
                    FrameStream toX = stream(y, x)) {
                TestCluster.sleep(500);
                // A -> B, then -> C before the VM left A: B is taken back, the VM goes to C
                f.startMove(px, 1);
                TestCluster.sleep(200);
                MigrationInfo toC = f.startMove(px, 2);
                assertThat(toC.from()).isEqualTo(f.hosts.get(0));
                assertThat(f.portmeshFlows(1))
                        .as("Portmesh flows left on B after it was taken back")
                        .isZero();
                TestCluster.sleep(300);
                x.moveTo(f.wires.get(2), toC.toVlan(), true);
                f.awaitEnded(px, MigrationInfo.COMPLETED);

                StreamStats there = finish(toY);
                StreamStats back = finish(toX);
                System.out.printf("live move A->(B)->C at %d frames/s each way: x->y %s, y->x %s%n", RATE, there, back);
                assertThat(there.lost()).as("frames lost x->y: %s", there).isZero();
                assertThat(back.lost()).as("frames lost y->x: %s", back).isZero();
            }
            // a cancelled move: the destination's agent holds no flow of it, its VLAN is free, traffic stays on C
            long onB = f.portmeshFlows(1);
            MigrationInfo toB = f.startMove(px, 1);
            assertThat(f.portmeshFlows(1)).isGreaterThan(onB);
            MigrationInfo cancelled = await(f.api.cancelMigration(PortId.of(px), true));
            assertThat(cancelled.state()).isEqualTo(MigrationInfo.CANCELLED);
            assertThat(cancelled.realization().realized()).isTrue();
            assertThat(f.portmeshFlows(1))
                    .as("Portmesh flows left on B after the cancel")
                    .isEqualTo(onB);
            assertThat(await(f.api.getHost(HostId.of(f.hosts.get(1)))).vlansUsed())
                    .isZero();
            assertThat(toB.toVlan()).isNotNull();
            SliceFixture.pingUntilAnswered(y, x);
        }
    }

    @Test
    void aMoveStartedWhileTheDestinationsAgentIsDownGoesOnOnceItReconnectsAndLosesNoFrame(TestCassandra cassandra)
            throws Exception {
        try (Fabric f = new Fabric(cassandra, "rc")) {
            SimulatedVm x = f.vm("52:54:00:16:02:01", "10.16.2.1", 0);
            SimulatedVm y = f.vm("52:54:00:16:02:02", "10.16.2.2", 3);
            String px = portOf(f, x);
            String b = f.hosts.get(1);
            try (FrameStream toY = stream(x, y);
                    FrameStream toX = stream(y, x)) {
                TestCluster.sleep(500);
                f.agents.get(1).close(); // B's switch VM is away
                SliceFixture.awaitTrue(
                        "host B without a connected agent",
                        () -> await(f.api.getHost(HostId.of(b))).agents().isEmpty());

                // the move starts: B cannot realize it, and the answer says so at once, naming B
                long t0 = System.nanoTime();
                MigrationInfo started = await(f.api.startMigration(PortId.of(px), HostId.of(b), true));
                assertThat(started.state()).isEqualTo(MigrationInfo.MIGRATING);
                assertThat(started.realization().realized()).isFalse();
                assertThat(started.realization().pendingHosts()).contains(b);
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0))
                        .as("ms to learn that B cannot realize the move")
                        .isLessThan(5_000);

                // B's agent comes back (a new process: a new trunk address for B's port groups), is read and
                // reconciled, and gets the arriving port's flows
                DatapathAgent back = DatapathAgent.start(AgentSettings.local(
                        b,
                        "a",
                        f.agents.get(1).settings().vxlanBind().getAddress().getHostAddress(),
                        f.agents.get(1).settings().vxlanBind().getPort(),
                        f.cluster.openflowAddresses()));
                f.agents.set(1, back);
                f.wires.get(1).setTrunks(List.of(back.trunkAddress()));
                SliceFixture.awaitTrue(
                        "host B's agent reconciled with the move",
                        () -> await(f.api.getHost(HostId.of(b))).realized());
                f.portGroup(1, started.toVlan());
                TestCluster.sleep(300);
                x.moveTo(f.wires.get(1), started.toVlan(), true);
                f.awaitEnded(px, MigrationInfo.COMPLETED);

                StreamStats there = finish(toY);
                StreamStats back2 = finish(toX);
                System.out.printf(
                        "live move to a host whose agent reconnected, %d frames/s each way: x->y %s, y->x %s%n",
                        RATE, there, back2);
                assertThat(there.lost()).as("frames lost x->y: %s", there).isZero();
                assertThat(back2.lost()).as("frames lost y->x: %s", back2).isZero();
            }
        }
    }

    private static String portOf(Fabric f, SimulatedVm vm) throws Exception {
        return await(f.api.listPorts(f.sw)).stream()
                .filter(p -> Mac.parse(p.mac()).equals(vm.mac()))
                .findFirst()
                .orElseThrow()
                .id();
    }

    /** Numbered frames at {@link #RATE} for at most 20 s, until the test stops it. */
    private static FrameStream stream(SimulatedVm from, SimulatedVm to) {
        return FrameStream.from(from)
                .to(to)
                .rate(RATE)
                .count(20L * RATE)
                .maxDuration(Duration.ofSeconds(20))
                .start();
    }

    private static StreamStats finish(FrameStream s) throws InterruptedException {
        s.stop();
        return s.awaitReceived(Duration.ofSeconds(2));
    }

    private static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(40, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
