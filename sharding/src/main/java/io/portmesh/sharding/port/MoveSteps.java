package io.portmesh.sharding.port;

import io.portmesh.sharding.Errors;
import io.portmesh.sharding.Futures;
import io.portmesh.sharding.host.HostEntity;
import io.portmesh.sharding.lswitch.LogicalSwitchEntity;
import io.portmesh.sharding.port.LogicalPortEntity.Event;
import io.portmesh.sharding.service.MigrationInfo;
import io.portmesh.sharding.service.Realization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;

/**
 * The steps of a port's live move (docs/architecture.md section 7.1), run by its {@link LogicalPortEntity}: one
 * persisted event before every step that another entity must take, so that the port's end anywhere leaves the move
 * resumable from its state ({@link #resume}).
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
 *                       the move's deadline       MoveUnwinding(ROLLED_BACK) -> ROLLING_BACK
 * ACTIVATED             (go on)                   SetBinding(B) to the switch (peers: B only), UnbindPort at A,
 *                                                 ConfirmArrival at B; MoveCompleted -> BOUND(B)
 * ROLLING_BACK          (go on)                   SetBinding(A) to the switch (peers: A only), UnbindPort at B;
 *                                                 MoveRolledBack -> BOUND(A)
 * </pre>
 *
 * Steps of ACTIVATED and ROLLING_BACK are idempotent and retried with backoff until they succeed: both hosts keep
 * forwarding meanwhile (the VM is on one of them, and every peer still sends to that one). No frame is lost by a
 * step that is slow; a host that misses a step only keeps a flow longer.
 */
final class MoveSteps {
    private static final String TELL_MOVING = "tell-moving";

    private final LogicalPortEntity port;
    /** Failed attempts to tell the switch of the move's start in a row (for the backoff). */
    private int movingAttempts;
    /** The request that asked for the move under way to be taken back, to handle once it is ({@link #unwind}). */
    private LogicalPortEntity.Request<?> afterUnwind;
    /** Until when (nanoTime) {@link #afterUnwind}'s client still waits. */
    private long afterUnwindBy;

    MoveSteps(LogicalPortEntity port) {
        this.port = port;
    }

    private EffectFactories<Event, PortState> effect() {
        return port.effects();
    }

    /** A Bind to another host is a move; its client hears the binding (the VLAN on the new host). */
    static Consumer<StatusReply<MigrationInfo>> asBinding(LogicalPortEntity.Bind bind) {
        return reply -> bind.replyTo()
                .tell(
                        reply.isSuccess()
                                ? StatusReply.success(new LogicalPortEntity.Outcome(
                                        reply.getValue().to(),
                                        reply.getValue().toVlan() == null
                                                ? 0
                                                : reply.getValue().toVlan(),
                                        Map.of(),
                                        reply.getValue().realization() == null
                                                ? java.util.List.of()
                                                : reply.getValue().realization().pendingHosts()))
                                : StatusReply.error(reply.getError()));
    }

    StatusReply<MigrationInfo> info(PortState s) {
        if (!s.exists()) {
            return Errors.notFound("no port " + port.portId);
        }
        if (s.move() == null) {
            return Errors.notFound("port " + port.portId + " has not moved");
        }
        return StatusReply.success(s.move().info(port.portId, Realization.NOT_WAITED));
    }

    Effect<Event, PortState> onMove(PortState s, LogicalPortEntity.Move c) {
        return onMove(s, c, c.replyTo()::tell, c);
    }

