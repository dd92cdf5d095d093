package io.portmesh.sharding.port;

import io.portmesh.model.CborSerializable;
import io.portmesh.model.Ipv4;
import io.portmesh.sharding.EntityError;
import io.portmesh.sharding.Errors;
import io.portmesh.sharding.Futures;
import io.portmesh.sharding.host.HostEntity;
import io.portmesh.sharding.lswitch.LogicalSwitchEntity;
import io.portmesh.sharding.metrics.NodeMetrics;
import io.portmesh.sharding.port.SelfMessage.ArrivalConfirmed;
import io.portmesh.sharding.port.SelfMessage.AskHostAgain;
import io.portmesh.sharding.port.SelfMessage.CleanupRealized;
import io.portmesh.sharding.port.SelfMessage.ClientDeadline;
import io.portmesh.sharding.port.SelfMessage.HostBound;
import io.portmesh.sharding.port.SelfMessage.HostUnbound;
import io.portmesh.sharding.port.SelfMessage.JoinedSwitch;
import io.portmesh.sharding.port.SelfMessage.LeftSwitch;
import io.portmesh.sharding.port.SelfMessage.MoveDeadline;
import io.portmesh.sharding.port.SelfMessage.MoveHostReleased;
import io.portmesh.sharding.port.SelfMessage.MoveStepAgain;
import io.portmesh.sharding.port.SelfMessage.MoveSwitchTold;
import io.portmesh.sharding.port.SelfMessage.SwitchTold;
import io.portmesh.sharding.port.SelfMessage.TellMovingAgain;
import io.portmesh.sharding.port.SelfMessage.Unwind;
import io.portmesh.sharding.service.MigrationInfo;
import io.portmesh.sharding.service.Realization;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.Recovery;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * A logical port. Its changes span three entities: its Host (access VLAN, local flows), its LogicalSwitch (the member
 * list every host of the switch gets) and itself. It runs them as steps, one change at a time; the commands that come
 * meanwhile wait in the stash ({@link #waitForTurn}). Its replies come after asks to the others, hence not the
 * enforced-replies variant.
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
 *   <li>Create: AddPort to the switch, then Created. No answer: the switch may have added the member, so it is told
 *       RemovePort. Death in between: the member is a ghost, which the switch removes when its MAC is asked for again
 *       (it asks the port {@link Exists}).
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
 * The client waits {@link #clientTimeout}; the port answers within it, done or not (a rolled-back bind at once).
 */
public final class LogicalPortEntity
        extends EventSourcedBehavior<PortProtocol.Command, LogicalPortEntity.Event, PortState> implements PortProtocol {
    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "LogicalPort");

    /** Requests waiting for a change in progress beyond this many are refused: the stash is bounded. */
    public static final int MAX_WAITING = 100;
    /** The wait before the first repeated ask to a host that did not answer; it doubles up to {@link #MAX_RETRY}. */
    private static final Duration FIRST_RETRY = Duration.ofMillis(200);

    private static final Duration MAX_RETRY = Duration.ofSeconds(3);
    /** How much longer than the port's own deadline a client waits: the answer's way back. */
    private static final Duration REPLY_MARGIN = Duration.ofSeconds(1);

    private static final String CLIENT_DEADLINE = "client-deadline";
    static final String RETRY = "retry";
    static final String MOVE_DEADLINE = "move-deadline";
    /** How long a live move waits for its activation by default: vMotion of a large VM takes minutes. */
    public static final Duration DEFAULT_MOVE_TIMEOUT = Duration.ofMinutes(10);

    public sealed interface Event extends CborSerializable {}

    public record Created(String switchId, int vni, String mac, List<String> ips, String name) implements Event {}

    public record Bound(String host, int vlan, String tunnelIp) implements Event {}

    public record Unbound(String host) implements Event {}

    public record Deleted() implements Event {}

    /** A change that asks the host is under way (persisted before the ask): a restart resumes it. */
    public record ChangeStarted(PortChange change) implements Event {}

    /** The change under way was not made: the host refused it, or it was a bind and was rolled back. */
    public record ChangeAbandoned() implements Event {}

    /** The destination of a move is ready (VLAN, flows): the port is MIGRATING, frames go to both hosts. */
    public record MoveStarted(String to, int toVlan, String toTunnelIp, long deadline) implements Event {}

    /** The VM runs on the destination: {@code by} the VM's own RARP/ARP ({@link Activate#BY_RARP}) or the API. */
    public record MoveActivated(String by, long at) implements Event {}

    /** The move is being taken back: {@code endState} is CANCELLED or ROLLED_BACK. */
    public record MoveUnwinding(String endState, long at) implements Event {}

    /** An activated move is done: the port is bound on the destination only. */
    /** {@code repointedAt}: when every peer acknowledged the port on the destination only (0: not in time). */
    public record MoveCompleted(long at, long repointedAt) implements Event {
        public MoveCompleted(long at) {
            this(at, 0);
        }
    }

    /** A move taken back is done: the port is bound where it was, the destination released. */
    public record MoveRolledBack(long at) implements Event {}

    /**
     * The change this port is running and the client waiting for it (none when the port resumes a change after a
     * restart). The client is answered once: a rollback, or a change past the client's deadline, goes on after it.
     */
    static final class Running {
        final PortChange change;
        final boolean await;
        private ActorRef<StatusReply<Outcome>> client;
        /** Per host, the plan version that includes the change, as the steps learn them. */
        final Map<String, Long> versions = new HashMap<>();
        /** A Delete's hosts behind on its unbinding, for its own answer. */
        List<String> behind = List.of();

        int hostAttempts;
        /** How far a move's switch step got, for its answer. */
        Realization realization = Realization.NOT_WAITED;
        /** When an activated move's switch step was acknowledged by every peer's agents (0: not yet, or not all). */
        long repointedAt;
        /** A move's client (a Move, CompleteMove or CancelMove, or a Bind to another host); null when none. */
        private Consumer<StatusReply<MigrationInfo>> moveClient;

        Running(PortChange change, boolean await, ActorRef<StatusReply<Outcome>> client) {
            this.change = change;
            this.await = await;
            this.client = client;
        }

        static Running move(PortChange change, boolean await, Consumer<StatusReply<MigrationInfo>> client) {
            Running r = new Running(change, await, null);
            r.moveClient = client;
            return r;
        }

        void answer(StatusReply<Outcome> reply) {
            if (client != null) {
                client.tell(reply);
                client = null;
            }
        }

        void answerMove(StatusReply<MigrationInfo> reply) {
            if (moveClient != null) {
                moveClient.accept(reply);
                moveClient = null;
            }
        }

        /** The client, whichever kind, hears that the change is not done in time. */
        void unavailable(String message) {
            answer(Errors.unavailable(message));
            answerMove(Errors.unavailable(message));
        }
    }

    final String portId;
    final ActorContext<Command> ctx;
    final TimerScheduler<Command> timers;
    private final ClusterSharding sharding;
    final Duration askTimeout;
    final Duration realizeTimeout;
    final Duration moveTimeout;
    final NodeMetrics metrics;
    private final MoveSteps moves;
    /** A change (or a Create) is running: requests wait. Not persisted: a restart resumes from the state. */
    boolean busy;
    /** Requests in the stash. */
    private int waiting;
    /** The kinds of non-request commands in the stash ({@link #stashOnce}). */
    private final Set<Class<?>> stashedOnce = new java.util.HashSet<>();
    /** The change running; null when none, or while a Create runs. */
    Running running;

    private LogicalPortEntity(
            ActorContext<Command> ctx,
            TimerScheduler<Command> timers,
            String portId,
            ClusterSharding sharding,
            Duration askTimeout,
            Duration realizeTimeout,
            Duration moveTimeout) {
        super(PersistenceId.of(TYPE_KEY.name(), portId));
        this.ctx = ctx;
        this.timers = timers;
        this.portId = portId;
        this.sharding = sharding;
        this.askTimeout = askTimeout;
        this.realizeTimeout = realizeTimeout;
        this.moveTimeout = moveTimeout;
        this.metrics = NodeMetrics.get(ctx.getSystem());
        this.moves = new MoveSteps(this);
    }

    public static void init(ActorSystem<?> system, Duration askTimeout, Duration realizeTimeout) {
        init(system, askTimeout, realizeTimeout, DEFAULT_MOVE_TIMEOUT);
    }

    public static void init(ActorSystem<?> system, Duration askTimeout, Duration realizeTimeout, Duration moveTimeout) {
        ClusterSharding sharding = ClusterSharding.get(system);
        sharding.init(Entity.of(
                TYPE_KEY, ctx -> create(ctx.getEntityId(), sharding, askTimeout, realizeTimeout, moveTimeout)));
    }

    public static Behavior<Command> create(
            String id, ClusterSharding sharding, Duration askTimeout, Duration realizeTimeout) {
        return create(id, sharding, askTimeout, realizeTimeout, DEFAULT_MOVE_TIMEOUT);
    }

    public static Behavior<Command> create(
            String id, ClusterSharding sharding, Duration askTimeout, Duration realizeTimeout, Duration moveTimeout) {
        return Behaviors.withTimers(timers -> Behaviors.setup(
                ctx -> new LogicalPortEntity(ctx, timers, id, sharding, askTimeout, realizeTimeout, moveTimeout)));
    }

    /**
     * How long a client waits for a {@link ChangeRequest}'s answer. The port answers within it whether the change is
     * done or not: the host step and the switch step, each bounded by the ask timeout (the switch's plus the
     * realization wait when awaited), then a margin for the answer's way back.
     */
    public static Duration clientTimeout(Duration askTimeout, Duration realizeTimeout, boolean awaitRealized) {
        return answerWithin(askTimeout, realizeTimeout, awaitRealized).plus(REPLY_MARGIN);
    }

    /**
     * How long a client waits for a move's answer: a move's end has more steps than a binding (the switch, the host
     * it leaves, the destination's confirmation, and with awaitRealized a wait for each of the two hosts' agents).
     */
    public static Duration moveClientTimeout(Duration askTimeout, Duration realizeTimeout, boolean awaitRealized) {
        return moveAnswerWithin(askTimeout, realizeTimeout, awaitRealized).plus(REPLY_MARGIN);
    }

    static Duration moveAnswerWithin(Duration askTimeout, Duration realizeTimeout, boolean awaitRealized) {
        // an activation's switch step always waits for realization (repointedAt), awaited by the client or not
        return askTimeout.multipliedBy(5).plus(realizeTimeout.multipliedBy(awaitRealized ? 3 : 1));
    }

    private static Duration answerWithin(Duration askTimeout, Duration realizeTimeout, boolean awaitRealized) {
        return askTimeout.multipliedBy(2).plus(awaitRealized ? realizeTimeout : Duration.ZERO);
    }

    /**
     * Ports never tag their events, so they use the journal without events-by-tag (see persistence's
     * reference.conf): no tag-writer round trip on every write, no tag-progress lookup when a port starts.
     */
    @Override
    public String journalPluginId() {
        return ctx.getSystem().settings().config().getString("portmesh.persistence.untagged-journal-plugin");
    }

    @Override
    public PortState emptyState() {
        return PortState.empty(portId);
    }

    @Override
    public Set<String> tagsFor(Event event) {
        // no read-side view lists ports (a switch's ports come from the switch's events); ports are on the journal
        // without events-by-tag (journalPluginId), where a tag would never reach a view
        return Set.of();
    }

    /**
     * A port has a handful of events and never snapshots, so recovery skips the snapshot store: every new port (the
     * REST create) would otherwise pay one Cassandra read for a snapshot that cannot exist.
     */
    @Override
    public Recovery recovery() {
        return Recovery.withSnapshotSelectionCriteria(SnapshotSelectionCriteria.none());
    }

    @Override
    public CommandHandler<Command, Event, PortState> commandHandler() {
        return newCommandHandlerBuilder()
                .forAnyState()
                .onCommand(
                        Get.class,
                        (s, c) -> Effect()
                                .reply(
                                        c.replyTo(),
                                        s.exists()
                                                ? StatusReply.success(s.info())
                                                : Errors.notFound("no port " + portId)))
                .onCommand(GetMove.class, (s, c) -> Effect().reply(c.replyTo(), moves.info(s)))
                .onCommand(c -> busy && c instanceof Request<?>, (s, c) -> waitForTurn((Request<?>) c))
                .onCommand(c -> busy && (c instanceof Activate || c instanceof MoveDeadline), this::stashOnce)
                .onCommand(Touch.class, (s, c) -> Effect().none())
                .onCommand(TellMovingAgain.class, (s, c) -> moves.tellMovingAgain(s))
                .onCommand(Exists.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(s.exists())))
                .onCommand(Create.class, this::onCreate)
                .onCommand(Bind.class, this::onBind)
                .onCommand(Unbind.class, this::onUnbind)
                .onCommand(Delete.class, this::onDelete)
                .onCommand(JoinedSwitch.class, this::onJoinedSwitch)
                .onCommand(HostBound.class, this::onHostBound)
                .onCommand(HostUnbound.class, this::onHostUnbound)
                .onCommand(AskHostAgain.class, (s, c) -> {
                    askHostToUnbind(s);
                    return Effect().none();
                })
                .onCommand(SwitchTold.class, this::onSwitchTold)
                .onCommand(Move.class, (s, c) -> moves.onMove(s, c))
                .onCommand(CompleteMove.class, (s, c) -> moves.onComplete(s, c))
                .onCommand(CancelMove.class, (s, c) -> moves.onCancel(s, c))
                .onCommand(Activate.class, (s, c) -> moves.onActivate(s, c))
                .onCommand(MoveDeadline.class, (s, c) -> moves.onDeadline(s))
                .onCommand(Unwind.class, (s, c) -> moves.unwind(s, c.endState(), c.then()))
                .onCommand(MoveSwitchTold.class, (s, c) -> moves.onSwitchTold(s, c))
                .onCommand(MoveHostReleased.class, (s, c) -> moves.onHostReleased(s, c))
                .onCommand(ArrivalConfirmed.class, (s, c) -> moves.onArrivalConfirmed(s, c))
                .onCommand(CleanupRealized.class, (s, c) -> moves.onCleanupRealized(s, c))
                .onCommand(MoveStepAgain.class, (s, c) -> moves.stepAgain(s))
                .onCommand(LeftSwitch.class, this::onLeftSwitch)
                .onCommand(ClientDeadline.class, (s, c) -> {
                    // null when the deadline passed while the change's last event was being written: answered
                    if (running != null) {
                        running.unavailable(running.change.unfinished(portId));
                    }
                    return Effect().none();
                })
                .build();
    }

    /**
     * An activation or a move deadline that comes while a step runs waits for it, once: the VM's announcements (a RARP,
     * then every ARP until the destination confirms its arrival) all say the same, and a deadline fires once.
     */
    private Effect<Event, PortState> stashOnce(PortState s, Command c) {
        if (!stashedOnce.add(c.getClass())) {
            return Effect().none();
        }
        return Effect().stash();
    }

    /** While a change runs, requests wait for it; a full stash refuses them rather than dropping them unanswered. */
    Effect<Event, PortState> waitForTurn(Request<?> r) {
        if (waiting >= MAX_WAITING) {
            return Effect()
                    .reply(
                            r.replyTo(),
                            Errors.unavailable("port " + portId + " has " + waiting
                                    + " requests waiting for a change in progress; retry later"));
        }
        waiting++;
        return Effect().stash();
    }

    /** A change (null: a Create) starts: requests wait until it is {@link #ending}. */
    void begin(Running change) {
        busy = true;
        running = change;
    }

    /** The effects of this entity, for {@link MoveSteps}. */
    org.apache.pekko.persistence.typed.javadsl.EffectFactories<Event, PortState> effects() {
        return Effect();
    }

    /** The client's deadline of a step that {@link MoveSteps} starts: {@link #moveAnswerWithin}. */
    void clientDeadline(boolean awaitRealized) {
        timers.startSingleTimer(
                CLIENT_DEADLINE, new ClientDeadline(), moveAnswerWithin(askTimeout, realizeTimeout, awaitRealized));
    }

    /** A client's change starts; the client waits for it at most {@link #answerWithin}. */
    private void start(ChangeRequest c) {
        begin(new Running(c.change(), c.awaitRealized(), c.replyTo()));
        timers.startSingleTimer(
                CLIENT_DEADLINE, new ClientDeadline(), answerWithin(askTimeout, realizeTimeout, c.awaitRealized()));
    }

    /** The running change (or Create) ends after {@code effect}: the waiting requests go on. */
    Effect<Event, PortState> ending(EffectBuilder<Event, PortState> effect) {
        return effect.thenRun(s -> {
                    busy = false;
                    running = null;
                    waiting = 0;
                    stashedOnce.clear();
                    timers.cancel(CLIENT_DEADLINE);
                    timers.cancel(RETRY);
                })
                .thenUnstashAll();
    }

    private Effect<Event, PortState> onCreate(PortState s, Create c) {
        if (s.isLeaving()) {
            return Effect().reply(c.replyTo(), beingDeleted());
        }
        if (s.exists()) {
            return Effect()
                    .reply(
                            c.replyTo(),
                            s.switchId().equals(c.switchId().value())
                                            && s.mac().equalsIgnoreCase(c.mac().toString())
                                    ? StatusReply.success(s.info())
                                    : Errors.conflict("port " + portId + " already exists"));
        }
        begin(null);
        pipe(
                switchRef(c.switchId().value())
                        .<Integer>askWithStatus(
                                r -> new LogicalSwitchEntity.AddPort(
                                        portId, c.mac().toString(), r),
                                askTimeout),
                (vni, e) -> new JoinedSwitch(c, vni, e));
        return Effect().none();
    }

    private Effect<Event, PortState> onJoinedSwitch(PortState s, JoinedSwitch m) {
        Create c = m.create();
        if (m.error() != null) {
            if (!Errors.isEntityError(m.error())) {
                // the switch may have added us before the ask timed out: take the member back, or its MAC
                // would stay taken by a port that never came to exist
                switchRef(c.switchId().value())
                        .tell(new LogicalSwitchEntity.RemovePort(
                                portId, ctx.getSystem().ignoreRef()));
            }
            c.replyTo().tell(Errors.passOn(m.error()));
            return ending(Effect().none());
        }
        return ending(Effect()
                .persist(new Created(
                        c.switchId().value(),
                        m.vni(),
                        c.mac().toString(),
                        c.ips().stream().map(Ipv4::toString).toList(),
                        c.name()))
                .thenRun(ns -> c.replyTo().tell(StatusReply.success(ns.info()))));
    }

    private Effect<Event, PortState> onBind(PortState s, Bind c) {
        if (!s.exists()) {
            return Effect().reply(c.replyTo(), Errors.notFound("no port " + portId));
        }
        if (s.isLeaving()) { // its switch may have let it go already: a binding would be known to no switch
            return Effect().reply(c.replyTo(), beingDeleted());
        }
        if (s.isMoving()) {
            return moves.bindWhileMoving(s, c);
        }
        if (s.isBound() && !s.host().equals(c.host().value())) {
            return moves.onMove(s, new Move(c.host(), c.awaitRealized(), null), MoveSteps.asBinding(c), c);
        }
        start(c);
        if (s.isBound()) {
            // bound there already: a repeated request, whose switch step may have failed: repeat that
            tellSwitch(s);
            return Effect().none();
        }
        return Effect().persist(new ChangeStarted(c.change())).thenRun(this::askHostToBind);
    }

    private Effect<Event, PortState> onUnbind(PortState s, Unbind c) {
        if (!s.exists()) {
            return Effect().reply(c.replyTo(), Errors.notFound("no port " + portId));
        }
        if (s.isLeaving()) {
            return Effect().reply(c.replyTo(), beingDeleted());
        }
        if (s.isMoving()) {
            return moves.unwindThen(s, c, MigrationInfo.CANCELLED);
        }
        start(c);
        if (!s.isBound()) {
            // unbound already: a repeated request, whose switch step may have failed: repeat that
            tellSwitch(s);
            return Effect().none();
        }
        return Effect().persist(new ChangeStarted(c.change())).thenRun(this::askHostToUnbind);
    }

    private Effect<Event, PortState> onDelete(PortState s, Delete c) {
        if (!s.exists()) {
            return Effect().reply(c.replyTo(), Errors.notFound("no port " + portId));
        }
        if (s.isMoving()) {
            return moves.unwindThen(s, c, MigrationInfo.CANCELLED);
        }
        start(c);
        if (s.isLeaving()) { // an earlier Delete's switch step did not finish: go on with it
            leaveSwitchStep(s);
            return Effect().none();
        }
        // persisted also without a host step, so that once the switch may have let the port go, the port is
        // deleted (a restart resumes it) and never bound again
        EffectBuilder<Event, PortState> started = Effect().persist(new ChangeStarted(c.change()));
        // a bound port unbinds first; the switch step then goes on with leaving the switch
        return s.isBound() ? started.thenRun(this::askHostToUnbind) : started.thenRun(this::leaveSwitchStep);
    }

    private <T> StatusReply<T> beingDeleted() {
        return Errors.conflict("port " + portId + " is being deleted: its switch did not confirm it in time;"
                + " repeat the delete to finish it");
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
        pipe(
                hostRef(s.pendingHost())
                        .<HostEntity.Bound>askWithStatus(
                                r -> new HostEntity.BindPort(portId, s.mac(), s.switchId(), s.vni(), r), askTimeout),
                HostBound::new);
    }

    private Effect<Event, PortState> onHostBound(PortState s, HostBound m) {
        if (s.pending() instanceof PortChange.MoveTo) {
            return moves.onDestinationReady(s, m);
        }
        String host = s.pendingHost();
        if (m.error() == null) {
            HostEntity.Bound b = m.bound();
            running.versions.put(host, b.planVersion());
            return Effect().persist(new Bound(host, b.vlan(), b.tunnelIp())).thenRun(this::tellSwitch);
        }
        if (Errors.isEntityError(m.error())) { // refused (no free VLAN, unknown host): nothing was bound
            return ending(
                    Effect().persist(new ChangeAbandoned()).thenRun(ns -> running.answer(Errors.passOn(m.error()))));
        }
        // the host may have bound the port and lost its answer: take the binding back until the host answers
        running.answer(Errors.unavailable(new PortChange.BindTo(host).notApplied(portId, askTimeout)));
        askHostToUnbind(s);
        return Effect().none();
    }

    /** Both the rollback of a bind and an unbinding: UnbindPort is idempotent at the host. */
    private void askHostToUnbind(PortState s) {
        pipe(
                hostRef(s.pendingHost()).<Long>askWithStatus(r -> new HostEntity.UnbindPort(portId, r), askTimeout),
                HostUnbound::new);
    }

    private Effect<Event, PortState> onHostUnbound(PortState s, HostUnbound m) {
        // a bind, or a move's first step (its destination asked for a VLAN), taken back
        boolean rollingBack = s.pending() instanceof PortChange.BindTo || s.pending() instanceof PortChange.MoveTo;
        if (m.error() == null) {
            if (rollingBack) { // the host holds no binding of the port now
                EffectBuilder<Event, PortState> abandoned = Effect().persist(new ChangeAbandoned());
                // a port bound before may have restarted before its switch heard of its unbinding
                return s.wasBound() ? abandoned.thenRun(this::tellSwitch) : ending(abandoned);
            }
            running.versions.put(s.host(), m.planVersion());
            return Effect().persist(new Unbound(s.host())).thenRun(this::tellSwitch);
        }
        if (Errors.isEntityError(m.error()) && !rollingBack) { // refused: the port stays bound there
            return ending(
                    Effect().persist(new ChangeAbandoned()).thenRun(ns -> running.answer(Errors.passOn(m.error()))));
        }
        // no answer; or, rolling back, any answer but done, as the host may still hold the binding: ask again
        // later, the port busy meanwhile
        Duration wait = retryDelay(running.hostAttempts++);
        ctx.getLog()
                .warn(
                        "port {}: host {} did not unbind it ({}); asking again in {} ms",
                        portId,
                        s.pendingHost(),
                        m.error().toString(),
                        wait.toMillis());
        timers.startSingleTimer(RETRY, new AskHostAgain(), wait);
        return Effect().none();
    }

    /** {@link #FIRST_RETRY}, doubling with every attempt, at most {@link #MAX_RETRY}. */
    static Duration retryDelay(int attempt) {
        Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(attempt, 10));
        return wait.compareTo(MAX_RETRY) < 0 ? wait : MAX_RETRY;
    }

    /**
     * The port's binding as it is now (idempotent at the switch, so also to repeat a step that failed). An unbound
     * port names the host it left, which the switch tells with its hosts, an unbinding it already holds too.
     */
    private void tellSwitch(PortState s) {
        boolean await = running.await;
        Duration timeout = await ? askTimeout.plus(realizeTimeout) : askTimeout;
        pipe(
                switchRef(s.switchId())
                        .<LogicalSwitchEntity.HostVersions>askWithStatus(
                                r -> new LogicalSwitchEntity.SetBinding(
                                        portId, s.host(), s.tunnelIp(), s.leftHost(), await, r),
                                timeout),
                SwitchTold::new);
    }

    private Effect<Event, PortState> onSwitchTold(PortState s, SwitchTold m) {
        if (m.error() != null
                && running.change instanceof PortChange.Delete
                && Errors.is(m.error(), EntityError.Kind.NOT_FOUND)) {
            leaveSwitch(s); // not a member of the switch: no host to tell, leaving is done already
            return Effect().none();
        }
        if (m.error() != null) {
            // the port's own change is done (a Delete's is not: it stays LEAVING); a repeated request, or the port's
            // next start, tells the switch again
            running.answer(Errors.passOn(m.error()));
            return ending(Effect().none());
        }
        m.versions().versions().forEach((h, v) -> running.versions.merge(h, v, Math::max));
        if (running.change instanceof PortChange.Delete) {
            running.behind = m.versions().behind();
            leaveSwitch(s);
            return Effect().none();
        }
        running.answer(StatusReply.success(new Outcome(
                s.host(), s.vlan(), Map.copyOf(running.versions), m.versions().behind())));
        return ending(Effect().none());
    }

    private void leaveSwitch(PortState s) {
        pipe(
                switchRef(s.switchId())
                        .<org.apache.pekko.Done>askWithStatus(
                                r -> new LogicalSwitchEntity.RemovePort(portId, r), askTimeout),
                (done, e) -> new LeftSwitch(e));
    }

    private Effect<Event, PortState> onLeftSwitch(PortState s, LeftSwitch m) {
        if (m.error() != null) {
            running.answer(Errors.passOn(m.error()));
            return ending(Effect().none());
        }
        List<String> behind = running.behind;
        return ending(Effect()
                .persist(new Deleted())
                .thenRun(ns -> running.answer(StatusReply.success(new Outcome(null, 0, Map.of(), behind)))));
    }

    @Override
    public SignalHandler<PortState> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.class, (s, signal) -> resume(s))
                .build();
    }

    /**
     * A change cut short by the port's end (its node died, it moved) goes on: the host is asked to unbind, which rolls
     * a bind back and completes an unbinding; a Delete past its host step leaves the switch. A port that was ever
     * bound asks its switch to keep its binding ({@link LogicalSwitchEntity.KeepBinding}): its node may have died
     * between its event and the switch's, or before the switch's hosts all answered; the switch tells them again only
     * if it does not know that they all hold its current version. Requests wait meanwhile, as during any change.
     */
    private void resume(PortState s) {
        if (s.isLeaving()) {
            ctx.getLog().info("port {}: resuming its deletion with switch {}", portId, s.switchId());
            begin(new Running(s.pending(), false, null));
            leaveSwitchStep(s);
        } else if (s.pending() != null) {
            ctx.getLog().info("port {}: resuming {} with host {}", portId, s.pending(), s.pendingHost());
            begin(new Running(s.pending(), false, null));
            askHostToUnbind(s);
        } else if (s.isMoving()) {
            moves.resume(s);
        } else if (s.wasBound()) {
            begin(new Running(s.isBound() ? new PortChange.BindTo(s.host()) : new PortChange.Unbind(), false, null));
            pipe(
                    switchRef(s.switchId())
                            .<LogicalSwitchEntity.HostVersions>askWithStatus(
                                    r -> new LogicalSwitchEntity.KeepBinding(
                                            portId, s.host(), s.tunnelIp(), s.leftHost(), r),
                                    askTimeout),
                    SwitchTold::new);
        }
    }

    /** Runs an ask; its answer or error comes back as a command. Not the ask itself: see {@link Futures}. */
    <T> void pipe(CompletionStage<T> ask, BiFunction<T, Throwable, Command> result) {
        ctx.pipeToSelf(Futures.on(ask, ctx.getExecutionContext()), result::apply);
    }

    EntityRef<HostEntity.Command> hostRef(String host) {
        return sharding.entityRefFor(HostEntity.TYPE_KEY, host);
    }

    EntityRef<LogicalSwitchEntity.Command> switchRef(String sw) {
        return sharding.entityRefFor(LogicalSwitchEntity.TYPE_KEY, sw);
    }

    @Override
    public EventHandler<PortState, Event> eventHandler() {
        return newEventHandlerBuilder()
                .forAnyState()
                .onEvent(Created.class, (s, e) -> s.created(e.switchId(), e.vni(), e.mac(), e.ips(), e.name()))
                .onEvent(ChangeStarted.class, (s, e) -> s.started(e.change()))
                .onEvent(Bound.class, (s, e) -> s.bound(e.host(), e.vlan(), e.tunnelIp()))
                .onEvent(Unbound.class, (s, e) -> s.unbound(e.host()))
                .onEvent(ChangeAbandoned.class, (s, e) -> s.abandoned())
                .onEvent(Deleted.class, (s, e) -> PortState.empty(portId))
                .onEvent(
                        MoveStarted.class,
                        (s, e) -> s.withMove(s.move().migrating(e.toVlan(), e.toTunnelIp(), e.deadline())))
                .onEvent(MoveActivated.class, (s, e) -> s.withMove(s.move().activated(e.by(), e.at())))
                .onEvent(MoveUnwinding.class, (s, e) -> s.withMove(s.move().unwinding(e.endState())))
                .onEvent(MoveCompleted.class, (s, e) -> s.moved(e.at(), e.repointedAt()))
                .onEvent(
                        MoveRolledBack.class,
                        (s, e) -> s.withMove(s.move().ended(s.move().unwindAs(), e.at())))
                .build();
    }
}
