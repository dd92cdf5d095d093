package io.portmesh.cluster;

import static io.portmesh.cluster.LiveMoveFabric.await;
import static io.portmesh.cluster.LiveMoveFabric.finish;
import static io.portmesh.cluster.LiveMoveFabric.stream;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.portmesh.model.HostId;
import io.portmesh.model.PortId;
import io.portmesh.model.flow.Cookies;
import io.portmesh.persistence.testkit.CassandraExtension;
import io.portmesh.persistence.testkit.TestCassandra;
import io.portmesh.sharding.port.PortProtocol;
import io.portmesh.sharding.service.MigrationInfo;
import io.portmesh.sharding.service.PortInfo;
import io.portmesh.sim.FrameStream;
import io.portmesh.sim.SimulatedVm;
import io.portmesh.sim.StreamStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFVlanVidMatch;

/**
 * A live move's deadline with real agents and traffic (docs/architecture.md section 7.1, row R): three controller
 * nodes on the real Cassandra, four agents over TCP, a VM pair exchanging numbered frames at 1,000 frames/s each way
 * (every sequence number counted by its receiver). The move timeout is short, so the deadline passes within the test.
 * Before it rolls back, the port asks the destination's agent for the packet count of its activation flows.
 */
@ExtendWith(CassandraExtension.class)
class MoveDeadlineIntegrationTest {
    /** Long enough for a realized start on a loaded machine, short enough to wait for. */
    private static final Config MOVE_TIMEOUT = ConfigFactory.parseString("portmesh.controller.move-timeout = 5s");

    /**
     * The VM stays on A and never announces itself on B: at the deadline B's activation flows counted nothing, so the
     * move is rolled back; no frame is lost during or after it, and B's agent holds nothing of the port afterwards.
     */
    @Test
    void aMoveNeverActivatedIsRolledBackAtItsDeadlineLosingNoFrameAndLeavesNothingOnTheDestinationsAgent(
            TestCassandra cassandra) throws Exception {
        try (LiveMoveFabric f = new LiveMoveFabric(cassandra, "rb", MOVE_TIMEOUT, (h, nodes) -> nodes)) {
            SimulatedVm x = f.vm("52:54:00:16:03:01", "10.16.3.1", 0);
            SimulatedVm y = f.vm("52:54:00:16:03:02", "10.16.3.2", 3);
            String px = f.portOf(x);
            int onA = await(f.api.getPort(PortId.of(px))).vlan();
            long onBBefore = f.portmeshFlows(1);
            MigrationInfo toB;
            try (FrameStream toY = stream(x, y);
                    FrameStream toX = stream(y, x)) {
                TestCluster.sleep(500);
                toB = f.startMove(px, 1);
                assertThat(f.portmeshEntries(1).filter(e -> ofPort(e, x, toB.toVlan())))
                        .as("B's agent holds the arriving port's flows while the move lasts")
                        .isNotEmpty();

                MigrationInfo rolledBack = f.awaitEnded(px, MigrationInfo.ROLLED_BACK);
                assertThat(rolledBack.activatedAt()).isNull();
                assertThat(Instant.parse(rolledBack.endedAt())).isAfterOrEqualTo(Instant.parse(rolledBack.deadline()));
                TestCluster.sleep(500); // traffic after the rollback too

                StreamStats there = finish(toY);
                StreamStats back = finish(toX);
                System.out.printf(
                        "move rolled back at its deadline, %d frames/s each way: x->y %s, y->x %s%n",
                        LiveMoveFabric.RATE, there, back);
                assertThat(there.lost()).as("frames lost x->y: %s", there).isZero();
                assertThat(back.lost()).as("frames lost y->x: %s", back).isZero();
                assertThat(there.received()).isEqualTo(there.sent());
            }
            // B's agent's own tables: no flow of the port (its MAC, its VLAN there, its activation cookie) is left
            f.awaitFlows(1, f::portmeshFlows, onBBefore, "Portmesh flows on B after the rollback");
            assertThat(f.portmeshEntries(1).filter(e -> ofPort(e, x, toB.toVlan())))
                    .as("flows of the port on B's agent after the rollback")
                    .isEmpty();
            assertThat(await(f.api.getHost(HostId.of(f.hosts.get(1)))).vlansUsed())
                    .as("VLANs used on B")
                    .isZero();
            PortInfo p = await(f.api.getPort(PortId.of(px)));
            assertThat(p.host()).isEqualTo(f.hosts.get(0));
            assertThat(p.vlan()).isEqualTo(onA);
            List<String> events = await(f.api.portHistory(PortId.of(px))).stream()
                    .map(e -> e.event())
                    .toList();
            assertThat(events).containsSubsequence("MoveStarted", "MoveUnwinding", "MoveRolledBack");
            assertThat(events).doesNotContain("MoveActivated");
        }
    }

