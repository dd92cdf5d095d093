package io.portmesh.sharding.port;

import io.portmesh.sharding.Errors;
import io.portmesh.sharding.Futures;
import io.portmesh.sharding.host.HostProtocol;
import io.portmesh.sharding.lswitch.SwitchProtocol;
import io.portmesh.sharding.port.LogicalPortEntity.Event;
import io.portmesh.sharding.port.LogicalPortEntity.MoveActivated;
import io.portmesh.sharding.port.LogicalPortEntity.MoveCompleted;
import io.portmesh.sharding.port.LogicalPortEntity.MoveRolledBack;
import io.portmesh.sharding.port.LogicalPortEntity.MoveUnwinding;
import io.portmesh.sharding.port.PortProtocol.Activate;
import io.portmesh.sharding.port.PortProtocol.CancelMove;
import io.portmesh.sharding.port.PortProtocol.CompleteMove;
import io.portmesh.sharding.port.PortProtocol.Request;
import io.portmesh.sharding.port.SelfMessage.ArrivalConfirmed;
import io.portmesh.sharding.port.SelfMessage.CleanupRealized;
import io.portmesh.sharding.port.SelfMessage.MoveHostReleased;
import io.portmesh.sharding.port.SelfMessage.MoveStepAgain;
import io.portmesh.sharding.port.SelfMessage.MoveSwitchTold;
import io.portmesh.sharding.port.SelfMessage.Unwind;
import io.portmesh.sharding.service.MigrationInfo;
import io.portmesh.sharding.service.Realization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;

/**
 * The end of a port's live move (the phase table is {@link MoveStart}'s): its activation (the VM's RARP/ARP on the
 * destination, or CompleteMove), or its taking back (CancelMove, a request that needs the move gone, the deadline),
 * then the steps of ACTIVATED and ROLLING_BACK: the switch binds the member to one host again, the other host lets
 * the port go, the destination confirms the arrival, and the move's last event. What its deadline does first is
 * {@link MoveDeadlineCheck}'s. Apart from {@link MoveStart} because
 * these steps, unlike the start's, are never given up: each is idempotent and retried with backoff until it succeeds,
 * while both hosts keep forwarding (the VM is on one of them, and every peer still sends to that one). No frame is
 * lost by a step that is slow; a host that misses a step only keeps a flow longer.
 */
final class MoveEnd {
    private final LogicalPortEntity port;
    /** The request that asked for the move under way to be taken back, to handle once it is ({@link #unwind}). */
    private Request<?> afterUnwind;
    /** Until when (nanoTime) {@link #afterUnwind}'s client still waits. */
    private long afterUnwindBy;

    MoveEnd(LogicalPortEntity port) {
        this.port = port;
    }

    private EffectFactories<Event, PortState> effect() {
        return port.effects();
    }

    /** The request waits in the stash while the move is taken back; then it is handled as usual. */
    Effect<Event, PortState> unwindThen(PortState s, Request<?> request, String endState) {
        port.turns.begin(RunningChange.move(MoveStart.moveChange(s), false, null));
        port.ctx.getSelf().tell(new Unwind(endState, request));
        return effect().none();
    }

    Effect<Event, PortState> onComplete(PortState s, CompleteMove c) {
        if (!s.isMoving() && s.move() != null && s.move().is(MigrationInfo.COMPLETED)) {
            // completed already (a retry, or the VM's RARP was first)
            return effect().reply(c.replyTo(), PortReplies.moveInfo(port.portId, s));
        }
        if (!s.isMoving() || !s.move().is(MigrationInfo.MIGRATING)) {
            return effect().reply(c.replyTo(), noMove(s, "complete"));
        }
        port.turns.startMove(s.move().to(), c.awaitRealized(), c.replyTo()::tell);
        return activate(s, Activate.BY_API);
    }