    /** {@code request}: what the client sent (a Move, or a Bind to another host), to wait again if need be. */
    Effect<Event, PortState> onMove(
            PortState s,
            LogicalPortEntity.Move c,
            Consumer<StatusReply<MigrationInfo>> client,
            LogicalPortEntity.Request<?> request) {
        if (!s.exists()) {
            return reply(client, Errors.notFound("no port " + port.portId));
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
                startStep(to, c.awaitRealized(), client);
                tellSwitchMoving(s);
                return effect().none();
            }
            // elsewhere (back to the source: a cancel; or on to a third host): take this move back first
            return unwindThen(s, request, MigrationInfo.CANCELLED);
        }
        if (to.equals(s.host())) { // on that host already: nothing to move
            return reply(client, StatusReply.success(notMoved(s)));
        }
        startStep(to, c.awaitRealized(), client);
        return effect().persist(new LogicalPortEntity.ChangeStarted(new PortChange.MoveTo(to, now())))
                .thenRun(this::askDestination);
    }

    /** A Bind while a move is under way: to the destination, the move's answer; to the source, a conflict. */
    Effect<Event, PortState> bindWhileMoving(PortState s, LogicalPortEntity.Bind c) {
        if (c.host().value().equals(s.move().to())) {
            return onMove(s, new LogicalPortEntity.Move(c.host(), c.awaitRealized(), null), asBinding(c), c);
        }
        if (c.host().value().equals(s.host())) {
            return effect().reply(
                            c.replyTo(),
                            Errors.conflict("port " + port.portId + " is moving from host " + s.host() + " to "
                                    + s.move().to() + "; cancel the move (DELETE /v1/ports/" + port.portId
                                    + "/migration) to keep it on " + s.host()));
        }
        return onMove(s, new LogicalPortEntity.Move(c.host(), c.awaitRealized(), null), asBinding(c), c);
    }

    /** The request waits in the stash while the move is taken back; then it is handled as usual. */
    Effect<Event, PortState> unwindThen(PortState s, LogicalPortEntity.Request<?> request, String endState) {
        port.turns.begin(RunningChange.move(moveChange(s), false, null));
        port.ctx.getSelf().tell(new SelfMessage.Unwind(endState, request));
        return effect().none();
    }

    Effect<Event, PortState> onComplete(PortState s, LogicalPortEntity.CompleteMove c) {
        if (!s.isMoving() && s.move() != null && s.move().is(MigrationInfo.COMPLETED)) {
            return effect().reply(c.replyTo(), info(s)); // completed already (a retry, or the VM's RARP was first)
        }
        if (!s.isMoving() || !s.move().is(MigrationInfo.MIGRATING)) {
            return effect().reply(c.replyTo(), noMove(s, "complete"));
        }
        startStep(s.move().to(), c.awaitRealized(), c.replyTo()::tell);
        return activate(s, LogicalPortEntity.Activate.BY_API);
    }

    Effect<Event, PortState> onCancel(PortState s, LogicalPortEntity.CancelMove c) {
        if (!s.isMoving()
                && s.move() != null
                && (s.move().is(MigrationInfo.CANCELLED) || s.move().is(MigrationInfo.ROLLED_BACK))) {
            return effect().reply(c.replyTo(), info(s)); // taken back already (a retry, or its deadline was first)
        }
        if (!s.isMoving() || !s.move().is(MigrationInfo.MIGRATING)) {
            return effect().reply(c.replyTo(), noMove(s, "cancel"));
        }
        startStep(s.move().to(), c.awaitRealized(), c.replyTo()::tell);
        return unwind(s, MigrationInfo.CANCELLED);
    }

    Effect<Event, PortState> onActivate(PortState s, LogicalPortEntity.Activate a) {
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
        port.turns.begin(RunningChange.move(moveChange(s), false, null));
        return activate(s, a.by());
    }

    Effect<Event, PortState> onDeadline(PortState s) {
        if (!s.isMoving() || !s.move().is(MigrationInfo.MIGRATING)) {
            return effect().none();
        }
        port.ctx
                .getLog()
                .warn(
                        "port {}: its move from host {} to {} was not activated within {} s; rolling it back",
                        port.portId,
                        s.host(),
                        s.move().to(),
                        port.moveTimeout.toSeconds());
        port.turns.begin(RunningChange.move(moveChange(s), false, null));
        return unwind(s, MigrationInfo.ROLLED_BACK);
    }

    // ---- PREPARING

    private void askDestination(PortState s) {
        port.pipe(
                port.hostRef(s.move().to())
                        .<HostEntity.Bound>askWithStatus(
                                r -> new HostEntity.BindPort(port.portId, s.mac(), s.switchId(), s.vni(), true, r),
                                port.askTimeout),
                SelfMessage.HostBound::new);
    }

    /** The destination answered the PREPARING step; a lost answer is rolled back as a lost bind is. */
    Effect<Event, PortState> onDestinationReady(PortState s, SelfMessage.HostBound m) {
        PortChange.MoveTo to = (PortChange.MoveTo) s.pending();
        if (m.error() == null) {
            HostEntity.Bound b = m.bound();
            port.metrics.moveSeconds.labelValues("prepare").observe((now() - to.requestedAt()) / 1000.0);
            return effect().persist(new LogicalPortEntity.MoveStarted(
                            to.host(), b.vlan(), b.tunnelIp(), now() + port.moveTimeout.toMillis()))
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
            return port.turns.ending(effect().persist(new LogicalPortEntity.ChangeAbandoned())
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
                        .<Long>askWithStatus(r -> new HostEntity.UnbindPort(port.portId, r), port.askTimeout),
                SelfMessage.HostUnbound::new);
        return effect().none();
    }

    // ---- MIGRATING

    private void tellSwitchMoving(PortState s) {
        PortMove mv = s.move();
        boolean await = port.turns.running().await;
        port.pipe(
                port.switchRef(s.switchId())
                        .<LogicalSwitchEntity.HostVersions>askWithStatus(
                                r -> new LogicalSwitchEntity.SetMoving(
                                        port.portId, s.host(), s.tunnelIp(), mv.to(), mv.toTunnelIp(), await, r),
                                switchTimeout(await)),
                SelfMessage.MoveSwitchTold::new);
    }

    /** The switch is told of the move's start again, unless the move went on meanwhile. */
    Effect<Event, PortState> tellMovingAgain(PortState s) {
        if (!s.isMoving() || !s.move().is(MigrationInfo.MIGRATING)) {
            return effect().none();
        }
        if (port.turns.busy()) { // a step runs: look again after it
            port.timers.startSingleTimer(
                    TELL_MOVING, new SelfMessage.TellMovingAgain(), PortDeadlines.retryDelay(movingAttempts));
            return effect().none();
        }
        port.turns.begin(RunningChange.move(moveChange(s), false, null));
        tellSwitchMoving(s);
        return effect().none();
    }

    private void armDeadline(PortState s) {
        long left = Math.max(0, s.move().deadline() - now());
        port.timers.startSingleTimer(
                LogicalPortEntity.MOVE_DEADLINE, new SelfMessage.MoveDeadline(), Duration.ofMillis(left));
    }

    // ---- ACTIVATED and ROLLING_BACK

    private Effect<Event, PortState> activate(PortState s, String by) {
        port.timers.cancel(LogicalPortEntity.MOVE_DEADLINE);
        port.ctx
                .getLog()
                .info(
                        "port {}: move from host {} to {} activated by {}",
                        port.portId,
                        s.host(),
                        s.move().to(),
                        by);
        return effect().persist(new LogicalPortEntity.MoveActivated(by, now())).thenRun(this::tellSwitchTheEnd);
    }

    Effect<Event, PortState> unwind(PortState s, String endState) {
        return unwind(s, endState, null);
    }

    /** {@code then}: the request that asked for it, handled once the move is taken back (see {@link #unwindThen}). */
    Effect<Event, PortState> unwind(PortState s, String endState, LogicalPortEntity.Request<?> then) {
        if (then != null) {
            afterUnwind = then;
            afterUnwindBy = System.nanoTime() + port.askTimeout.toNanos();
        }
        if (!s.isMoving() || !s.move().is(MigrationInfo.MIGRATING)) {
            replayAfterUnwind();
            return port.turns.ending(effect().none()); // ended meanwhile: the request goes on
        }
        port.timers.cancel(LogicalPortEntity.MOVE_DEADLINE);
        return effect().persist(new LogicalPortEntity.MoveUnwinding(endState, now()))
                .thenRun(this::tellSwitchTheEnd);
    }

    /** The switch binds the member to one host again: the destination once activated, else the source. */
    private void tellSwitchTheEnd(PortState s) {
        PortMove mv = s.move();
        boolean activated = mv.is(MigrationInfo.ACTIVATED);
        String host = activated ? mv.to() : s.host();
        String tep = activated ? mv.toTunnelIp() : s.tunnelIp();
        // an activation always waits for the peers' agents: the time they all point at the destination is the move's
        // figure of merit (repointedAt), and the source lets the port go only after
        boolean await = port.turns.running().await || activated;
        port.pipe(
                port.switchRef(s.switchId())
                        .<LogicalSwitchEntity.HostVersions>askWithStatus(
                                r -> new LogicalSwitchEntity.SetBinding(port.portId, host, tep, null, await, r),
                                switchTimeout(await)),
                SelfMessage.MoveSwitchTold::new);
    }

    Effect<Event, PortState> onSwitchTold(PortState s, SelfMessage.MoveSwitchTold m) {
        if (!s.isMoving()) {
            return port.turns.ending(effect().none());
        }
        if (s.move().is(MigrationInfo.MIGRATING)) { // the start's (or a repeated start's) last step
            if (m.error() != null) {
                // until the switch knows, its hosts send to the source only: tell it again, not busy meanwhile
                Duration wait = PortDeadlines.retryDelay(movingAttempts++);
                port.turns
                        .running()
                        .answerMove(Errors.unavailable("port " + port.portId + " is moving to host "
                                + s.move().to() + " but its switch did not confirm it (" + Errors.words(m.error())
                                + "); it is told again in " + wait.toMillis() + " ms"));
                port.timers.startSingleTimer(TELL_MOVING, new SelfMessage.TellMovingAgain(), wait);
            } else {
                movingAttempts = 0;
                port.turns.running().answerMove(StatusReply.success(s.move().info(port.portId, realization(m))));
            }
            return port.turns.ending(effect().none());
        }
        if (m.error() != null) {
            return retry(s, "its switch", m.error());
        }
        port.turns.running().realization = realization(m);
        if (s.move().is(MigrationInfo.ACTIVATED) && m.versions().behind().isEmpty()) {
            port.turns.running().repointedAt = now();
        }
        // the peers point at one host again: the other one lets the port go
        String release =
                s.move().is(MigrationInfo.ACTIVATED) ? s.host() : s.move().to();
        port.pipe(
                port.hostRef(release)
                        .<Long>askWithStatus(r -> new HostEntity.UnbindPort(port.portId, r), port.askTimeout),
                (v, e) -> new SelfMessage.MoveHostReleased(release, v, e));
        return effect().none();
    }

    Effect<Event, PortState> onHostReleased(PortState s, SelfMessage.MoveHostReleased m) {
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
                            .<Long>askWithStatus(r -> new HostEntity.ConfirmArrival(port.portId, r), port.askTimeout),
                    (v, e) -> new SelfMessage.ArrivalConfirmed(to, v, e));
            return effect().none();
        }
        return awaitCleanupThenEnd(s);
    }

    Effect<Event, PortState> onArrivalConfirmed(PortState s, SelfMessage.ArrivalConfirmed m) {
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
                                .<HostEntity.Applied>askWithStatus(
                                        r -> new HostEntity.AwaitRealized(version, r),
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
                (behind, e) ->
                        new SelfMessage.CleanupRealized(behind == null ? List.copyOf(versions.keySet()) : behind));
        return effect().none();
    }

    Effect<Event, PortState> onCleanupRealized(PortState s, SelfMessage.CleanupRealized m) {
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
                        ? new LogicalPortEntity.MoveCompleted(now(), port.turns.running().repointedAt)
                        : new LogicalPortEntity.MoveRolledBack(now()));
    }

    private Effect<Event, PortState> end(PortState s, Event ended) {
        PortMove before = s.move();
        Realization r = port.turns.running().realization;
        return port.turns.ending(effect().persist(ended).thenRun(ns -> {
            PortMove mv = ns.move();
            String outcome = mv.is(MigrationInfo.COMPLETED)
                    ? (LogicalPortEntity.Activate.BY_API.equals(mv.activatedBy()) ? "completed_by_api" : "activated")
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
        LogicalPortEntity.Request<?> then = afterUnwind;
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
        port.timers.startSingleTimer(LogicalPortEntity.RETRY, new SelfMessage.MoveStepAgain(), wait);
        return effect().none();
    }

    /** The failed step again: the whole end of the move from its switch step (each step is idempotent). */
    Effect<Event, PortState> stepAgain(PortState s) {
        if (s.isMoving() && !s.move().is(MigrationInfo.MIGRATING)) {
            tellSwitchTheEnd(s);
        }
        return effect().none();
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
            tellSwitchTheEnd(s);
        }
    }

    // ---- helpers

    private void startStep(String to, boolean await, Consumer<StatusReply<MigrationInfo>> client) {
        port.turns.startMove(to, await, client);
    }

    /** What a move's client hears when the step runs past its wait. */
    private static PortChange moveChange(PortState s) {
        return new PortChange.MoveTo(
                s.move() == null ? "another host" : s.move().to(), 0);
    }

    /** How long the port waits for its switch's answer: {@link PortDeadlines#moveSwitchTimeout}. */
    private Duration switchTimeout(boolean await) {
        return PortDeadlines.moveSwitchTimeout(port.askTimeout, port.realizeTimeout, await);
    }

    private Realization realization(SelfMessage.MoveSwitchTold m) {
        if (m.versions() == null || !port.turns.running().await) {
            return Realization.NOT_WAITED;
        }
        var behind = m.versions().behind();
        return new Realization(true, behind.isEmpty(), behind);
    }

    private StatusReply<MigrationInfo> noMove(PortState s, String what) {
        if (!s.exists()) {
            return Errors.notFound("no port " + port.portId);
        }
        return Errors.conflict("port " + port.portId + " has no move under way to " + what
                + (s.move() == null ? "" : " (its last move is " + s.move().phase() + ")"));
    }

    private MigrationInfo notMoved(PortState s) {
        return MigrationInfo.notMoved(port.portId, s.host(), s.vlan(), Realization.NOT_WAITED);
    }

    private Effect<Event, PortState> reply(
            Consumer<StatusReply<MigrationInfo>> client, StatusReply<MigrationInfo> reply) {
        client.accept(reply);
        return effect().none();
    }

    private static long now() {
        return System.currentTimeMillis();
    }
}
