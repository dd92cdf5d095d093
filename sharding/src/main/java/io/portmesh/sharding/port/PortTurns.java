package io.portmesh.sharding.port;

import io.portmesh.sharding.Errors;
import io.portmesh.sharding.port.LogicalPortEntity.Event;
import io.portmesh.sharding.port.PortProtocol.ChangeRequest;
import io.portmesh.sharding.port.PortProtocol.Command;
import io.portmesh.sharding.port.PortProtocol.Request;
import io.portmesh.sharding.port.SelfMessage.ClientDeadline;
import io.portmesh.sharding.service.MigrationInfo;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;

/**
 * One change at a time: while a port runs the steps of a change (or a Create), the requests that come wait in its
 * stash, at most {@link LogicalPortEntity#MAX_WAITING} (more are refused rather than dropped unanswered), and the
 * change's client gets a deadline by which it is answered, done or not. Apart from the steps so that a binding's
 * ({@link BindingSteps}) and a move's steps begin and end a turn the same way. Runtime only: a restart resumes from
 * the persisted state.
 */
final class PortTurns {
    private final LogicalPortEntity port;
    /** A change (or a Create) is running: requests wait. */
    private boolean busy;
    /** Requests in the stash. */
    private int waiting;
    /** The kinds of non-request commands in the stash ({@link #stashOnce}). */
    private final Set<Class<?>> stashedOnce = new HashSet<>();
    /** The change running; null when none, or while a Create runs. */
    private RunningChange running;

    PortTurns(LogicalPortEntity port) {
        this.port = port;
    }

    boolean busy() {
        return busy;
    }

    RunningChange running() {
        return running;
    }

    /** While a change runs, requests wait for it; a full stash refuses them rather than dropping them unanswered. */
    Effect<Event, PortState> waitForTurn(Request<?> r) {
        if (waiting >= LogicalPortEntity.MAX_WAITING) {
            return port.effects()
                    .reply(
                            r.replyTo(),
                            Errors.unavailable("port " + port.portId + " has " + waiting
                                    + " requests waiting for a change in progress; retry later"));
        }
        waiting++;
        return port.effects().stash();
    }

    /**
     * An activation, a move deadline or a deadline check's answer that comes while a step runs waits for it, once: the
     * VM's announcements (a RARP, then every ARP until the destination confirms its arrival) all say the same, a
     * deadline fires once, and a deadline check has one ask at a time ({@link MoveDeadlineCheck}).
     */
    Effect<Event, PortState> stashOnce(PortState s, Command c) {
        if (!stashedOnce.add(c.getClass())) {
            return port.effects().none();
        }
        return port.effects().stash();
    }

    /** A change (null: a Create) starts: requests wait until it is {@link #ending}. */
    void begin(RunningChange change) {
        busy = true;
        running = change;
    }

    /** A client's change starts; the client waits for it at most {@link PortDeadlines#answerWithin}. */
    void start(ChangeRequest c) {
        begin(new RunningChange(c.change(), c.awaitRealized(), c.replyTo()));
        port.timers.startSingleTimer(
                LogicalPortEntity.CLIENT_DEADLINE,
                new ClientDeadline(),
                PortDeadlines.answerWithin(port.askTimeout, port.realizeTimeout, c.awaitRealized()));
    }

    /** A move's step for a client starts; the client waits for it at most {@link PortDeadlines#moveAnswerWithin}. */
    void startMove(String to, boolean await, Consumer<StatusReply<MigrationInfo>> client) {
        begin(RunningChange.move(new PortChange.MoveTo(to, 0), await, client));
        port.timers.startSingleTimer(
                LogicalPortEntity.CLIENT_DEADLINE,
                new ClientDeadline(),
                PortDeadlines.moveAnswerWithin(port.askTimeout, port.realizeTimeout, await));
    }

    /** The client's deadline passed: it hears that the change goes on. */
    Effect<Event, PortState> onClientDeadline() {
        // null when the deadline passed while the change's last event was being written: answered
        if (running != null) {
            running.unavailable(running.change.unfinished(port.portId));
        }
        return port.effects().none();
    }

    /** The running change (or Create) ends after {@code effect}: the waiting requests go on. */
    Effect<Event, PortState> ending(EffectBuilder<Event, PortState> effect) {
        return effect.thenRun(s -> {
                    busy = false;
                    running = null;
                    waiting = 0;
                    stashedOnce.clear();
                    port.timers.cancel(LogicalPortEntity.CLIENT_DEADLINE);
                    port.timers.cancel(LogicalPortEntity.RETRY);
                })
                .thenUnstashAll();
    }
}