    Effect<Event, PortState> onCancel(PortState s, CancelMove c) {
        if (!s.isMoving()
                && s.move() != null
                && (s.move().is(MigrationInfo.CANCELLED) || s.move().is(MigrationInfo.ROLLED_BACK))) {
            // taken back already (a retry, or its deadline was first)
            return effect().reply(c.replyTo(), PortReplies.moveInfo(port.portId, s));
        }
        if (!s.isMoving() || !s.move().is(MigrationInfo.MIGRATING)) {
            return effect().reply(c.replyTo(), noMove(s, "cancel"));
        }
        port.turns.startMove(s.move().to(), c.awaitRealized(), c.replyTo()::tell);
        return unwind(s, MigrationInfo.CANCELLED);
    }

    Effect<Event, PortState> onActivate(PortState s, Activate a) {
        String on = a.host().value();
        if (!s.isMoving()
                || !s.move().is(MigrationInfo.MIGRATING)
                || !on.equals(s.move().to())) {
            boolean late = s.move() != null
                    && on.equals(s.move().to())
                    && !s.move().is(MigrationInfo.COMPLETED)
                    && !s.move().is(MigrationInfo.ACTIVATED);
            if (late) { // a VM that runs where its move was taken back from is cut off: say so
                port.ctx
                        .getLog()
                        .warn(
                                "port {}: its VM announced itself on host {} after its move there was {}; it stays"
                                        + " bound to {}: move it again",
                                port.portId,
                                a.host(),
                                s.move().phase(),
                                s.host());
            } else {
                port.ctx
                        .getLog()
                        .debug("port {}: activation from host {} ignored (no move there)", port.portId, a.host());
            }
            return effect().none();
        }
        port.turns.begin(RunningChange.move(MoveStart.moveChange(s), false, null));
        return activate(s, a.by());
    }

    /** The move under way is activated (by the VM's RARP, the API, or its activation flows' count at the deadline). */
    Effect<Event, PortState> activate(PortState s, String by) {
        port.timers.cancel(LogicalPortEntity.MOVE_DEADLINE);
        port.ctx
                .getLog()
                .info(
                        "port {}: move from host {} to {} activated by {}",
                        port.portId,
                        s.host(),
                        s.move().to(),
                        by);
        return effect().persist(new MoveActivated(by, MoveStart.now())).thenRun(this::tellSwitchTheEnd);
    }

    Effect<Event, PortState> unwind(PortState s, String endState) {
        return unwind(s, endState, null);
    }

    /** {@code then}: the request that asked for it, handled once the move is taken back (see {@link #unwindThen}). */
    Effect<Event, PortState> unwind(PortState s, String endState, Request<?> then) {
        if (then != null) {
            afterUnwind = then;
            afterUnwindBy = System.nanoTime() + port.askTimeout.toNanos();
        }
        if (!s.isMoving() || !s.move().is(MigrationInfo.MIGRATING)) {
            replayAfterUnwind();
            return port.turns.ending(effect().none()); // ended meanwhile: the request goes on
        }
        port.timers.cancel(LogicalPortEntity.MOVE_DEADLINE);
        return effect().persist(new MoveUnwinding(endState, MoveStart.now())).thenRun(this::tellSwitchTheEnd);
    }

    /** The switch binds the member to one host again: the destination once activated, else the source. */
    void tellSwitchTheEnd(PortState s) {
        PortMove mv = s.move();
        boolean activated = mv.is(MigrationInfo.ACTIVATED);
        String host = activated ? mv.to() : s.host();
        String tep = activated ? mv.toTunnelIp() : s.tunnelIp();
        // an activation always waits for the peers' agents: the time they all point at the destination is the move's
        // figure of merit (repointedAt), and the source lets the port go only after
        boolean await = port.turns.running().await || activated;
        port.pipe(
                port.switchRef(s.switchId())
                        .<SwitchProtocol.HostVersions>askWithStatus(
                                r -> new SwitchProtocol.SetBinding(
                                        StateIds.port(port.portId),
                                        StateIds.host(host),
                                        StateIds.ip(tep),
                                        null,
                                        await,
                                        r),
                                PortDeadlines.moveSwitchTimeout(port.askTimeout, port.realizeTimeout, await)),
                MoveSwitchTold::new);
    }

