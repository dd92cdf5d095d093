package io.portmesh.sharding.port;

import io.portmesh.sharding.Errors;
import io.portmesh.sharding.host.HostProtocol;
import io.portmesh.sharding.lswitch.SwitchProtocol;
import io.portmesh.sharding.port.LogicalPortEntity.ChangeAbandoned;
import io.portmesh.sharding.port.LogicalPortEntity.ChangeStarted;
import io.portmesh.sharding.port.LogicalPortEntity.Event;
import io.portmesh.sharding.port.LogicalPortEntity.MoveStarted;
import io.portmesh.sharding.port.PortProtocol.Bind;
import io.portmesh.sharding.port.PortProtocol.Move;
import io.portmesh.sharding.port.PortProtocol.Request;
import io.portmesh.sharding.port.SelfMessage.HostBound;
import io.portmesh.sharding.port.SelfMessage.HostUnbound;
import io.portmesh.sharding.port.SelfMessage.MoveDeadline;
import io.portmesh.sharding.port.SelfMessage.MoveSwitchTold;
import io.portmesh.sharding.port.SelfMessage.TellMovingAgain;
import io.portmesh.sharding.service.MigrationInfo;
import io.portmesh.sharding.service.Realization;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;

/**
 * The start of a port's live move (docs/architecture.md section 7.1), run by its {@link LogicalPortEntity}: the
 * requests that start one (a Move, a Bind to another host), PREPARING (the destination's VLAN and flows) and MIGRATING
 * (the switch tells every host to send to both), and the resumption of a move after a restart ({@link #resume}). The
 * end of a move, its activation or its taking back, is {@link MoveEnd}'s. Every step that another entity must take
 * has a persisted event before it, so that the port's end anywhere leaves the move resumable from its state.
 *
 * <pre>
 * phase (persisted)     on                        then
 * BOUND(A)              Move(B)                   ChangeStarted(MoveTo B) -> PREPARING; ask B BindPort(arriving)
 * PREPARING             B bound it (VLAN V_B)     MoveStarted -> MIGRATING; SetMoving(A, B) to the switch: every
 *                                                 host sends to both A and B; the answer carries V_B
 *                       B refused                 ChangeAbandoned -> BOUND(A); the error to the client
 *                       no answer, or restart     503; UnbindPort at B until it answers; ChangeAbandoned
 * MIGRATING             RARP/ARP of the VM on B,  MoveActivated -> ACTIVATED
 *                       or CompleteMove
 *                       CancelMove, Unbind,       MoveUnwinding(CANCELLED) -> ROLLING_BACK (then the request)
 *                       Delete, Move(elsewhere)
 *                       the move's deadline       ask B for its activation flows' packet count (MoveDeadlineCheck):
 *                                                 some: MoveActivated -> ACTIVATED; none: MoveUnwinding(ROLLED_BACK)
 *                                                 -> ROLLING_BACK; no answer: stays MIGRATING, asked again
 * ACTIVATED             (go on)                   SetBinding(B) to the switch (peers: B only), UnbindPort at A,
 *                                                 ConfirmArrival at B; MoveCompleted -> BOUND(B)
 * ROLLING_BACK          (go on)                   SetBinding(A) to the switch (peers: A only), UnbindPort at B;
 *                                                 MoveRolledBack -> BOUND(A)
 * </pre>
 */
final class MoveStart {
    private static final String TELL_MOVING = "tell-moving";

    private final LogicalPortEntity port;
    /** Failed attempts to tell the switch of the move's start in a row (for the backoff). */
    private int movingAttempts;

    MoveStart(LogicalPortEntity port) {
        this.port = port;
    }

    private EffectFactories<Event, PortState> effect() {
        return port.effects();
    }

    Effect<Event, PortState> onMove(PortState s, Move c) {
        return onMove(s, c, c.replyTo()::tell, c);
    }

