package io.portmesh.sharding.port;

import io.portmesh.model.CborSerializable;
import io.portmesh.sharding.Futures;
import io.portmesh.sharding.host.HostEntity;
import io.portmesh.sharding.host.HostProtocol;
import io.portmesh.sharding.lswitch.LogicalSwitchEntity;
import io.portmesh.sharding.lswitch.SwitchProtocol;
import io.portmesh.sharding.metrics.NodeMetrics;
import io.portmesh.sharding.port.PortProtocol.Activate;
import io.portmesh.sharding.port.PortProtocol.Bind;
import io.portmesh.sharding.port.PortProtocol.CancelMove;
import io.portmesh.sharding.port.PortProtocol.ChangeRequest;
import io.portmesh.sharding.port.PortProtocol.Command;
import io.portmesh.sharding.port.PortProtocol.CompleteMove;
import io.portmesh.sharding.port.PortProtocol.Create;
import io.portmesh.sharding.port.PortProtocol.Delete;
import io.portmesh.sharding.port.PortProtocol.Exists;
import io.portmesh.sharding.port.PortProtocol.Get;
import io.portmesh.sharding.port.PortProtocol.GetMove;
import io.portmesh.sharding.port.PortProtocol.Move;
import io.portmesh.sharding.port.PortProtocol.Request;
import io.portmesh.sharding.port.PortProtocol.Touch;
import io.portmesh.sharding.port.PortProtocol.Unbind;
import io.portmesh.sharding.port.SelfMessage.ActivationCounted;
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
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
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
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.Recovery;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * A logical port. Its changes span three entities: its Host (access VLAN, local flows), its LogicalSwitch (the member
 * list every host of the switch gets) and itself. This class is the port's persistence (its events, how they make
 * {@link PortState}, its journal) and the routing of its commands ({@link PortProtocol}) to the jobs that run them:
 * {@link PortCreation} (Create), {@link BindingSteps} (Bind, Unbind, Delete: the state machine and what each step's
 * failure leaves), {@link MoveStart} and {@link MoveEnd} (a live move), one change at a time ({@link PortTurns}: the commands that come
 * meanwhile wait in the stash). Its replies come after asks to the others, hence not the enforced-replies variant.
 *
 * <p>The events stay here, by these names: the class name is the Jackson manifest in the journal.
 */
