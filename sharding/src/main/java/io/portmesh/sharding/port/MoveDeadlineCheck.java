package io.portmesh.sharding.port;

import io.portmesh.sharding.EntityError;
import io.portmesh.sharding.Errors;
import io.portmesh.sharding.host.HostProtocol;
import io.portmesh.sharding.port.LogicalPortEntity.Event;
import io.portmesh.sharding.port.PortProtocol.Activate;
import io.portmesh.sharding.port.SelfMessage.ActivationCounted;
import io.portmesh.sharding.port.SelfMessage.MoveDeadline;
import io.portmesh.sharding.service.MigrationInfo;
import java.time.Duration;
import org.apache.pekko.persistence.typed.javadsl.Effect;

/**
 * What a move does at its deadline (docs/architecture.md section 7.1, row R): before it rolls back it asks the
 * destination B how many packets the port's activation flows matched on B's active agent
 * ({@link HostProtocol.CountActivation}). A VM whose RARP reached B's agent but whose packet-in was lost (the Host
 * entity unreachable at that instant, the connection dropping it) runs on B: rolling it back would point every peer at
 * A again while A no longer relays to B, and the VM would be cut off.
 *
 * <ul>
 *   <li>count &gt; 0: the move is activated ({@link Activate#BY_FLOW_COUNT}), with a warning (the packet-in was lost);
 *   <li>count 0 on a flow B's agent holds, or B says the port does not arrive there: rolled back as before;
 *   <li>no answer (no master connection, the ask or the flow-stats read timed out, or B's agent does not hold the
 *       flows: restarted and not pushed yet): the move stays MIGRATING and B is asked again after a backoff, never
 *       more than one ask at a time, each bounded by the ask timeout. Never rolled back without an answer: while
 *       MIGRATING every frame for the VM reaches it on A or B (the relay through A), so waiting only delays the end
 *       and holds B's VLAN; a rollback on no answer could strand a VM that runs on B. An operator ends such a move
 *       explicitly (DELETE or POST .../migration/complete).
 * </ul>
 *
 * The check persists nothing and the port is not busy while it runs: an activation or a request that comes meanwhile
 * goes on as usual, and an answer for a move that is no longer MIGRATING with that deadline is dropped. A restart
 * (the node died between the ask and the persist) re-arms the deadline from {@code MoveStarted.deadline}, already
 * past, and checks again: a flow's packet count only grows while the flow exists, so a second read can only find more.
 */
final class MoveDeadlineCheck {
    /** Unanswered checks of the move under way, for the backoff and to keep the warning from repeating each time. */
    private int unanswered;
    /** The deadline of the move {@link #unanswered} counts for. */
    private long countedFor;

    private final LogicalPortEntity port;

    MoveDeadlineCheck(LogicalPortEntity port) {
        this.port = port;
    }

    /** The deadline (or the next check after no answer): ask the destination for its activation flows' count. */
    Effect<Event, PortState> onDeadline(PortState s) {
        if (!s.isMoving() || !s.move().is(MigrationInfo.MIGRATING)) {
            return port.effects().none();
        }
        long deadline = s.move().deadline();
        String to = s.move().to();
        port.pipe(
                port.hostRef(to)
                        .<HostProtocol.ActivationCount>askWithStatus(
                                r -> new HostProtocol.CountActivation(StateIds.port(port.portId), r), port.askTimeout),
                (count, e) -> new ActivationCounted(deadline, count, e));
        return port.effects().none();
    }

    Effect<Event, PortState> onCounted(PortState s, ActivationCounted m) {
        if (!s.isMoving() || !s.move().is(MigrationInfo.MIGRATING) || s.move().deadline() != m.deadline()) {
            return port.effects().none(); // activated, taken back or replaced meanwhile
        }
        if (countedFor != m.deadline()) {
            countedFor = m.deadline();
            unanswered = 0;
        }
        boolean counted = m.error() == null && m.count().flows() > 0;
        if (counted && m.count().packets() > 0) {
            port.ctx
                    .getLog()
                    .warn(
                            "port {}: its move from host {} to {} was not activated within {} s, but host {}'s agent"
                                    + " counted {} packets of the VM on its activation flows: the VM runs there and"
                                    + " its packet-in was lost; activating the move",
                            port.portId,
                            s.host(),
                            s.move().to(),
                            port.moveTimeout.toSeconds(),
                            s.move().to(),
                            m.count().packets());
            port.turns.begin(RunningChange.move(MoveStart.moveChange(s), false, null));
            return port.moveEnd.activate(s, Activate.BY_FLOW_COUNT);
        }
        if (counted || (m.error() != null && Errors.is(m.error(), EntityError.Kind.CONFLICT))) {
            port.ctx
                    .getLog()
                    .warn(
                            "port {}: its move from host {} to {} was not activated within {} s ({}); rolling it back",
                            port.portId,
                            s.host(),
                            s.move().to(),
                            port.moveTimeout.toSeconds(),
                            counted ? "no packet of the VM on its activation flows there" : Errors.words(m.error()));
            port.turns.begin(RunningChange.move(MoveStart.moveChange(s), false, null));
            return port.moveEnd.unwind(s, MigrationInfo.ROLLED_BACK);
        }
        Duration wait = PortDeadlines.retryDelay(unanswered++);
        port.metrics.moveChecksUnanswered.inc();
        String why = m.error() != null ? Errors.words(m.error()) : "its agent does not hold the activation flows";
        if (unanswered == 1 || unanswered % 20 == 0) {
            port.ctx
                    .getLog()
                    .warn(
                            "port {}: its move to host {} is past its deadline, but that host cannot say whether the"
                                    + " VM runs there ({}; {} checks unanswered): the move stays MIGRATING, asked"
                                    + " again in {} ms",
                            port.portId,
                            s.move().to(),
                            why,
                            unanswered,
                            wait.toMillis());
        }
        port.timers.startSingleTimer(LogicalPortEntity.MOVE_DEADLINE, new MoveDeadline(), wait);
        return port.effects().none();
    }
}
