package io.portmesh.sharding.port;

import io.portmesh.sharding.EntityError;
import io.portmesh.sharding.Errors;
import io.portmesh.sharding.host.HostProtocol;
import io.portmesh.sharding.lswitch.SwitchProtocol;
import io.portmesh.sharding.port.LogicalPortEntity.Bound;
import io.portmesh.sharding.port.LogicalPortEntity.ChangeAbandoned;
import io.portmesh.sharding.port.LogicalPortEntity.ChangeStarted;
import io.portmesh.sharding.port.LogicalPortEntity.Deleted;
import io.portmesh.sharding.port.LogicalPortEntity.Event;
import io.portmesh.sharding.port.LogicalPortEntity.Unbound;
import io.portmesh.sharding.port.PortProtocol.Bind;
import io.portmesh.sharding.port.PortProtocol.Delete;
import io.portmesh.sharding.port.PortProtocol.Move;
import io.portmesh.sharding.port.PortProtocol.Outcome;
import io.portmesh.sharding.port.PortProtocol.Unbind;
import io.portmesh.sharding.port.SelfMessage.AskHostAgain;
import io.portmesh.sharding.port.SelfMessage.HostBound;
import io.portmesh.sharding.port.SelfMessage.HostUnbound;
import io.portmesh.sharding.port.SelfMessage.LeftSwitch;
import io.portmesh.sharding.port.SelfMessage.SwitchTold;
import io.portmesh.sharding.service.MigrationInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;

/**
 * The steps of a port's ordinary changes, Bind, Unbind and Delete, and of their compensation, run by its {@link
 * LogicalPortEntity} one change at a time ({@link PortTurns}). Apart from the entity so that the state machine below
 * reads in one place; a live move has its own ({@link MoveStart}, {@link MoveEnd}).
 *
 * <pre>
 * state (persisted)   on                      then
 * UNBOUND             Bind(h)                 ChangeStarted(BindTo h) -> BINDING(h); ask BindPort
 * BINDING(h)          host bound it           Bound -> BOUND(h); SetBinding(h) to the switch
 *                     host refused            ChangeAbandoned -> UNBOUND; the error to the client
 *                     no answer, or restart   503 "not applied" to the client; UnbindPort until the host answers;
 *                                             ChangeAbandoned -> UNBOUND
 * BOUND(h)            Bind(h) again           SetBinding(h) again
 *                     Unbind, Delete          ChangeStarted(Unbind | Delete) -> UNBINDING(h); ask UnbindPort
 * UNBINDING(h)        host unbound it         Unbind: Unbound -> UNBOUND (left h); SetBinding(none, left h)
 *                                             Delete: Unbound -> LEAVING (left h), below
 *                     host refused            ChangeAbandoned -> BOUND(h); the error to the client
 *                     no answer, or restart   UnbindPort again until the host answers
 * UNBOUND (left h)    Unbind again            SetBinding(none, left h) again: the switch tells h with its hosts
 *                     Delete                  ChangeStarted(Delete) -> LEAVING (left h)
 * UNBOUND (never)     Delete                  ChangeStarted(Delete) -> LEAVING
 * LEAVING (left h)    (go on)                 SetBinding(none, left h), as an Unbind again; then as below
 * LEAVING             (go on)                 RemovePort to the switch; Deleted -> no port
 *                     switch did not answer   the error to the client; stays LEAVING: Create, Bind, Unbind refused
 *                                             (409); a repeated Delete, or a restart, goes on
 * </pre>
 *
 * An unbound port that was bound keeps the host it left ({@link PortState#leftHost}, from its Unbound event), for
 * the switch to tell (and, with awaitRealized, wait for) with its hosts whenever the unbinding is told again.
 * LEAVING is a pending Delete on an unbound port ({@link PortState#isLeaving}).
 *
 * Per step, what a timeout or the node's death there leaves, and what repairs it:
 *
 * <ul>
 *   <li>The host step of a Bind, Unbind or Delete (BINDING, UNBINDING: the change is persisted before the ask). No
 *       answer: the host may or may not have done it; a bind is rolled back, an unbinding completed, both by asking
 *       UnbindPort (idempotent) until the host answers, the port busy meanwhile. Death: the port resumes the same at
 *       its next start ({@link #resume}).
 *   <li>The switch step (SetBinding, idempotent at the switch). No answer or death: the port's binding is done but
 *       the switch's hosts may not know; a repeated Bind or Unbind tells the switch again, and every start of a port
 *       that was ever bound asks it to keep the binding (KeepBinding: the switch persists it if it holds another,
 *       and tells its hosts again unless it knows that they all hold its current version, which costs one fan-out
 *       per switch, not one per port that starts).
 *   <li>A Delete's switch step (LEAVING: the Delete is persisted before it, also when the port is unbound already). A
 *       port that was ever bound first tells the switch its unbinding, as a repeated Unbind does (the hosts that may
 *       still send to the port answer, and with awaitRealized those behind are named); then RemovePort, then Deleted.
 *       No answer: the switch may have let the port go, so the port stays LEAVING and is never bound again (a binding
 *       would reach no host of the switch, and the port's MAC may be another's by then); a repeated Delete finishes
 *       it. Death: the port finishes it at its next start.
 * </ul>
 *
 * The client waits {@link LogicalPortEntity#clientTimeout}; the port answers within it, done or not (a rolled-back
 * bind at once).
 */