    Effect<Event, PortState> onSwitchTold(PortState s, MoveSwitchTold m) {
        if (!s.isMoving()) {
            return port.turns.ending(effect().none());
        }
        if (s.move().is(MigrationInfo.MIGRATING)) { // the start's (or a repeated start's) last step
            return port.moveStart.onMovingTold(s, m);
        }
        if (m.error() != null) {
            return retry(s, "its switch", m.error());
        }
        port.turns.running().realization = realization(m, port.turns.running());
        if (s.move().is(MigrationInfo.ACTIVATED) && m.versions().behind().isEmpty()) {
            port.turns.running().repointedAt = MoveStart.now();
        }
        // the peers point at one host again: the other one lets the port go
        String release =
                s.move().is(MigrationInfo.ACTIVATED) ? s.host() : s.move().to();
        // peers still behind may send the source frames for the port after its usual grace: it keeps the longer one
        boolean peersBehind =
                s.move().is(MigrationInfo.ACTIVATED) && !m.versions().behind().isEmpty();
        port.pipe(
                port.hostRef(release)
                        .<Long>askWithStatus(
                                r -> new HostProtocol.UnbindPort(StateIds.port(port.portId), peersBehind, r),
                                port.askTimeout),
                (v, e) -> new MoveHostReleased(release, v, e));
        return effect().none();
    }

    Effect<Event, PortState> onHostReleased(PortState s, MoveHostReleased m) {
        if (!s.isMoving()) {
            return port.turns.ending(effect().none());
        }
        if (m.error() != null) {
            return retry(s, "the host it leaves", m.error());
        }
        port.turns.running().versions.put(m.host(), m.version());
        if (s.move().is(MigrationInfo.ACTIVATED)) {
            String to = s.move().to();
            port.pipe(
                    port.hostRef(s.move().to())
                            .<Long>askWithStatus(
                                    r -> new HostProtocol.ConfirmArrival(StateIds.port(port.portId), r),
                                    port.askTimeout),
                    (v, e) -> new ArrivalConfirmed(to, v, e));
            return effect().none();
        }
        return awaitCleanupThenEnd(s);
    }

    Effect<Event, PortState> onArrivalConfirmed(PortState s, ArrivalConfirmed m) {
        if (!s.isMoving()) {
            return port.turns.ending(effect().none());
        }
        if (m.error() != null) {
            return retry(s, "the host it moves to", m.error());
        }
        port.turns.running().versions.put(m.host(), m.version());
        return awaitCleanupThenEnd(s);
    }

    /**
     * With awaitRealized, the answer also waits for the agents of the hosts that let the port go or confirmed it (the
     * switch's fan-out did not cover those steps): a host whose agents did not acknowledge in time is named behind.
     */
    private Effect<Event, PortState> awaitCleanupThenEnd(PortState s) {
        if (!port.turns.running().await || port.turns.running().versions.isEmpty()) {
            return endNow(s);
        }
        Map<String, Long> versions = Map.copyOf(port.turns.running().versions);
        List<CompletableFuture<String>> asks = new ArrayList<>();
        versions.forEach((host, version) -> asks.add(Futures.on(
                        port.hostRef(host)
                                .<HostProtocol.Applied>askWithStatus(
                                        r -> new HostProtocol.AwaitRealized(version, r),
                                        port.askTimeout.plus(port.realizeTimeout)),
                        port.ctx.getExecutionContext())
                .handle((a, e) -> e == null && a.realized() ? null : host)
                .toCompletableFuture()));
        port.pipe(
                CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
                        .thenApply(x -> asks.stream()
                                .map(CompletableFuture::join)
                                .filter(java.util.Objects::nonNull)
                                .sorted()
                                .toList()),
                (behind, e) -> new CleanupRealized(behind == null ? List.copyOf(versions.keySet()) : behind));
        return effect().none();
    }

    Effect<Event, PortState> onCleanupRealized(PortState s, CleanupRealized m) {
        if (!s.isMoving()) {
            return port.turns.ending(effect().none());
        }
        List<String> behind = new ArrayList<>(port.turns.running().realization.pendingHosts());
        m.behind().stream().filter(h -> !behind.contains(h)).forEach(behind::add);
        behind.sort(null);
        port.turns.running().realization = new Realization(true, behind.isEmpty(), List.copyOf(behind));
        return endNow(s);
    }