    /** {@code request}: what the client sent (a Move, or a Bind to another host), to wait again if need be. */
    Effect<Event, PortState> onMove(
            PortState s, Move c, Consumer<StatusReply<MigrationInfo>> client, Request<?> request) {
        if (!s.exists()) {
            return reply(client, PortReplies.noPort(port.portId));
        }
        if (s.isLeaving()) {
            return reply(client, Errors.conflict("port " + port.portId + " is being deleted"));
        }
        if (!s.isBound()) {
            return reply(
                    client,
                    Errors.invalid(
                            "port",
                            "port " + port.portId + " is not bound: a move takes a bound port to another host;"
                                    + " bind it instead (PUT /v1/ports/" + port.portId + "/binding)"));
        }
        String to = c.host().value();
        if (s.isMoving()) { // MIGRATING: the other phases run steps and keep requests waiting
            if (to.equals(s.move().to())) { // a repeated request: tell the switch again, answer the move
                port.turns.startMove(to, c.awaitRealized(), client);
                tellSwitchMoving(s);
                return effect().none();
            }
            // elsewhere (back to the source: a cancel; or on to a third host): take this move back first
            return port.moveEnd.unwindThen(s, request, MigrationInfo.CANCELLED);
        }
        if (to.equals(s.host())) { // on that host already: nothing to move
            return reply(client, StatusReply.success(notMoved(s)));
        }
        port.turns.startMove(to, c.awaitRealized(), client);
        return effect().persist(new ChangeStarted(new PortChange.MoveTo(to, now()), RequestIds.of(request)))
                .thenRun(this::askDestination);
    }

    /** A Bind while a move is under way: to the destination, the move's answer; to the source, a conflict. */
    Effect<Event, PortState> bindWhileMoving(PortState s, Bind c) {
        if (c.host().value().equals(s.move().to())) {
            return onMove(s, new Move(c.host(), c.awaitRealized(), null), PortReplies.asBinding(c), c);
        }
        if (c.host().value().equals(s.host())) {
            return effect().reply(
                            c.replyTo(),
                            Errors.conflict("port " + port.portId + " is moving from host " + s.host() + " to "
                                    + s.move().to() + "; cancel the move (DELETE /v1/ports/" + port.portId
                                    + "/migration) to keep it on " + s.host()));
        }
        return onMove(s, new Move(c.host(), c.awaitRealized(), null), PortReplies.asBinding(c), c);
    }

    // ---- PREPARING

    private void askDestination(PortState s) {
        port.pipe(
                port.hostRef(s.move().to())
                        .<HostProtocol.Bound>askWithStatus(
                                r -> StateIds.bindPort(port.portId, s, true, r), port.askTimeout),
                HostBound::new);
    }

    /** The destination answered the PREPARING step; a lost answer is rolled back as a lost bind is. */
    Effect<Event, PortState> onDestinationReady(PortState s, HostBound m) {
        PortChange.MoveTo to = (PortChange.MoveTo) s.pending();
        if (m.error() == null) {
            HostProtocol.Bound b = m.bound();
            port.metrics.moveSeconds.labelValues("prepare").observe((now() - to.requestedAt()) / 1000.0);
            return effect().persist(new MoveStarted(
                            to.host(), b.vlan().value(), b.tunnelIp().toString(), now() + port.moveTimeout.toMillis()))
                    .thenRun(ns -> {
                        port.ctx
                                .getLog()
                                .info(
                                        "port {}: moving from host {} to {} (VLAN {} there); frames go to both until"
                                                + " its VM announces itself there, or until {}",
                                        port.portId,
                                        ns.host(),
                                        ns.move().to(),
                                        ns.move().toVlan(),
                                        java.time.Instant.ofEpochMilli(ns.move().deadline()));
                        armDeadline(ns);
                        tellSwitchMoving(ns);
                    });
        }
        if (Errors.isEntityError(m.error())) { // refused (no free VLAN, unknown host): nothing was bound there
            return port.turns.ending(effect().persist(new ChangeAbandoned())
                    .thenRun(ns -> port.turns.running().answerMove(Errors.passOn(m.error()))));
        }
        port.turns
                .running()
                .answerMove(Errors.unavailable("moving port " + port.portId + " to host " + to.host()
                        + " was not started: the host did not answer within " + port.askTimeout.toMillis()
                        + " ms. It is being taken back; the port stays on host " + s.host()
                        + "; the request may be retried."));
        port.pipe(
                port.hostRef(to.host())
                        .<Long>askWithStatus(
                                r -> new HostProtocol.UnbindPort(StateIds.port(port.portId), false, r),
                                port.askTimeout),
                HostUnbound::new);
        return effect().none();
    }

