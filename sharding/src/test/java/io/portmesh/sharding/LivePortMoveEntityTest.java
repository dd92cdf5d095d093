package io.portmesh.sharding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portmesh.model.HostId;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.model.ValidationException;
import io.portmesh.model.VlanId;
import io.portmesh.sharding.host.HostEntity;
import io.portmesh.sharding.host.HostProtocol;
import io.portmesh.sharding.lswitch.SwitchMembers;
import io.portmesh.sharding.port.LogicalPortEntity;
import io.portmesh.sharding.port.PortProtocol;
import io.portmesh.sharding.port.PortState;
import io.portmesh.sharding.service.BindingResult;
import io.portmesh.sharding.service.ConflictException;
import io.portmesh.sharding.service.MigrationInfo;
import io.portmesh.sharding.service.NetworkService;
import io.portmesh.sharding.service.NotFoundException;
import io.portmesh.sharding.service.PortInfo;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The steps of a live move across the real Port, Switch and Host entities (one-node cluster, in-memory journal, no
 * agents: this is about states and what each entity holds; frames are the integration test's). The move timeout is
 * short so that the rollback of an unactivated move is seen.
 */
class LivePortMoveEntityTest {
    /**
     * Long enough that a move the other tests activate is not rolled back first on a loaded machine (2 s was: at a load
     * average of 100 a move started and found rolled back before its activation), short enough for the rollback test
     * to see it within {@link MoveEntityFixture#awaitState}'s 15 s.
     */
    private static final Duration MOVE_TIMEOUT = Duration.ofSeconds(6);

    private static MoveEntityFixture f;
    private static NetworkService svc;
    private static ClusterSharding sharding;

    @BeforeAll
    static void start() {
        f = new MoveEntityFixture(MOVE_TIMEOUT);
        svc = f.svc;
        sharding = f.sharding;
    }

    @AfterAll
    static void tearDown() {
        f.close();
    }

    @Test
    void aMoveActivatedByTheVmsRarpEndsBoundOnTheDestinationOnly() {
        MoveEntityFixture.Topology t = f.topology();
        MigrationInfo started =
                MoveEntityFixture.await(svc.startMigration(PortId.of(t.port()), HostId.of(t.b()), false));
        assertThat(started.state()).isEqualTo(MigrationInfo.MIGRATING);
        assertThat(started.from()).isEqualTo(t.a());
        assertThat(started.to()).isEqualTo(t.b());
        assertThat(started.fromVlan()).isEqualTo(t.vlanOnA());
        assertThat(started.toVlan()).isNotNull();

        // while migrating: bound on both hosts, the switch member names both, the port still says A
        assertThat(f.vlansOn(t.a())).isEqualTo(1);
        assertThat(f.vlansOn(t.b())).isEqualTo(1);
        SwitchMembers.Member m = f.member(t.sw(), t.port());
        assertThat(m.host()).isEqualTo(t.a());
        assertThat(m.movingTo()).isEqualTo(t.b());
        PortInfo during = MoveEntityFixture.await(svc.getPort(PortId.of(t.port())));
        assertThat(during.host()).isEqualTo(t.a());
        assertThat(during.state()).isEqualTo(PortState.MIGRATING);

        // the destination's host entity sees the VM's RARP on the port's VLAN there, from its agent's master
        sharding.entityRefFor(HostEntity.TYPE_KEY, t.b())
                .tell(new HostProtocol.ActivationSeen(
                        f.masterOf(t.b()), new VlanId(started.toVlan()), Mac.parse(f.macOf(t.port()))));
        MigrationInfo done = f.awaitState(t.port(), MigrationInfo.COMPLETED);
        assertThat(done.activatedBy()).isEqualTo(PortProtocol.Activate.BY_RARP);
        assertThat(done.activatedAt()).isNotNull();
        assertThat(done.endedAt()).isNotNull();

        PortInfo after = MoveEntityFixture.await(svc.getPort(PortId.of(t.port())));
        assertThat(after.host()).isEqualTo(t.b());
        assertThat(after.vlan()).isEqualTo(started.toVlan());
        assertThat(after.state()).isEqualTo(PortState.BOUND);
        assertThat(f.vlansOn(t.a())).isZero();
        assertThat(f.vlansOn(t.b())).isEqualTo(1);
        SwitchMembers.Member end = f.member(t.sw(), t.port());
        assertThat(end.host()).isEqualTo(t.b());
        assertThat(end.isMoving()).isFalse();
    }

    @Test
    void aCancelledMoveLeavesNothingOnTheDestinationAndAnActivationAfterItIsIgnored() {
        MoveEntityFixture.Topology t = f.topology();
        MigrationInfo started =
                MoveEntityFixture.await(svc.startMigration(PortId.of(t.port()), HostId.of(t.b()), false));
        MigrationInfo cancelled = MoveEntityFixture.await(svc.cancelMigration(PortId.of(t.port()), false));
        assertThat(cancelled.state()).isEqualTo(MigrationInfo.CANCELLED);
        assertThat(f.vlansOn(t.b())).isZero();
        assertThat(f.member(t.sw(), t.port()).isMoving()).isFalse();
        assertThat(f.member(t.sw(), t.port()).host()).isEqualTo(t.a());

        sharding.entityRefFor(HostEntity.TYPE_KEY, t.b())
                .tell(new HostProtocol.ActivationSeen(
                        f.masterOf(t.b()), new VlanId(started.toVlan()), Mac.parse(f.macOf(t.port()))));
        sharding.entityRefFor(LogicalPortEntity.TYPE_KEY, t.port())
                .tell(new PortProtocol.Activate(HostId.of(t.b()), PortProtocol.Activate.BY_RARP));
        assertThat(MoveEntityFixture.await(svc.getMigration(PortId.of(t.port())))
                        .state())
                .isEqualTo(MigrationInfo.CANCELLED);
        assertThat(MoveEntityFixture.await(svc.getPort(PortId.of(t.port()))).host())
                .isEqualTo(t.a());
        assertThat(MoveEntityFixture.await(svc.cancelMigration(PortId.of(t.port()), false))
                        .state())
                .as("a repeated cancel answers the cancelled move")
                .isEqualTo(MigrationInfo.CANCELLED);
        assertThatThrownBy(() -> MoveEntityFixture.await(svc.completeMigration(PortId.of(t.port()), false)))
                .as("a cancelled move cannot be completed")
                .isInstanceOf(ConflictException.class);
    }

    @Test
    void aMoveNotActivatedInTimeRollsBackAndTheSourceKeepsThePort() {
        MoveEntityFixture.Topology t = f.topology();
        // B's agent answers the deadline's question: its activation flows counted no packet of the VM
        f.masterOf(t.b());
        MoveEntityFixture.await(svc.startMigration(PortId.of(t.port()), HostId.of(t.b()), false));
        MigrationInfo rolledBack = f.awaitState(t.port(), MigrationInfo.ROLLED_BACK);
        assertThat(rolledBack.activatedAt()).isNull();
        assertThat(f.vlansOn(t.b())).isZero();
        assertThat(f.vlansOn(t.a())).isEqualTo(1);
        assertThat(MoveEntityFixture.await(svc.getPort(PortId.of(t.port()))).vlan())
                .isEqualTo(t.vlanOnA());
    }

    @Test
    void aSecondMoveBeforeActivationTakesTheFirstBackThenMovesOn() {
        MoveEntityFixture.Topology t = f.topology();
        MoveEntityFixture.await(svc.startMigration(PortId.of(t.port()), HostId.of(t.b()), false));
        // A -> B -> C: the third host is the peer's host here, which is as good a destination as any
        MigrationInfo toC = MoveEntityFixture.await(svc.startMigration(PortId.of(t.port()), HostId.of(t.c()), false));
        assertThat(toC.state()).isEqualTo(MigrationInfo.MIGRATING);
        assertThat(toC.from()).isEqualTo(t.a());
        assertThat(toC.to()).isEqualTo(t.c());
        assertThat(f.vlansOn(t.b())).isZero();
        assertThat(f.member(t.sw(), t.port()).movingTo()).isEqualTo(t.c());

        MigrationInfo done = MoveEntityFixture.await(svc.completeMigration(PortId.of(t.port()), false));
        assertThat(done.state()).isEqualTo(MigrationInfo.COMPLETED);
        assertThat(done.activatedBy()).isEqualTo(PortProtocol.Activate.BY_API);
        assertThat(MoveEntityFixture.await(svc.getPort(PortId.of(t.port()))).host())
                .isEqualTo(t.c());

        // back to where it started (A -> ... -> A) within A's straggler grace (the move to C was activated away from
        // A): refused, the port stays on C, nothing taken on A
        assertThatThrownBy(() -> MoveEntityFixture.await(svc.bindPort(PortId.of(t.port()), HostId.of(t.a()), false)))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("cannot move port " + t.port() + " back to host " + t.a() + " yet")
                .hasMessageContaining("straggler flow");
        PortInfo stays = MoveEntityFixture.await(svc.getPort(PortId.of(t.port())));
        assertThat(stays.host()).isEqualTo(t.c());
        assertThat(stays.state()).isEqualTo(PortState.BOUND);
        assertThat(f.vlansOn(t.a())).isZero();

        // to B, by a binding this time, as PUT /binding does: B only had its arrival taken back, no straggler flow
        BindingResult toB = MoveEntityFixture.await(svc.bindPort(PortId.of(t.port()), HostId.of(t.b()), false));
        assertThat(toB.host()).isEqualTo(t.b());
        assertThat(MoveEntityFixture.await(svc.getMigration(PortId.of(t.port())))
                        .state())
                .isEqualTo(MigrationInfo.MIGRATING);
        assertThat(MoveEntityFixture.await(svc.completeMigration(PortId.of(t.port()), false))
                        .state())
                .isEqualTo(MigrationInfo.COMPLETED);
        assertThat(MoveEntityFixture.await(svc.getPort(PortId.of(t.port()))).vlan())
                .isEqualTo(toB.vlan());
    }

    @Test
    void aRepeatedCompleteOrCancelAnswersTheEndedMoveAndADeleteWhileMovingTakesTheMoveBackFirst() {
        MoveEntityFixture.Topology t = f.topology();
        MoveEntityFixture.await(svc.startMigration(PortId.of(t.port()), HostId.of(t.b()), false));
        MigrationInfo done = MoveEntityFixture.await(svc.completeMigration(PortId.of(t.port()), false));
        MigrationInfo again = MoveEntityFixture.await(svc.completeMigration(PortId.of(t.port()), false));
        assertThat(again.state()).isEqualTo(MigrationInfo.COMPLETED);
        assertThat(again.endedAt()).isEqualTo(done.endedAt());
        assertThatThrownBy(() -> MoveEntityFixture.await(svc.cancelMigration(PortId.of(t.port()), false)))
                .as("a completed move cannot be cancelled")
                .isInstanceOf(ConflictException.class);

        // on to C (back to A would wait out A's straggler grace)
        MoveEntityFixture.await(svc.startMigration(PortId.of(t.port()), HostId.of(t.c()), false));
        MoveEntityFixture.await(svc.cancelMigration(PortId.of(t.port()), false));
        assertThat(MoveEntityFixture.await(svc.cancelMigration(PortId.of(t.port()), false))
                        .state())
                .isEqualTo(MigrationInfo.CANCELLED);

        MoveEntityFixture.await(svc.startMigration(PortId.of(t.port()), HostId.of(t.c()), false));
        assertThat(f.vlansOn(t.c())).as("the peer's and the arriving port's").isEqualTo(2);
        MoveEntityFixture.await(svc.deletePort(PortId.of(t.port()), false));
        assertThat(f.vlansOn(t.c()))
                .as("the destination of the move taken back: the peer's only")
                .isEqualTo(1);
        assertThat(f.vlansOn(t.b())).as("the host the port was on").isZero();
        assertThatThrownBy(() -> MoveEntityFixture.await(svc.getPort(PortId.of(t.port()))))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void refusalsSayWhatAndWhy() {
        MoveEntityFixture.Topology t = f.topology();
        assertThatThrownBy(() -> MoveEntityFixture.await(
                        svc.startMigration(PortId.of(t.port()), HostId.of("mv-nowhere"), false)))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("mv-nowhere");
        assertThat(MoveEntityFixture.await(svc.getPort(PortId.of(t.port()))).host())
                .isEqualTo(t.a());

        PortInfo unbound = MoveEntityFixture.await(svc.createPort(
                SwitchId.of(t.sw()),
                Mac.parse("52:54:00:77:ff:" + (10 + f.nextId() % 80)),
                List.of(),
                Optional.empty()));
        assertThatThrownBy(() ->
                        MoveEntityFixture.await(svc.startMigration(PortId.of(unbound.id()), HostId.of(t.b()), false)))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("not bound");

        MigrationInfo same = MoveEntityFixture.await(svc.startMigration(PortId.of(t.port()), HostId.of(t.a()), false));
        assertThat(same.state()).isEqualTo(MigrationInfo.NONE);
        assertThatThrownBy(() -> MoveEntityFixture.await(svc.getMigration(PortId.of(t.port()))))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> MoveEntityFixture.await(svc.completeMigration(PortId.of(t.port()), false)))
                .isInstanceOf(ConflictException.class);
    }
}