final class BindingSteps {
    private final LogicalPortEntity port;

    BindingSteps(LogicalPortEntity port) {
        this.port = port;
    }

    private EffectFactories<Event, PortState> effect() {
        return port.effects();
    }

    private RunningChange running() {
        return port.turns.running();
    }

    Effect<Event, PortState> onBind(PortState s, Bind c) {
        if (!s.exists()) {
            return effect().reply(c.replyTo(), PortReplies.noPort(port.portId));
        }
        if (s.isLeaving()) { // its switch may have let it go already: a binding would be known to no switch
            return effect().reply(c.replyTo(), PortReplies.beingDeleted(port.portId));
        }
        if (s.isMoving()) {
            return port.moveStart.bindWhileMoving(s, c);
        }
        if (s.isBound() && !s.host().equals(c.host().value())) {
            return port.moveStart.onMove(s, new Move(c.host(), c.awaitRealized(), null), PortReplies.asBinding(c), c);
        }
        port.turns.start(c);
        if (s.isBound()) {
            // bound there already: a repeated request, whose switch step may have failed: repeat that
            tellSwitch(s);
            return effect().none();
        }
        return effect().persist(new ChangeStarted(c.change(), c.requestId())).thenRun(this::askHostToBind);
    }

    Effect<Event, PortState> onUnbind(PortState s, Unbind c) {
        if (!s.exists()) {
            return effect().reply(c.replyTo(), PortReplies.noPort(port.portId));
        }
        if (s.isLeaving()) {
            return effect().reply(c.replyTo(), PortReplies.beingDeleted(port.portId));
        }
        if (s.isMoving()) {
            return port.moveEnd.unwindThen(s, c, MigrationInfo.CANCELLED);
        }
        port.turns.start(c);
        if (!s.isBound()) {
            // unbound already: a repeated request, whose switch step may have failed: repeat that
            tellSwitch(s);
            return effect().none();
        }
        return effect().persist(new ChangeStarted(c.change(), c.requestId())).thenRun(this::askHostToUnbind);
    }

    Effect<Event, PortState> onDelete(PortState s, Delete c) {
        if (!s.exists()) {
            return effect().reply(c.replyTo(), PortReplies.noPort(port.portId));
        }
        if (s.isMoving()) {
            return port.moveEnd.unwindThen(s, c, MigrationInfo.CANCELLED);
        }
        port.turns.start(c);
        if (s.isLeaving()) { // an earlier Delete's switch step did not finish: go on with it
            leaveSwitchStep(s);
            return effect().none();
        }
        // persisted also without a host step, so that once the switch may have let the port go, the port is
        // deleted (a restart resumes it) and never bound again
        EffectBuilder<Event, PortState> started = effect().persist(new ChangeStarted(c.change(), c.requestId()));
        // a bound port unbinds first; the switch step then goes on with leaving the switch
        return s.isBound() ? started.thenRun(this::askHostToUnbind) : started.thenRun(this::leaveSwitchStep);
    }

