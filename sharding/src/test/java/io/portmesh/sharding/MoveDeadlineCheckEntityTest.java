package io.portmesh.sharding;

import static io.portmesh.sharding.MoveEntityFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.HostId;
import io.portmesh.model.PortId;
import io.portmesh.model.flow.Cookies;
import io.portmesh.sharding.host.HostProtocol.ActivationCount;
import io.portmesh.sharding.port.PortProtocol;
import io.portmesh.sharding.service.MigrationInfo;
import io.portmesh.sharding.service.PortInfo;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A move's deadline asks its destination B for the packet count of the port's activation flows before it rolls back
 * (docs/architecture.md section 7.1, row R; {@code port/MoveDeadlineCheck}): the real Port, Switch and Host entities,
 * B's agent a scripted connection that answers the flow-stats count as each test says. Nothing activates these moves
 * otherwise: no RARP reaches B's host entity (the lost packet-in).
 */
class MoveDeadlineCheckEntityTest {
    /** Short: every move here waits for its deadline. */
    private static final Duration MOVE_TIMEOUT = Duration.ofSeconds(2);

    private static MoveEntityFixture f;

    @BeforeAll
    static void start() {
        f = new MoveEntityFixture(MOVE_TIMEOUT);
    }

    @AfterAll
    static void tearDown() {
        f.close();
    }

    @Test
    void packetsCountedOnTheActivationFlowsActivateTheMoveInsteadOfRollingItBack() {
        MoveEntityFixture.Topology t = f.topology();
        List<Long> asked = new CopyOnWriteArrayList<>();
        f.masterOf(t.b(), cookie -> {
            asked.add(cookie);
            return StatusReply.success(new ActivationCount(2, 3)); // the VM's RARP and two ARPs
        });
        MigrationInfo started = await(f.svc.startMigration(PortId.of(t.port()), HostId.of(t.b()), false));

        MigrationInfo done = f.awaitState(t.port(), MigrationInfo.COMPLETED);
        assertThat(done.activatedBy()).isEqualTo(PortProtocol.Activate.BY_FLOW_COUNT);
        assertThat(asked)
                .as("B's agent was asked for the port's activation flows, by their cookie")
                .containsOnly(Cookies.cookie(Cookies.ACTIVATE, started.toVlan()));
        PortInfo after = await(f.svc.getPort(PortId.of(t.port())));
        assertThat(after.host()).isEqualTo(t.b());
        assertThat(after.vlan()).isEqualTo(started.toVlan());
        assertThat(f.vlansOn(t.a())).as("A let the port go").isZero();
        assertThat(f.member(t.sw(), t.port()).host()).isEqualTo(t.b());
        assertThat(f.member(t.sw(), t.port()).isMoving()).isFalse();
    }

    @Test
    void noPacketOnTheActivationFlowsRollsTheMoveBack() {
        MoveEntityFixture.Topology t = f.topology();
        List<Long> asked = new CopyOnWriteArrayList<>();
        f.masterOf(t.b(), cookie -> {
            asked.add(cookie);
            return StatusReply.success(new ActivationCount(2, 0));
        });
        MigrationInfo started = await(f.svc.startMigration(PortId.of(t.port()), HostId.of(t.b()), false));

        MigrationInfo rolledBack = f.awaitState(t.port(), MigrationInfo.ROLLED_BACK);
        assertThat(rolledBack.activatedAt()).isNull();
        assertThat(asked).containsExactly(Cookies.cookie(Cookies.ACTIVATE, started.toVlan()));
        assertThat(f.vlansOn(t.b())).as("B released the port").isZero();
        PortInfo after = await(f.svc.getPort(PortId.of(t.port())));
        assertThat(after.host()).isEqualTo(t.a());
        assertThat(after.vlan()).isEqualTo(t.vlanOnA());
        assertThat(f.member(t.sw(), t.port()).isMoving()).isFalse();
    }

