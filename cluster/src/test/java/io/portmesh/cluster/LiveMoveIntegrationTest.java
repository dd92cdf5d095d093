package io.portmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.agent.control.AgentSettings;
import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.model.HostId;
import io.portmesh.model.PortId;
import io.portmesh.persistence.testkit.CassandraExtension;
import io.portmesh.persistence.testkit.TestCassandra;
import io.portmesh.sharding.service.MigrationInfo;
import io.portmesh.sharding.service.PortInfo;
import io.portmesh.sim.FrameStream;
import io.portmesh.sim.SimulatedVm;
import io.portmesh.sim.StreamStats;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Live moves end to end (docs/architecture.md section 7.1) on a {@link LiveMoveFabric}: three controller nodes, the
 * real Cassandra, four agents over real TCP with VXLAN between them on loopback addresses, simulated VMs on one
 * pseudo-wire per host. A VM pair
 * exchanges numbered frames at 1,000 frames/s each way while one VM moves; the receivers count every sequence number,
 * so "no frame lost" is a count, and duplicates are reported. The VM moves like a vMotion: the test picks the instant,
 * the controller is not told, and the VM's own RARP on the destination activates the move.
 */
@ExtendWith(CassandraExtension.class)
class LiveMoveIntegrationTest {

    @Test
    void aVmMovedThereAndBackUnderTrafficLosesNoFrameAndItsFirstFrameOnTheDestinationIsForwarded(
            TestCassandra cassandra) throws Exception {
        try (LiveMoveFabric f = new LiveMoveFabric(cassandra, "ab")) {
            SimulatedVm x = f.vm("52:54:00:16:00:01", "10.16.0.1", 0);
            SimulatedVm y = f.vm("52:54:00:16:00:02", "10.16.0.2", 3);
            String px = f.portOf(x);
            try (FrameStream toY = LiveMoveFabric.stream(x, y);
                    FrameStream toX = LiveMoveFabric.stream(y, x)) {
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

                StreamStats there = LiveMoveFabric.finish(toY);
                StreamStats back = LiveMoveFabric.finish(toX);
                System.out.printf(
                        "live move A->B->A at %d frames/s each way: x->y %s, y->x %s%n",
                        LiveMoveFabric.RATE, there, back);
                assertThat(there.lost()).as("frames lost x->y: %s", there).isZero();
                assertThat(back.lost()).as("frames lost y->x: %s", back).isZero();
                assertThat(there.received()).isEqualTo(there.sent());
            }
            // the port ended where it started, with every other host cleaned of it
            PortInfo p = LiveMoveFabric.await(f.api.getPort(PortId.of(px)));
            assertThat(p.host()).isEqualTo(f.hosts.get(0));
            f.awaitFlows(1, f::portmeshFlows, 0, "Portmesh flows left on B (its straggler flow goes after the grace)");

            // the port's own journal tells the story, read back from Cassandra
            List<String> events = LiveMoveFabric.await(f.api.portHistory(PortId.of(px))).stream()
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
        try (LiveMoveFabric f = new LiveMoveFabric(cassandra, "abc")) {
            SimulatedVm x = f.vm("52:54:00:16:01:01", "10.16.1.1", 0);
            SimulatedVm y = f.vm("52:54:00:16:01:02", "10.16.1.2", 3);
            String px = f.portOf(x);
            try (FrameStream toY = LiveMoveFabric.stream(x, y);
                    FrameStream toX = LiveMoveFabric.stream(y, x)) {
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

                StreamStats there = LiveMoveFabric.finish(toY);
                StreamStats back = LiveMoveFabric.finish(toX);
                System.out.printf(
                        "live move A->(B)->C at %d frames/s each way: x->y %s, y->x %s%n",
                        LiveMoveFabric.RATE, there, back);
                assertThat(there.lost()).as("frames lost x->y: %s", there).isZero();
                assertThat(back.lost()).as("frames lost y->x: %s", back).isZero();
            }
            // a cancelled move: the destination's agent holds no flow of it, its VLAN is free, traffic stays on C
            long onB = f.portmeshFlows(1);
            MigrationInfo toB = f.startMove(px, 1);
            assertThat(f.portmeshFlows(1)).isGreaterThan(onB);
            MigrationInfo cancelled = LiveMoveFabric.await(f.api.cancelMigration(PortId.of(px), true));
            assertThat(cancelled.state()).isEqualTo(MigrationInfo.CANCELLED);
            assertThat(cancelled.realization().realized()).isTrue();
            assertThat(f.portmeshFlows(1))
                    .as("Portmesh flows left on B after the cancel")
                    .isEqualTo(onB);
            assertThat(LiveMoveFabric.await(f.api.getHost(HostId.of(f.hosts.get(1))))
                            .vlansUsed())
                    .isZero();
            assertThat(toB.toVlan()).isNotNull();
            SliceFixture.pingUntilAnswered(y, x);
        }
    }

    @Test
    void aMoveStartedWhileTheDestinationsAgentIsDownGoesOnOnceItReconnectsAndLosesNoFrame(TestCassandra cassandra)
            throws Exception {
        try (LiveMoveFabric f = new LiveMoveFabric(cassandra, "rc")) {
            SimulatedVm x = f.vm("52:54:00:16:02:01", "10.16.2.1", 0);
            SimulatedVm y = f.vm("52:54:00:16:02:02", "10.16.2.2", 3);
            String px = f.portOf(x);
            String b = f.hosts.get(1);
            try (FrameStream toY = LiveMoveFabric.stream(x, y);
                    FrameStream toX = LiveMoveFabric.stream(y, x)) {
                TestCluster.sleep(500);
                f.agents.get(1).close(); // B's switch VM is away
                SliceFixture.awaitTrue(
                        "host B without a connected agent",
                        () -> LiveMoveFabric.await(f.api.getHost(HostId.of(b)))
                                .agents()
                                .isEmpty());

                // the move starts: B cannot realize it, and the answer says so at once, naming B
                long t0 = System.nanoTime();
                MigrationInfo started = LiveMoveFabric.await(f.api.startMigration(PortId.of(px), HostId.of(b), true));
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
                        () -> LiveMoveFabric.await(f.api.getHost(HostId.of(b))).realized());
                f.portGroup(1, started.toVlan());
                TestCluster.sleep(300);
                x.moveTo(f.wires.get(1), started.toVlan(), true);
                f.awaitEnded(px, MigrationInfo.COMPLETED);

                StreamStats there = LiveMoveFabric.finish(toY);
                StreamStats back2 = LiveMoveFabric.finish(toX);
                System.out.printf(
                        "live move to a host whose agent reconnected, %d frames/s each way: x->y %s, y->x %s%n",
                        LiveMoveFabric.RATE, there, back2);
                assertThat(there.lost()).as("frames lost x->y: %s", there).isZero();
                assertThat(back2.lost()).as("frames lost y->x: %s", back2).isZero();
            }
        }
    }
}