public final class LogicalPortEntity
        extends EventSourcedBehavior<PortProtocol.Command, LogicalPortEntity.Event, PortState> {
    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "LogicalPort");

    /** Requests waiting for a change in progress beyond this many are refused: the stash is bounded. */
    public static final int MAX_WAITING = 100;

    static final String CLIENT_DEADLINE = "client-deadline";
    static final String RETRY = "retry";
    static final String MOVE_DEADLINE = "move-deadline";
    /** How long a live move waits for its activation by default: vMotion of a large VM takes minutes. */
    public static final Duration DEFAULT_MOVE_TIMEOUT = Duration.ofMinutes(10);

    public sealed interface Event extends CborSerializable {}

    /** {@code requestId}: the API request's ({@link RequestIds}); null in events written before there were any. */
    public record Created(String switchId, int vni, String mac, List<String> ips, String name, String requestId)
            implements Event {
        public Created(String switchId, int vni, String mac, List<String> ips, String name) {
            this(switchId, vni, mac, ips, name, null);
        }
    }

    public record Bound(String host, int vlan, String tunnelIp) implements Event {}

    public record Unbound(String host) implements Event {}

    public record Deleted() implements Event {}

    /**
     * A change that asks the host is under way (persisted before the ask): a restart resumes it. {@code requestId}: the
     * API request's ({@link RequestIds}), null when none (and in events written before there were any).
     */
    public record ChangeStarted(PortChange change, String requestId) implements Event {
        public ChangeStarted(PortChange change) {
            this(change, null);
        }
    }

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

    final String portId;
    final ActorContext<Command> ctx;
    final TimerScheduler<Command> timers;
    private final ClusterSharding sharding;
    final Duration askTimeout;
    final Duration realizeTimeout;
    final Duration moveTimeout;
    final NodeMetrics metrics;
    /** One change at a time, and the requests that wait for it. */
    final PortTurns turns;
    /** The API requests handled, so that a resent copy is not run twice. */
    private final RequestIds requests;

    private final PortCreation creation;
    final BindingSteps bindings;
    final MoveStart moveStart;
    final MoveEnd moveEnd;
    private final MoveDeadlineCheck deadlineCheck;

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
        this.turns = new PortTurns(this);
        this.requests = new RequestIds(portId);
        this.creation = new PortCreation(this);
        this.bindings = new BindingSteps(this);
        this.moveStart = new MoveStart(this);
        this.moveEnd = new MoveEnd(this);
        this.deadlineCheck = new MoveDeadlineCheck(this);
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

    /** How long a client waits for a {@link ChangeRequest}'s answer: {@link PortDeadlines#clientTimeout}. */
    public static Duration clientTimeout(Duration askTimeout, Duration realizeTimeout, boolean awaitRealized) {
        return PortDeadlines.clientTimeout(askTimeout, realizeTimeout, awaitRealized);
    }

    /** How long a client waits for a move's answer: {@link PortDeadlines#moveClientTimeout}. */
    public static Duration moveClientTimeout(Duration askTimeout, Duration realizeTimeout, boolean awaitRealized) {
        return PortDeadlines.moveClientTimeout(askTimeout, realizeTimeout, awaitRealized);
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
                .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), PortReplies.info(portId, s)))
                .onCommand(GetMove.class, (s, c) -> Effect().reply(c.replyTo(), PortReplies.moveInfo(portId, s)))
                .onCommand(
                        c -> turns.busy() && c instanceof Request<?>,
                        (s, c) -> requests.whileBusy(s, (Request<?>) c, turns::waitForTurn, Effect()))
                .onCommand(
                        c -> turns.busy()
                                && (c instanceof Activate
                                        || c instanceof MoveDeadline
                                        || c instanceof ActivationCounted),
                        turns::stashOnce)
                .onCommand(Touch.class, (s, c) -> Effect().none())
                .onCommand(TellMovingAgain.class, (s, c) -> moveStart.tellMovingAgain(s))
                .onCommand(Exists.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(s.exists())))
                .onCommand(Create.class, (s, c) -> requests.once(s, c, creation::onCreate, Effect()))
                .onCommand(Bind.class, (s, c) -> requests.once(s, c, bindings::onBind, Effect()))
                .onCommand(Unbind.class, (s, c) -> requests.once(s, c, bindings::onUnbind, Effect()))
                .onCommand(Delete.class, (s, c) -> requests.once(s, c, bindings::onDelete, Effect()))
                .onCommand(JoinedSwitch.class, creation::onJoinedSwitch)
                .onCommand(HostBound.class, bindings::onHostBound)
                .onCommand(HostUnbound.class, bindings::onHostUnbound)
                .onCommand(AskHostAgain.class, bindings::onAskHostAgain)
                .onCommand(SwitchTold.class, bindings::onSwitchTold)
                .onCommand(Move.class, (s, c) -> moveStart.onMove(s, c))
                .onCommand(CompleteMove.class, (s, c) -> moveEnd.onComplete(s, c))
                .onCommand(CancelMove.class, (s, c) -> moveEnd.onCancel(s, c))
                .onCommand(Activate.class, (s, c) -> moveEnd.onActivate(s, c))
                .onCommand(MoveDeadline.class, (s, c) -> deadlineCheck.onDeadline(s))
                .onCommand(ActivationCounted.class, deadlineCheck::onCounted)
                .onCommand(Unwind.class, (s, c) -> moveEnd.unwind(s, c.endState(), c.then()))
                .onCommand(MoveSwitchTold.class, (s, c) -> moveEnd.onSwitchTold(s, c))
                .onCommand(MoveHostReleased.class, (s, c) -> moveEnd.onHostReleased(s, c))
                .onCommand(ArrivalConfirmed.class, (s, c) -> moveEnd.onArrivalConfirmed(s, c))
                .onCommand(CleanupRealized.class, (s, c) -> moveEnd.onCleanupRealized(s, c))
                .onCommand(MoveStepAgain.class, (s, c) -> moveEnd.stepAgain(s))
                .onCommand(LeftSwitch.class, bindings::onLeftSwitch)
                .onCommand(ClientDeadline.class, (s, c) -> turns.onClientDeadline())
                .build();
    }

    /** The effects of this entity, for the jobs it routes commands to. */
    EffectFactories<Event, PortState> effects() {
        return Effect();
    }

    @Override
    public SignalHandler<PortState> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.class, (s, signal) -> bindings.resume(s))
                .build();
    }

    /** Runs an ask; its answer or error comes back as a command. Not the ask itself: see {@link Futures}. */
    <T> void pipe(CompletionStage<T> ask, BiFunction<T, Throwable, Command> result) {
        ctx.pipeToSelf(Futures.on(ask, ctx.getExecutionContext()), result::apply);
    }

    EntityRef<HostProtocol.Command> hostRef(String host) {
        return sharding.entityRefFor(HostEntity.TYPE_KEY, host);
    }

    EntityRef<SwitchProtocol.Command> switchRef(String sw) {
        return sharding.entityRefFor(LogicalSwitchEntity.TYPE_KEY, sw);
    }

    @Override
    public EventHandler<PortState, Event> eventHandler() {
        return newEventHandlerBuilder()
                .forAnyState()
                .onEvent(
                        Created.class,
                        (s, e) -> s.created(e.switchId(), e.vni(), e.mac(), e.ips(), e.name())
                                .withRequest(e.requestId()))
                .onEvent(ChangeStarted.class, (s, e) -> s.started(e.change()).withRequest(e.requestId()))
                .onEvent(Bound.class, (s, e) -> s.bound(e.host(), e.vlan(), e.tunnelIp()))
                .onEvent(Unbound.class, (s, e) -> s.unbound(e.host()))
                .onEvent(ChangeAbandoned.class, (s, e) -> s.abandoned())
                .onEvent(Deleted.class, (s, e) -> s.deleted())
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