    /**
     * B's agent fails every flow-stats read (as a read that times out does): the move stays MIGRATING past its
     * deadline, B still holding the port, and B is asked again one ask at a time with a growing spacing; once its
     * agent answers, the answer decides.
     */
    @Test
    void withoutAnAnswerTheMoveStaysMigratingAndIsAskedAgainAtABoundedPaceUntilBAnswers() {
        MoveEntityFixture.Topology t = f.topology();
        List<Long> askedAt = new CopyOnWriteArrayList<>();
        AtomicReference<StatusReply<ActivationCount>> answer =
                new AtomicReference<>(StatusReply.error("flow stats failed: the agent did not answer in time"));
        f.masterOf(t.b(), cookie -> {
            askedAt.add(System.nanoTime());
            return answer.get();
        });
        double unansweredBefore = unansweredChecks();
        long started = System.nanoTime();
        await(f.svc.startMigration(PortId.of(t.port()), HostId.of(t.b()), false));

        awaitAsks(askedAt, 4);
        assertThat(unansweredChecks() - unansweredBefore)
                .as("portmesh_port_move_deadline_checks_unanswered_total: what an operator's alert reads")
                .isGreaterThanOrEqualTo(3);
        assertThat(await(f.svc.getMigration(PortId.of(t.port()))).state())
                .as("past the deadline, no answer: not rolled back")
                .isEqualTo(MigrationInfo.MIGRATING);
        assertThat(f.vlansOn(t.b())).as("B keeps the arriving port").isEqualTo(1);
        assertThat(f.member(t.sw(), t.port()).movingTo()).isEqualTo(t.b());
        assertThat(TimeUnit.NANOSECONDS.toMillis(askedAt.get(0) - started))
                .as("ms from the move's start to the first ask")
                .isGreaterThanOrEqualTo(MOVE_TIMEOUT.toMillis() - 50);
        for (int i = 1; i < askedAt.size(); i++) {
            // PortDeadlines.retryDelay: 200 ms doubling, at most 3 s (a timer is never early)
            assertThat(TimeUnit.NANOSECONDS.toMillis(askedAt.get(i) - askedAt.get(i - 1)))
                    .as("ms between ask %d and %d", i, i + 1)
                    .isGreaterThanOrEqualTo(Math.min(200L << (i - 1), 3_000));
        }

        answer.set(StatusReply.success(new ActivationCount(2, 0)));
        assertThat(f.awaitState(t.port(), MigrationInfo.ROLLED_BACK).activatedAt())
                .isNull();
        assertThat(f.vlansOn(t.b())).isZero();
    }

    /**
     * B has no master connection (its agent is cut off from every controller, which does not stop it forwarding):
     * no answer, so the move is not rolled back; once B's agent is back and has counted the VM, the move is
     * activated.
     */
    @Test
    void aDestinationWithoutAMasterIsNoAnswerAndItsLaterCountStillActivates() {
        MoveEntityFixture.Topology t = f.topology();
        await(f.svc.startMigration(PortId.of(t.port()), HostId.of(t.b()), false));
        // a negative: nothing to await but the time past the deadline and a few checks (200, 400, 800 ms apart)
        MoveEntityFixture.sleep(MOVE_TIMEOUT.toMillis() + 2_000);
        assertThat(await(f.svc.getMigration(PortId.of(t.port()))).state()).isEqualTo(MigrationInfo.MIGRATING);
        assertThat(f.vlansOn(t.b())).isEqualTo(1);

        f.masterOf(t.b(), cookie -> StatusReply.success(new ActivationCount(2, 1)));
        MigrationInfo done = f.awaitState(t.port(), MigrationInfo.COMPLETED);
        assertThat(done.activatedBy()).isEqualTo(PortProtocol.Activate.BY_FLOW_COUNT);
        assertThat(await(f.svc.getPort(PortId.of(t.port()))).host()).isEqualTo(t.b());
    }

    /** Waits (15 s at most) until B's agent was asked {@code n} times. */
    private static double unansweredChecks() {
        return io.portmesh.sharding.metrics.NodeMetrics.get(f.testKit.system())
                .moveChecksUnanswered
                .get();
    }

    private static void awaitAsks(List<Long> askedAt, int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (askedAt.size() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("B's agent asked " + askedAt.size() + " times in 15 s, not " + n);
            }
            MoveEntityFixture.sleep(20);
        }
    }
}