    /**
     * The VM moves to B and sends its RARP there, which B's agent counts on its activation flow, but the packet-in
     * never reaches a controller (B's agent talks to the nodes through a relay that drops packet-ins). At the deadline
     * the port asks B's agent, finds the VM's packets, and activates the move instead of rolling it back: the VM keeps
     * every frame.
     */
    @Test
    void aVmWhosePacketInWasLostIsActivatedAtTheDeadlineByItsActivationFlowsCountAndLosesNoFrame(
            TestCassandra cassandra) throws Exception {
        AtomicReference<PacketInDroppingRelay> relay = new AtomicReference<>();
        try (LiveMoveFabric f = new LiveMoveFabric(
                cassandra, "lp", MOVE_TIMEOUT, (h, nodes) -> h == 1 ? relayed(relay, nodes) : nodes)) {
            SimulatedVm x = f.vm("52:54:00:16:04:01", "10.16.4.1", 0);
            SimulatedVm y = f.vm("52:54:00:16:04:02", "10.16.4.2", 3);
            String px = f.portOf(x);
            try (FrameStream toY = stream(x, y);
                    FrameStream toX = stream(y, x)) {
                TestCluster.sleep(500);
                relay.get().dropPacketIns(true);
                MigrationInfo toB = f.startMove(px, 1);
                TestCluster.sleep(300);
                x.moveTo(f.wires.get(1), toB.toVlan(), true); // its RARP on B: counted there, the packet-in dropped
                SliceFixture.awaitTrue(
                        "B's packet-in dropped", () -> relay.get().dropped() > 0);

                MigrationInfo done = f.awaitEnded(px, MigrationInfo.COMPLETED);
                assertThat(done.activatedBy()).isEqualTo(PortProtocol.Activate.BY_FLOW_COUNT);
                assertThat(Instant.parse(done.activatedAt()))
                        .as("activated by the deadline's check, not before")
                        .isAfterOrEqualTo(Instant.parse(done.deadline()));
                TestCluster.sleep(500); // traffic after the activation too

                StreamStats there = finish(toY);
                StreamStats back = finish(toX);
                System.out.printf(
                        "move with its packet-in lost, activated at its deadline by the flow count, %d frames/s each"
                                + " way: x->y %s, y->x %s (%d packet-ins dropped)%n",
                        LiveMoveFabric.RATE, there, back, relay.get().dropped());
                assertThat(there.lost()).as("frames lost x->y: %s", there).isZero();
                assertThat(back.lost()).as("frames lost y->x: %s", back).isZero();
                assertThat(there.received()).isEqualTo(there.sent());
            }
            PortInfo p = await(f.api.getPort(PortId.of(px)));
            assertThat(p.host()).isEqualTo(f.hosts.get(1));
        } finally {
            if (relay.get() != null) {
                relay.get().close();
            }
        }
    }

    private static List<String> relayed(AtomicReference<PacketInDroppingRelay> relay, List<String> nodes) {
        try {
            relay.set(new PacketInDroppingRelay(nodes));
            return relay.get().addresses();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A flow that names the port: its MAC or its VLAN on the host in its match, or its activation cookie. */
    private static boolean ofPort(OFFlowStatsEntry e, SimulatedVm vm, int vlan) {
        Match m = e.getMatch();
        MacAddress mac = MacAddress.of(vm.mac().toString());
        OFVlanVidMatch vid = m.get(MatchField.VLAN_VID);
        return e.getCookie().getValue() == Cookies.cookie(Cookies.ACTIVATE, vlan)
                || mac.equals(m.get(MatchField.ETH_SRC))
                || mac.equals(m.get(MatchField.ETH_DST))
                || (vid != null && vid.getVlan() == vlan);
    }
}
