package io.portmesh.sharding.lswitch;

import io.portmesh.model.CborSerializable;
import io.portmesh.sharding.Errors;
import io.portmesh.sharding.host.HostFanout;
import io.portmesh.sharding.host.HostProtocol;
import io.portmesh.sharding.lswitch.SwitchProtocol.AddPort;
import io.portmesh.sharding.lswitch.SwitchProtocol.Command;
import io.portmesh.sharding.lswitch.SwitchProtocol.Create;
import io.portmesh.sharding.lswitch.SwitchProtocol.Delete;
import io.portmesh.sharding.lswitch.SwitchProtocol.Get;
import io.portmesh.sharding.lswitch.SwitchProtocol.GetMembers;
import io.portmesh.sharding.lswitch.SwitchProtocol.HostVersions;
import io.portmesh.sharding.lswitch.SwitchProtocol.KeepBinding;
import io.portmesh.sharding.lswitch.SwitchProtocol.RemovePort;
import io.portmesh.sharding.lswitch.SwitchProtocol.SetBinding;
import io.portmesh.sharding.lswitch.SwitchProtocol.SetHostEndpoint;
import io.portmesh.sharding.lswitch.SwitchProtocol.SetMoving;
import io.portmesh.sharding.lswitch.SwitchSelfMessage.CheckMembers;
import io.portmesh.sharding.lswitch.SwitchSelfMessage.GhostChecked;
import io.portmesh.sharding.lswitch.SwitchSelfMessage.MembersChecked;
import io.portmesh.sharding.lswitch.SwitchSelfMessage.Told;
import io.portmesh.sharding.port.PortProtocol;
import io.portmesh.sharding.service.SwitchInfo;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * A logical switch (one VNI): its member ports, their MACs (unique inside the switch) and where each is bound. When a
 * binding changes it tells every host that carries the switch the new member list (hosts keep it in memory, they do
 * not persist it), and answers with the plan version each host reached, so that the caller can wait for realization.
 */