    private Effect<Event, PortState> endNow(PortState s) {
        return end(
                s,
                s.move().is(MigrationInfo.ACTIVATED)
                        ? new MoveCompleted(MoveStart.now(), port.turns.running().repointedAt)
                        : new MoveRolledBack(MoveStart.now()));
    }

    private Effect<Event, PortState> end(PortState s, Event ended) {
        PortMove before = s.move();
        Realization r = port.turns.running().realization;
        return port.turns.ending(effect().persist(ended).thenRun(ns -> {
            PortMove mv = ns.move();
            String outcome = mv.is(MigrationInfo.COMPLETED)
                    ? (Activate.BY_API.equals(mv.activatedBy()) ? "completed_by_api" : "activated")
                    : mv.phase().toLowerCase(java.util.Locale.ROOT);
            port.metrics.moves.labelValues(outcome).inc();
            if (before.activatedAt() > 0) {
                port.metrics.moveSeconds.labelValues("activation").observe((mv.endedAt() - before.activatedAt()) / 1e3);
            }
            port.metrics.moveSeconds.labelValues("total").observe((mv.endedAt() - mv.startedAt()) / 1e3);
            port.ctx
                    .getLog()
                    .info("port {}: move from host {} to {} ended {}", port.portId, mv.from(), mv.to(), outcome);
            port.turns.running().answerMove(StatusReply.success(mv.info(port.portId, r)));
            replayAfterUnwind();
        }));
    }

    /**
     * The request that asked for the move to be taken back goes on now, if its client still waits; else its client
     * was told the change did not finish in time, and it is not made behind the client's back.
     */
    private void replayAfterUnwind() {
        Request<?> then = afterUnwind;
        afterUnwind = null;
        if (then == null) {
            return;
        }
        if (System.nanoTime() < afterUnwindBy) {
            port.ctx.getSelf().tell(then);
        } else {
            port.ctx
                    .getLog()
                    .warn(
                            "port {}: a request waited for its move to be taken back past its client's wait; dropped",
                            port.portId);
            then.replyTo()
                    .tell(Errors.unavailable("port " + port.portId + " took its move back first, which took longer"
                            + " than the client waits; the request was not made: retry it"));
        }
    }

    /** A step of ACTIVATED or ROLLING_BACK failed: it is tried again, with backoff, until it succeeds. */
    private Effect<Event, PortState> retry(PortState s, String who, Throwable error) {
        Duration wait = PortDeadlines.retryDelay(port.turns.running().hostAttempts++);
        port.ctx
                .getLog()
                .warn(
                        "port {}: {} did not take the move's step ({}); trying again in {} ms",
                        port.portId,
                        who,
                        Errors.describe(error),
                        wait.toMillis());
        port.timers.startSingleTimer(LogicalPortEntity.RETRY, new MoveStepAgain(), wait);
        return effect().none();
    }

    /** The failed step again: the whole end of the move from its switch step (each step is idempotent). */
    Effect<Event, PortState> stepAgain(PortState s) {
        if (s.isMoving() && !s.move().is(MigrationInfo.MIGRATING)) {
            tellSwitchTheEnd(s);
        }
        return effect().none();
    }

    // ---- helpers

    /** How far a move's switch step got, for its answer: only what was awaited. */
    static Realization realization(MoveSwitchTold m, RunningChange running) {
        if (m.versions() == null || !running.await) {
            return Realization.NOT_WAITED;
        }
        var behind = m.versions().behind();
        return new Realization(true, behind.isEmpty(), behind);
    }

    private StatusReply<MigrationInfo> noMove(PortState s, String what) {
        if (!s.exists()) {
            return PortReplies.noPort(port.portId);
        }
        return Errors.conflict("port " + port.portId + " has no move under way to " + what
                + (s.move() == null ? "" : " (its last move is " + s.move().phase() + ")"));
    }
}