    /**
     * A Delete's switch step. A port that was ever bound first tells the switch of its unbinding as an Unbind does
     * (the switch may still hold the binding, or some hosts may have missed it: they answer, waited for as asked);
     * then it leaves the switch.
     */
    private void leaveSwitchStep(PortState s) {
        if (s.wasBound()) {
            tellSwitch(s);
        } else {
            leaveSwitch(s);
        }
    }

    private void askHostToBind(PortState s) {
        port.pipe(
                port.hostRef(s.pendingHost())
                        .<HostProtocol.Bound>askWithStatus(
                                r -> StateIds.bindPort(port.portId, s, false, r), port.askTimeout),
                HostBound::new);
    }

    Effect<Event, PortState> onHostBound(PortState s, HostBound m) {
        if (s.pending() instanceof PortChange.MoveTo) {
            return port.moveStart.onDestinationReady(s, m);
        }
        String host = s.pendingHost();
        if (m.error() == null) {
            HostProtocol.Bound b = m.bound();
            running().versions.put(host, b.planVersion());
            return effect().persist(
                            new Bound(host, b.vlan().value(), b.tunnelIp().toString()))
                    .thenRun(this::tellSwitch);
        }
        if (Errors.isEntityError(m.error())) { // refused (no free VLAN, unknown host): nothing was bound
            return port.turns.ending(effect().persist(new ChangeAbandoned())
                    .thenRun(ns -> running().answer(Errors.passOn(m.error()))));
        }
        // the host may have bound the port and lost its answer: take the binding back until the host answers
        running().answer(Errors.unavailable(new PortChange.BindTo(host).notApplied(port.portId, port.askTimeout)));
        askHostToUnbind(s);
        return effect().none();
    }

    /** Both the rollback of a bind and an unbinding: UnbindPort is idempotent at the host. */
    private void askHostToUnbind(PortState s) {
        port.pipe(
                port.hostRef(s.pendingHost())
                        .<Long>askWithStatus(
                                r -> new HostProtocol.UnbindPort(StateIds.port(port.portId), false, r),
                                port.askTimeout),
                HostUnbound::new);
    }

    Effect<Event, PortState> onAskHostAgain(PortState s, AskHostAgain m) {
        askHostToUnbind(s);
        return effect().none();
    }

    Effect<Event, PortState> onHostUnbound(PortState s, HostUnbound m) {
        // a bind, or a move's first step (its destination asked for a VLAN), taken back
        boolean rollingBack = s.pending() instanceof PortChange.BindTo || s.pending() instanceof PortChange.MoveTo;
        if (m.error() == null) {
            if (rollingBack) { // the host holds no binding of the port now
                EffectBuilder<Event, PortState> abandoned = effect().persist(new ChangeAbandoned());
                // a port bound before may have restarted before its switch heard of its unbinding
                return s.wasBound() ? abandoned.thenRun(this::tellSwitch) : port.turns.ending(abandoned);
            }
            running().versions.put(s.host(), m.planVersion());
            return effect().persist(new Unbound(s.host())).thenRun(this::tellSwitch);
        }
        if (Errors.isEntityError(m.error()) && !rollingBack) { // refused: the port stays bound there
            return port.turns.ending(effect().persist(new ChangeAbandoned())
                    .thenRun(ns -> running().answer(Errors.passOn(m.error()))));
        }
        // no answer; or, rolling back, any answer but done, as the host may still hold the binding: ask again
        // later, the port busy meanwhile
        Duration wait = PortDeadlines.retryDelay(running().hostAttempts++);
        port.ctx
                .getLog()
                .warn(
                        "port {}: host {} did not unbind it ({}); asking again in {} ms",
                        port.portId,
                        s.pendingHost(),
                        m.error().toString(),
                        wait.toMillis());
        port.timers.startSingleTimer(LogicalPortEntity.RETRY, new AskHostAgain(), wait);
        return effect().none();
    }