public final class LogicalSwitchEntity
        extends EventSourcedBehaviorWithEnforcedReplies<
                SwitchProtocol.Command, LogicalSwitchEntity.Event, SwitchState> {
    /**
     * The most ports a switch holds. Its member list ({@link SwitchMembers}) travels to hosts on other nodes as one
     * message, and Artery drops a message over its 256 KiB frame: 154 bytes a member measured, about 200 while it
     * moves with a standby; {@code LogicalSwitchMembersSizeTest} checks a full list of moving members fits. Until the
     * list travels in parts, a switch is refused its next port here, with the reason, rather than left silently
     * unrealized.
     */
    public static final int MAX_PORTS = 1_200;

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "LogicalSwitch");
    public static final String TAG = "switch";

    public sealed interface Event extends CborSerializable {}

    public record Created(int vni) implements Event {}

    public record PortAdded(String port, String mac) implements Event {}

    public record PortRemoved(String port) implements Event {}

    /**
     * The member's port is known to exist (it answered {@link PortProtocol.Exists}): the member is no ghost. Not written
     * for a member that binds (its binding says as much), nor by switches before ghosts were looked for: their unbound
     * members are unconfirmed when replayed ({@link MemberChecks}).
     */
    public record MemberConfirmed(String port) implements Event {}

    /** {@code movingTo}, {@code movingToTunnelIp}: null unless the port moves live (events before moves have none). */
    public record BindingChanged(String port, String host, String tunnelIp, String movingTo, String movingToTunnelIp)
            implements Event {
        public BindingChanged(String port, String host, String tunnelIp) {
            this(port, host, tunnelIp, null, null);
        }
    }

    public record Deleted() implements Event {}

    /** A host's tunnel endpoint changed by a failover ({@link SetHostEndpoint}). */
    public record HostEndpointChanged(String host, String tunnelIp, String standbyTunnelIp, long epoch)
            implements Event {}

    /** How a switch tells its hosts of a change: this node's {@link HostFanout} (a stub in unit tests). */
    @FunctionalInterface
    public interface HostNotifier {
        /** Completes with each host's answer, or exceptionally when a host could not be reached in time. */
        CompletionStage<Map<String, HostProtocol.Applied>> inform(
                HostFanout.Update update, Collection<String> hosts, boolean await, Duration timeout);
    }

    private final String switchId;
    /** Tells the switch's hosts of its changes and collects their plan versions. */
    private final SwitchHosts switchHosts;
    /** Asks the ports of unconfirmed members whether they exist, to remove the ghosts. */
    private final MemberChecks memberChecks;
    /** Ports joining and leaving. */
    private final SwitchJoins joins;

    private LogicalSwitchEntity(
            ActorContext<Command> ctx,
            TimerScheduler<Command> timers,
            String switchId,
            ClusterSharding sharding,
            HostNotifier hostNotifier,
            Duration askTimeout,
            Duration realizeTimeout,
            Duration checkInterval) {
        super(PersistenceId.of(TYPE_KEY.name(), switchId));
        this.switchId = switchId;
        this.switchHosts = new SwitchHosts(switchId, hostNotifier, askTimeout, realizeTimeout, ctx.getSelf());
        this.memberChecks = new MemberChecks(ctx, timers, sharding, checkInterval, askTimeout);
        this.joins = new SwitchJoins(switchId, ctx, Effect(), switchHosts, memberChecks);
    }

    /**
     * How long a member stays unconfirmed before its port is asked whether it exists: two asks, by when the port's own
     * ask to join has been answered or has timed out; not a bound a creation must meet (the port's answer waits for a
     * creation under way), only what keeps the ports that bind soon after their creation from being asked at all.
     */
    public static Duration checkInterval(Duration askTimeout) {
        return askTimeout.multipliedBy(2);
    }

    public static void init(ActorSystem<?> system, Duration askTimeout, Duration realizeTimeout) {
        ClusterSharding sharding = ClusterSharding.get(system);
        HostNotifier hosts = HostFanout.get(system)::inform;
        sharding.init(
                Entity.of(TYPE_KEY, ctx -> create(ctx.getEntityId(), sharding, hosts, askTimeout, realizeTimeout)));
    }

    public static Behavior<Command> create(
            String id,
            ClusterSharding sharding,
            HostNotifier hostNotifier,
            Duration askTimeout,
            Duration realizeTimeout) {
        return create(id, sharding, hostNotifier, askTimeout, realizeTimeout, checkInterval(askTimeout));
    }

    /** As above, with unconfirmed members asked about every {@code checkInterval} (tests: shorter than the asks). */
    public static Behavior<Command> create(
            String id,
            ClusterSharding sharding,
            HostNotifier hostNotifier,
            Duration askTimeout,
            Duration realizeTimeout,
            Duration checkInterval) {
        return Behaviors.withTimers(timers -> Behaviors.setup(ctx -> new LogicalSwitchEntity(
                ctx, timers, id, sharding, hostNotifier, askTimeout, realizeTimeout, checkInterval)));
    }

    @Override
    public SwitchState emptyState() {
        return SwitchState.empty(switchId);
    }

    @Override
    public Set<String> tagsFor(Event event) {
        // only what the read side lists: every tag costs a second Cassandra write per event
        return event instanceof BindingChanged || event instanceof MemberConfirmed ? Set.of() : Set.of(TAG);
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(100, 2);
    }

    @Override
    public CommandHandlerWithReply<Command, Event, SwitchState> commandHandler() {
        return newCommandHandlerWithReplyBuilder()
                .forAnyState()
                .onCommand(Create.class, this::onCreate)
                .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), info(s)))
                .onCommand(
                        GetMembers.class,
                        (s, c) -> Effect()
                                .reply(
                                        c.replyTo(),
                                        s.exists()
                                                ? StatusReply.success(s.boundMembers())
                                                : Errors.notFound("no switch " + switchId)))
                .onCommand(AddPort.class, joins::onAddPort)
                .onCommand(GhostChecked.class, joins::onGhostChecked)
                .onCommand(CheckMembers.class, (s, c) -> {
                    memberChecks.sweep(s);
                    return Effect().noReply();
                })
                .onCommand(MembersChecked.class, joins::onMembersChecked)
                .onCommand(RemovePort.class, joins::onRemovePort)
                .onCommand(SetBinding.class, this::onSetBinding)
                .onCommand(
                        SetMoving.class,
                        (s, c) -> rebind(
                                s,
                                new SwitchMembers.Member(
                                        c.port().value(),
                                        null,
                                        text(c.host()),
                                        text(c.tunnelIp()),
                                        text(c.moveTo()),
                                        text(c.moveToTunnelIp())),
                                null,
                                c.awaitRealized(),
                                c.replyTo()))
                .onCommand(SetHostEndpoint.class, this::onSetHostEndpoint)
                .onCommand(KeepBinding.class, this::onKeepBinding)
                .onCommand(Told.class, this::onTold)
                .onCommand(Delete.class, this::onDelete)
                .build();
    }

    private ReplyEffect<Event, SwitchState> onCreate(SwitchState s, Create c) {
        if (s.exists() && s.vni() == c.vni().value()) {
            // the same switch again: a create retried after it answered 503 (the VNI registry gives a switch the
            // VNI it already holds), or a second client wanting the same switch; either way the switch it asks for
            // exists, as a host registered again with its tunnel IP does
            return Effect().reply(c.replyTo(), info(s));
        }
        if (s.exists()) {
            return Effect()
                    .reply(
                            c.replyTo(),
                            Errors.conflict("switch " + switchId + " already exists (vni " + s.vni() + ")"));
        }
        return Effect().persist(new Created(c.vni().value())).thenReply(c.replyTo(), this::info);
    }

    private ReplyEffect<Event, SwitchState> onSetHostEndpoint(SwitchState s, SetHostEndpoint c) {
        Set<String> hosts = SwitchHosts.hostsOf(s.boundMembers());
        boolean hasMember = s.members().values().stream().anyMatch(m -> m.isOn(text(c.host())));
        if (!s.exists()
                || !hasMember // its last port left meanwhile: no record (see SwitchState.rebound)
                || !s.endpointChanges(text(c.host()), text(c.tunnelIp()), text(c.standbyTunnelIp()), c.epoch())) {
            // nothing new (a repeated ask whose answer was lost): the hosts hold it, or learn it again here
            switchHosts.inform(
                    new HostFanout.Update(switchId, null, s.boundMembers(), hosts),
                    hosts,
                    c.awaitRealized(),
                    s.version(),
                    c.replyTo());
            return Effect().noReply();
        }
        return Effect()
                .persist(new HostEndpointChanged(
                        text(c.host()), text(c.tunnelIp()), text(c.standbyTunnelIp()), c.epoch()))
                .thenRun(ns -> switchHosts.inform(
                        new HostFanout.Update(switchId, null, ns.boundMembers(), hosts),
                        hosts,
                        c.awaitRealized(),
                        ns.version(),
                        c.replyTo()))
                .thenNoReply();
    }

    private ReplyEffect<Event, SwitchState> onSetBinding(SwitchState s, SetBinding c) {
        return rebind(
                s,
                new SwitchMembers.Member(c.port().value(), null, text(c.host()), text(c.tunnelIp())),
                text(c.leftHost()),
                c.awaitRealized(),
                c.replyTo());
    }

    /**
     * The member's binding becomes {@code wanted}'s (its host, endpoint and move; the MAC is the switch's own).
     * {@code leftHost}: a host to tell besides the switch's hosts (see {@link SetBinding#leftHost}).
     */
    private ReplyEffect<Event, SwitchState> rebind(
            SwitchState s,
            SwitchMembers.Member wanted,
            String leftHost,
            boolean await,
            ActorRef<StatusReply<HostVersions>> replyTo) {
        wanted = s.withCurrentEndpoints(wanted); // a binding answered before its host failed over names the old one
        SwitchMembers.Member m = s.members().get(wanted.port());
        if (m == null) {
            return Effect().reply(replyTo, Errors.notFound("port " + wanted.port() + " is not in switch " + switchId));
        }
        Set<String> informed = SwitchHosts.hostsOf(s.boundMembers());
        if (leftHost != null) {
            informed.add(leftHost);
        }
        if (sameBinding(m, wanted)) {
            // a port repeating its binding: its earlier fan-out failed, or its node died before the switch answered.
            // Nothing new to persist, but some host may have missed the change: tell them again.
            switchHosts.tellAgain(s, informed, await, replyTo);
            return Effect().noReply();
        }
        return Effect()
                .persist(new BindingChanged(
                        wanted.port(), wanted.host(), wanted.tunnelIp(), wanted.movingTo(), wanted.movingToTunnelIp()))
                .thenRun(ns -> switchHosts.tellChange(ns, informed, await, replyTo))
                .thenNoReply();
    }

    private static boolean sameBinding(SwitchMembers.Member a, SwitchMembers.Member b) {
        return Objects.equals(a.host(), b.host())
                && Objects.equals(a.tunnelIp(), b.tunnelIp())
                && Objects.equals(a.movingTo(), b.movingTo())
                && Objects.equals(a.movingToTunnelIp(), b.movingToTunnelIp());
    }

    private ReplyEffect<Event, SwitchState> onKeepBinding(SwitchState s, KeepBinding c) {
        SwitchMembers.Member m = s.members().get(c.port().value());
        if (m == null
                || !sameBinding(
                        m,
                        s.withCurrentEndpoints(new SwitchMembers.Member(
                                c.port().value(), null, text(c.host()), text(c.tunnelIp()))))) {
            return onSetBinding(s, new SetBinding(c.port(), c.host(), c.tunnelIp(), c.leftHost(), false, c.replyTo()));
        }
        if (switchHosts.allHold(s.version())) {
            return Effect().reply(c.replyTo(), StatusReply.success(new HostVersions(Map.of(), List.of())));
        }
        switchHosts.keep(s, c.replyTo());
        return Effect().noReply();
    }

    /** A typed id or address as the text the switch's state and events hold (null stays null). */
    private static String text(Object idOrAddress) {
        return idOrAddress == null ? null : idOrAddress.toString();
    }

    private ReplyEffect<Event, SwitchState> onTold(SwitchState s, Told t) {
        switchHosts.told(t);
        return Effect().noReply();
    }

    private ReplyEffect<Event, SwitchState> onDelete(SwitchState s, Delete c) {
        if (!s.exists()) {
            return Effect().reply(c.replyTo(), Errors.notFound("no switch " + switchId));
        }
        if (!s.members().isEmpty()) {
            return Effect()
                    .reply(
                            c.replyTo(),
                            Errors.conflict("switch " + switchId + " still has "
                                    + s.members().size() + " ports; delete them first"));
        }
        int vni = s.vni();
        return Effect().persist(new Deleted()).thenReply(c.replyTo(), ns -> StatusReply.success(vni));
    }

    private StatusReply<SwitchInfo> info(SwitchState s) {
        if (!s.exists()) {
            return Errors.notFound("no switch " + switchId);
        }
        return StatusReply.success(
                new SwitchInfo(switchId, s.vni(), List.copyOf(s.members().keySet())));
    }

    @Override
    public SignalHandler<SwitchState> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.class, (s, signal) -> memberChecks.watch(s))
                .build();
    }

    @Override
    public EventHandler<SwitchState, Event> eventHandler() {
        return newEventHandlerBuilder()
                .forAnyState()
                .onEvent(Created.class, (s, e) -> s.created(e.vni()))
                .onEvent(PortAdded.class, (s, e) -> s.added(new SwitchMembers.Member(e.port(), e.mac(), null, null)))
                .onEvent(PortRemoved.class, (s, e) -> s.withoutMember(e.port()))
                .onEvent(MemberConfirmed.class, (s, e) -> s.confirmed(e.port()))
                .onEvent(BindingChanged.class, (s, e) -> {
                    SwitchMembers.Member m = s.members().get(e.port());
                    return s.rebound(s.withCurrentEndpoints(new SwitchMembers.Member(
                            e.port(), m.mac(), e.host(), e.tunnelIp(), e.movingTo(), e.movingToTunnelIp())));
                })
                .onEvent(
                        HostEndpointChanged.class,
                        (s, e) -> s.endpointChanged(e.host(), e.tunnelIp(), e.standbyTunnelIp(), e.epoch()))
                .onEvent(Deleted.class, (s, e) -> s.deleted())
                .build();
    }
}