    // ---- MIGRATING

    private void tellSwitchMoving(PortState s) {
        PortMove mv = s.move();
        boolean await = port.turns.running().await;
        port.pipe(
                port.switchRef(s.switchId())
                        .<SwitchProtocol.HostVersions>askWithStatus(
                                r -> new SwitchProtocol.SetMoving(
                                        StateIds.port(port.portId),
                                        StateIds.host(s.host()),
                                        StateIds.ip(s.tunnelIp()),
                                        StateIds.host(mv.to()),
                                        StateIds.ip(mv.toTunnelIp()),
                                        await,
                                        r),
                                PortDeadlines.moveSwitchTimeout(port.askTimeout, port.realizeTimeout, await)),
                MoveSwitchTold::new);
    }

    /** The switch is told of the move's start again, unless the move went on meanwhile. */
    Effect<Event, PortState> tellMovingAgain(PortState s) {
        if (!s.isMoving() || !s.move().is(MigrationInfo.MIGRATING)) {
            return effect().none();
        }
        if (port.turns.busy()) { // a step runs: look again after it
            port.timers.startSingleTimer(TELL_MOVING, new TellMovingAgain(), PortDeadlines.retryDelay(movingAttempts));
            return effect().none();
        }
        port.turns.begin(RunningChange.move(moveChange(s), false, null));
        tellSwitchMoving(s);
        return effect().none();
    }

    private void armDeadline(PortState s) {
        long left = Math.max(0, s.move().deadline() - now());
        port.timers.startSingleTimer(LogicalPortEntity.MOVE_DEADLINE, new MoveDeadline(), Duration.ofMillis(left));
    }

    /** The switch answered the move's start (or a repeated start): its last step. */
    Effect<Event, PortState> onMovingTold(PortState s, MoveSwitchTold m) {
        if (m.error() != null) {
            // until the switch knows, its hosts send to the source only: tell it again, not busy meanwhile
            Duration wait = PortDeadlines.retryDelay(movingAttempts++);
            port.turns
                    .running()
                    .answerMove(Errors.unavailable("port " + port.portId + " is moving to host "
                            + s.move().to() + " but its switch did not confirm it (" + Errors.words(m.error())
                            + "); it is told again in " + wait.toMillis() + " ms"));
            port.timers.startSingleTimer(TELL_MOVING, new TellMovingAgain(), wait);
        } else {
            movingAttempts = 0;
            port.turns
                    .running()
                    .answerMove(StatusReply.success(
                            s.move().info(port.portId, MoveEnd.realization(m, port.turns.running()))));
        }
        return port.turns.ending(effect().none());
    }

    /**
     * The port started again in the middle of a move. MIGRATING: the deadline is armed again and the switch told
     * again (its hosts may have missed it). ACTIVATED and ROLLING_BACK: the end goes on from its first step.
     */
    void resume(PortState s) {
        port.ctx
                .getLog()
                .info(
                        "port {}: resuming its move to host {} ({})",
                        port.portId,
                        s.move().to(),
                        s.move().phase());
        port.turns.begin(RunningChange.move(moveChange(s), false, null));
        if (s.move().is(MigrationInfo.MIGRATING)) {
            armDeadline(s);
            tellSwitchMoving(s);
        } else {
            port.moveEnd.tellSwitchTheEnd(s);
        }
    }

    // ---- helpers

    /** What a move's client hears when the step runs past its wait. */
    static PortChange moveChange(PortState s) {
        return new PortChange.MoveTo(
                s.move() == null ? "another host" : s.move().to(), 0);
    }

    private MigrationInfo notMoved(PortState s) {
        return MigrationInfo.notMoved(port.portId, s.host(), s.vlan(), Realization.NOT_WAITED);
    }

    private Effect<Event, PortState> reply(
            Consumer<StatusReply<MigrationInfo>> client, StatusReply<MigrationInfo> reply) {
        client.accept(reply);
        return effect().none();
    }

    static long now() {
        return System.currentTimeMillis();
    }
}