    /**
     * The port's binding as it is now (idempotent at the switch, so also to repeat a step that failed). An unbound
     * port names the host it left, which the switch tells with its hosts, an unbinding it already holds too.
     */
    private void tellSwitch(PortState s) {
        boolean await = running().await;
        Duration timeout = await ? port.askTimeout.plus(port.realizeTimeout) : port.askTimeout;
        port.pipe(
                port.switchRef(s.switchId())
                        .<SwitchProtocol.HostVersions>askWithStatus(
                                r -> new SwitchProtocol.SetBinding(
                                        StateIds.port(port.portId),
                                        StateIds.host(s.host()),
                                        StateIds.ip(s.tunnelIp()),
                                        StateIds.host(s.leftHost()),
                                        await,
                                        r),
                                timeout),
                SwitchTold::new);
    }

    Effect<Event, PortState> onSwitchTold(PortState s, SwitchTold m) {
        RunningChange running = running();
        if (m.error() != null
                && running.change instanceof PortChange.Delete
                && Errors.is(m.error(), EntityError.Kind.NOT_FOUND)) {
            leaveSwitch(s); // not a member of the switch: no host to tell, leaving is done already
            return effect().none();
        }
        if (m.error() != null) {
            // the port's own change is done (a Delete's is not: it stays LEAVING); a repeated request, or the port's
            // next start, tells the switch again
            running.answer(Errors.passOn(m.error()));
            return port.turns.ending(effect().none());
        }
        m.versions().versions().forEach((h, v) -> running.versions.merge(h, v, Math::max));
        if (running.change instanceof PortChange.Delete) {
            running.behind = m.versions().behind();
            leaveSwitch(s);
            return effect().none();
        }
        running.answer(StatusReply.success(new Outcome(
                s.host(), s.vlan(), Map.copyOf(running.versions), m.versions().behind())));
        return port.turns.ending(effect().none());
    }

    private void leaveSwitch(PortState s) {
        port.pipe(
                port.switchRef(s.switchId())
                        .<org.apache.pekko.Done>askWithStatus(
                                r -> new SwitchProtocol.RemovePort(StateIds.port(port.portId), r), port.askTimeout),
                (done, e) -> new LeftSwitch(e));
    }

    Effect<Event, PortState> onLeftSwitch(PortState s, LeftSwitch m) {
        if (m.error() != null) {
            running().answer(Errors.passOn(m.error()));
            return port.turns.ending(effect().none());
        }
        List<String> behind = running().behind;
        return port.turns.ending(effect().persist(new Deleted())
                .thenRun(ns -> running().answer(StatusReply.success(new Outcome(null, 0, Map.of(), behind)))));
    }

    /**
     * A change cut short by the port's end (its node died, it moved) goes on: the host is asked to unbind, which rolls
     * a bind back and completes an unbinding; a Delete past its host step leaves the switch. A port that was ever
     * bound asks its switch to keep its binding ({@link SwitchProtocol.KeepBinding}): its node may have died
     * between its event and the switch's, or before the switch's hosts all answered; the switch tells them again only
     * if it does not know that they all hold its current version. Requests wait meanwhile, as during any change.
     */
    void resume(PortState s) {
        if (s.isLeaving()) {
            port.ctx.getLog().info("port {}: resuming its deletion with switch {}", port.portId, s.switchId());
            port.turns.begin(new RunningChange(s.pending(), false, null));
            leaveSwitchStep(s);
        } else if (s.pending() != null) {
            port.ctx.getLog().info("port {}: resuming {} with host {}", port.portId, s.pending(), s.pendingHost());
            port.turns.begin(new RunningChange(s.pending(), false, null));
            askHostToUnbind(s);
        } else if (s.isMoving()) {
            port.moveStart.resume(s);
        } else if (s.wasBound()) {
            PortChange keep = s.isBound() ? new PortChange.BindTo(s.host()) : new PortChange.Unbind();
            port.turns.begin(new RunningChange(keep, false, null));
            port.pipe(
                    port.switchRef(s.switchId())
                            .<SwitchProtocol.HostVersions>askWithStatus(
                                    r -> new SwitchProtocol.KeepBinding(
                                            StateIds.port(port.portId),
                                            StateIds.host(s.host()),
                                            StateIds.ip(s.tunnelIp()),
                                            StateIds.host(s.leftHost()),
                                            r),
                                    port.askTimeout),
                    SwitchTold::new);
        }
    }
}
