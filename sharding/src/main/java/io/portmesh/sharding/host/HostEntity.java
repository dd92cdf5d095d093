package io.portmesh.sharding.host;

import io.portmesh.model.AgentPin;
import io.portmesh.model.CborSerializable;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.sharding.Errors;
import io.portmesh.sharding.host.HostProtocol.Acked;
import io.portmesh.sharding.host.HostProtocol.ActivationSeen;
import io.portmesh.sharding.host.HostProtocol.AgentConnected;
import io.portmesh.sharding.host.HostProtocol.AgentDisconnected;
import io.portmesh.sharding.host.HostProtocol.ApplyMemberChange;
import io.portmesh.sharding.host.HostProtocol.ApplySwitchMembers;
import io.portmesh.sharding.host.HostProtocol.AwaitRealized;
import io.portmesh.sharding.host.HostProtocol.BindPort;
import io.portmesh.sharding.host.HostProtocol.Command;
import io.portmesh.sharding.host.HostProtocol.ConfirmArrival;
import io.portmesh.sharding.host.HostProtocol.CountActivation;
import io.portmesh.sharding.host.HostProtocol.Failover;
import io.portmesh.sharding.host.HostProtocol.Get;
import io.portmesh.sharding.host.HostProtocol.Installed;
import io.portmesh.sharding.host.HostProtocol.PinAgents;
import io.portmesh.sharding.host.HostProtocol.PushFailed;
import io.portmesh.sharding.host.HostProtocol.Register;
import io.portmesh.sharding.host.HostProtocol.RoleStale;
import io.portmesh.sharding.host.HostProtocol.SwitchDirectory;
import io.portmesh.sharding.host.HostProtocol.TrunkReported;
import io.portmesh.sharding.host.HostProtocol.UnbindPort;
import io.portmesh.sharding.host.HostSelfMessage.CheckFailover;
import io.portmesh.sharding.host.HostSelfMessage.ElectMaster;
import io.portmesh.sharding.host.HostSelfMessage.ElectWhenQuorum;
import io.portmesh.sharding.host.HostSelfMessage.EndpointRetry;
import io.portmesh.sharding.host.HostSelfMessage.EndpointTold;
import io.portmesh.sharding.host.HostSelfMessage.ExpireWaiters;
import io.portmesh.sharding.host.HostSelfMessage.FailoverDeadline;
import io.portmesh.sharding.host.HostSelfMessage.FetchMembers;
import io.portmesh.sharding.host.HostSelfMessage.MembersFetched;
import io.portmesh.sharding.host.HostSelfMessage.ReadAgain;
import io.portmesh.sharding.host.HostSelfMessage.ReassertTrunks;
import io.portmesh.sharding.host.HostSelfMessage.Repointed;
import io.portmesh.sharding.host.HostSelfMessage.RoleStaleAgain;
import io.portmesh.sharding.host.HostSelfMessage.StartIncarnation;
import io.portmesh.sharding.host.HostSelfMessage.TouchArrivals;
import io.portmesh.sharding.lswitch.LogicalSwitchEntity;
import io.portmesh.sharding.lswitch.SwitchMembers;
import io.portmesh.sharding.lswitch.SwitchProtocol;
import io.portmesh.sharding.service.HostInfo;
import io.portmesh.sharding.southbound.SessionCommand;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
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
 * A hypervisor host: its tunnel endpoint, its access VLANs and the ports bound on it (persisted, {@link HostState});
 * and, at runtime, the members of its logical switches as the switches last sent them, its agents' OpenFlow
 * connections, which of them is master, and how far each agent has realized the plan ({@link HostSouthbound}).
 */
public final class HostEntity
        extends EventSourcedBehaviorWithEnforcedReplies<HostProtocol.Command, HostEntity.Event, HostState> {
    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Host");
    public static final String TAG = "host";

    /** How often an election put off for want of a majority is tried again. */
    static final Duration QUORUM_RECHECK = Duration.ofMillis(250);

    public sealed interface Event extends CborSerializable {}

    public record Registered(String tunnelIp) implements Event {}

    /** {@code arriving}: bound by a live move not yet activated (false in events written before moves). */
    public record PortBound(String port, String mac, String switchId, int vni, int vlan, boolean arriving)
            implements Event {
        public PortBound(String port, String mac, String switchId, int vni, int vlan) {
            this(port, mac, switchId, vni, vlan, false);
        }
    }

    /** The port that moved here was activated: bound here for good. */
    public record PortArrived(String port) implements Event {}

    /** The VM of a port arriving here announced itself (its RARP or ARP): the port is told until it confirms. */
    public record ArrivalAnnounced(String port) implements Event {}

    public record PortUnbound(String port) implements Event {}

    /**
     * Written by versions before member lists became runtime state; replayed as nothing (the lists are fetched from
     * the switches at recovery). Kept so that an existing journal still reads.
     */
    @Deprecated
    public record SwitchMembersChanged(String switchId, Object members) implements Event {}

    /** Mastership changed: the generation id sent with ROLE_REQUEST; it never goes down, across restarts too. */
    public record MasterElected(long generation) implements Event {}

    /**
     * A new incarnation of the entity started (recovery, a move to another node): the generation grows so that plan
     * versions, whose high half it is, never repeat one an earlier incarnation handed out, even for a host that never
     * elected a master. The next election goes past it too.
     */
    public record IncarnationStarted(long generation) implements Event {}

    /** An agent slot other than {@code a} announced its tunnel endpoint (slot a's is the registered one). */
    public record SlotEndpointLearned(String slot, String tep) implements Event {}

    /**
     * The host's active switch VM changed (docs/architecture.md section 7.2): {@code slot}'s trunk is to be up, the
     * others' down, and peers tunnel to its endpoint. {@code epoch} orders the failovers of this host.
     */
    public record ActiveSlotChanged(String slot, boolean planned, String reason, long epoch) implements Event {}

    /**
     * The host's pins were set or replaced (docs/architecture.md section 13.1): slot -> pin, empty for none. A host
     * with no such event pins nothing, as hosts registered before pins existed.
     */
    public record AgentsPinned(Map<String, AgentPin> pins) implements Event {}

    private final String hostId;
    private final ActorContext<Command> ctx;
    private final HostSouthbound southbound;
    private final MemberFetches fetches;
    private final HostArrivals arrivals;
    private final HostEndpoints endpoints;
    private final HostFailover failover;
    /** The ports bound here and the member lists of their switches: the commands of both. */
    private final HostBindings bindings;

    private final Duration realizeTimeout;
    /** Elections only while this node sees a majority of the cluster (see {@link ClusterQuorum}). */
    private final BooleanSupplier quorum;
    /** Peers send the standby a copy of every frame ({@link #standbyTep}); default on. */
    private final boolean dualDelivery;

    static final String DUAL_DELIVERY = "portmesh.controller.failover.dual-delivery";
    /** False from recovery until this incarnation's generation is persisted: commands wait in the stash. */
    private boolean started;
    /** An election waits for the majority ({@link #mayElect}); one retry is scheduled at a time. */
    private boolean electionPutOff;
    /** When the active agent's last connection went, 0 while it has one. */
    private long activeLostNanos;

    /**
     * How long a new incarnation waits for the sessions of every node to announce themselves before it takes an
     * active agent it never saw for lost. Sessions announce at once when the incarnation they knew stops; a failover
     * on an incomplete picture would take the trunk from a live agent.
     */
    static final Duration FAILOVER_START_GRACE = Duration.ofSeconds(5);

    /**
     * How long a slot whose master connection went waits before it elects another of its connections. A killed agent
     * closes all its connections within a few milliseconds; electing at the first would persist a generation (tens of
     * milliseconds on a loaded Cassandra) before the entity sees the others go, and the failover would wait for it.
     */
    static final Duration MASTER_SETTLE = Duration.ofMillis(20);

    private HostEntity(
            ActorContext<Command> ctx,
            String hostId,
            String selfNode,
            Duration realizeTimeout,
            SwitchDirectory switches,
            HostArrivals.Listener arrivals,
            HostFanout fanout,
            BooleanSupplier quorum) {
        // a write that fails (Cassandra away) restarts the entity with backoff, not at the pace sessions re-announce
        super(
                PersistenceId.of(TYPE_KEY.name(), hostId),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
        this.hostId = hostId;
        this.ctx = ctx;
        this.southbound = new HostSouthbound(ctx, selfNode, realizeTimeout);
        this.fetches = new MemberFetches(ctx, switches);
        this.arrivals = new HostArrivals(ctx, hostId, arrivals);
        this.endpoints = new HostEndpoints(ctx, switches);
        this.failover = new HostFailover(io.portmesh.sharding.metrics.NodeMetrics.get(ctx.getSystem()));
        this.bindings = new HostBindings(hostId, ctx, southbound, fetches, this.arrivals, this::Effect, this::info);
        this.realizeTimeout = realizeTimeout;
        this.quorum =
                quorum != null ? quorum : ClusterQuorum.of(org.apache.pekko.cluster.typed.Cluster.get(ctx.getSystem()));
        com.typesafe.config.Config config = ctx.getSystem().settings().config();
        this.dualDelivery = !config.hasPath(DUAL_DELIVERY) || config.getBoolean(DUAL_DELIVERY);
        if (fanout != null) { // this node's fan-out learns that the host runs here (null in unit tests)
            fanout.hostStarted(hostId, ctx.getSelf());
        }
    }

    public static void init(ActorSystem<?> system, Duration realizeTimeout, Duration askTimeout) {
        String self = org.apache.pekko.cluster.typed.Cluster.get(system)
                .selfMember()
                .address()
                .toString();
        ClusterSharding sharding = ClusterSharding.get(system);
        SwitchDirectory directory = new SwitchDirectory() {
            @Override
            public CompletionStage<SwitchMembers> members(String switchId) {
                return sharding.entityRefFor(LogicalSwitchEntity.TYPE_KEY, switchId)
                        .askWithStatus(SwitchProtocol.GetMembers::new, askTimeout);
            }

            @Override
            public CompletionStage<?> setEndpoint(
                    String switchId, String host, String tunnelIp, String standbyTunnelIp, long epoch) {
                return sharding.entityRefFor(LogicalSwitchEntity.TYPE_KEY, switchId)
                        .<SwitchProtocol.HostVersions>askWithStatus(
                                r -> new SwitchProtocol.SetHostEndpoint(
                                        HostId.of(host),
                                        Ipv4.parse(tunnelIp),
                                        standbyTunnelIp == null ? null : Ipv4.parse(standbyTunnelIp),
                                        epoch,
                                        true,
                                        r),
                                askTimeout.plus(realizeTimeout));
            }
        };
        HostFanout fanout = HostFanout.get(system);
        HostArrivals.Listener arrivals = new HostArrivals.Listener() {
            @Override
            public void vmArrived(String port, String host) {
                sharding.entityRefFor(io.portmesh.sharding.port.LogicalPortEntity.TYPE_KEY, port)
                        .tell(new io.portmesh.sharding.port.PortProtocol.Activate(
                                HostId.of(host), io.portmesh.sharding.port.PortProtocol.Activate.BY_RARP));
            }

            @Override
            public void touch(String port) {
                sharding.entityRefFor(io.portmesh.sharding.port.LogicalPortEntity.TYPE_KEY, port)
                        .tell(new io.portmesh.sharding.port.PortProtocol.Touch());
            }
        };
        sharding.init(Entity.of(
                TYPE_KEY, ctx -> create(ctx.getEntityId(), self, realizeTimeout, directory, arrivals, fanout)));
    }

    public static Behavior<Command> create(
            String hostId, String selfNode, Duration realizeTimeout, SwitchDirectory switches) {
        return create(hostId, selfNode, realizeTimeout, switches, (port, host) -> {}, null);
    }

    public static Behavior<Command> create(
            String hostId,
            String selfNode,
            Duration realizeTimeout,
            SwitchDirectory switches,
            HostArrivals.Listener arrivals) {
        return create(hostId, selfNode, realizeTimeout, switches, arrivals, null);
    }

    static Behavior<Command> create(
            String hostId,
            String selfNode,
            Duration realizeTimeout,
            SwitchDirectory switches,
            HostArrivals.Listener arrivals,
            HostFanout fanout) {
        return create(hostId, selfNode, realizeTimeout, switches, arrivals, fanout, null);
    }

    /** {@code quorum}: the election fence (null: this node's cluster, {@link ClusterQuorum#of}). */
    static Behavior<Command> create(
            String hostId,
            String selfNode,
            Duration realizeTimeout,
            SwitchDirectory switches,
            HostArrivals.Listener arrivals,
            HostFanout fanout,
            BooleanSupplier quorum) {
        return Behaviors.setup(
                ctx -> new HostEntity(ctx, hostId, selfNode, realizeTimeout, switches, arrivals, fanout, quorum));
    }

    @Override
    public HostState emptyState() {
        return HostState.empty(hostId);
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(100, 2);
    }

    @Override
    public Set<String> tagsFor(Event event) {
        // only what the read side lists: every tag costs a second Cassandra write per event
        return event instanceof Registered ? Set.of(TAG) : Set.of();
    }

    @Override
    public CommandHandlerWithReply<Command, Event, HostState> commandHandler() {
        return newCommandHandlerWithReplyBuilder()
                .forAnyState()
                .onCommand(StartIncarnation.class, this::onStart)
                .onCommand(c -> !started, (s, c) -> Effect().stash())
                .onCommand(Register.class, bindings::onRegister)
                .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), info(s)))
                .onCommand(PinAgents.class, this::onPin)
                .onCommand(BindPort.class, bindings::onBind)
                .onCommand(UnbindPort.class, bindings::onUnbind)
                .onCommand(HostSelfMessage.DepartureOver.class, bindings::onDepartureOver)
                .onCommand(ConfirmArrival.class, bindings::onConfirmArrival)
                .onCommand(ActivationSeen.class, bindings::onActivationSeen)
                .onCommand(CountActivation.class, (s, c) -> {
                    ActivationCounts.ask(s, c, southbound.master(s.activeSlot()));
                    return Effect().noReply();
                })
                .onCommand(AwaitRealized.class, (s, c) -> {
                    bindings.answer(c.version(), true, c.replyTo());
                    return Effect().noReply();
                })
                .onCommand(TouchArrivals.class, (s, c) -> {
                    arrivals.due(s);
                    return Effect().noReply();
                })
                .onCommand(ApplySwitchMembers.class, bindings::onMembers)
                .onCommand(ApplyMemberChange.class, bindings::onMemberChange)
                .onCommand(FetchMembers.class, (s, c) -> {
                    fetches.retry(southbound, c.switchId());
                    return Effect().noReply();
                })
                .onCommand(MembersFetched.class, (s, c) -> {
                    fetches.fetched(s, southbound, c);
                    return Effect().noReply();
                })
                .onCommand(ExpireWaiters.class, (s, c) -> {
                    southbound.expireWaiters();
                    return Effect().noReply();
                })
                .onCommand(AgentConnected.class, this::onConnected)
                .onCommand(AgentDisconnected.class, this::onDisconnected)
                .onCommand(Failover.class, this::onFailover)
                .onCommand(ElectMaster.class, (s, c) -> southboundEffect(s, southbound.electAfterSettle(c.slot())))
                .onCommand(CheckFailover.class, (s, c) -> {
                    southbound.applyTrunks(s); // slots not seen since the start no longer hold a trunk back
                    ReplyEffect<Event, HostState> effect = checkFailover(s);
                    // once the sessions announced themselves: a failover's re-pointing may have been cut short by
                    // the last incarnation's end, and the standby (if ready) gets its copies
                    announceStandbyIfChanged(s);
                    return effect;
                })
                .onCommand(EndpointTold.class, (s, c) -> {
                    endpoints.told(c);
                    return Effect().noReply();
                })
                .onCommand(EndpointRetry.class, (s, c) -> {
                    endpoints.retry(c);
                    return Effect().noReply();
                })
                .onCommand(Repointed.class, (s, c) -> {
                    failover.repointed(c.epoch(), () -> info(s));
                    if (c.epoch() == s.endpointEpoch()) {
                        southbound.trunks().hold(null); // make-before-break: now the old active's trunk may go down
                        southbound.applyTrunks(s);
                    }
                    return Effect().noReply();
                })
                .onCommand(FailoverDeadline.class, (s, c) -> {
                    failover.deadline(c.epoch(), () -> info(s));
                    return Effect().noReply();
                })
                .onCommand(Installed.class, (s, c) -> {
                    southbound.installed(s, c);
                    return Effect().noReply();
                })
                .onCommand(Acked.class, this::onAcked)
                .onCommand(TrunkReported.class, (s, c) -> {
                    southbound.trunkReported(s, c);
                    return Effect().noReply();
                })
                .onCommand(ReassertTrunks.class, (s, c) -> {
                    southbound.trunks().reassertSpacingOver();
                    southbound.applyTrunks(s);
                    return Effect().noReply();
                })
                .onCommand(PushFailed.class, (s, c) -> {
                    southbound.pushFailed(c.session(), c.seq(), c.reason());
                    return Effect().noReply();
                })
                .onCommand(RoleStale.class, this::onRoleStale)
                .onCommand(ElectWhenQuorum.class, (s, c) -> onElectWhenQuorum(s))
                .onCommand(RoleStaleAgain.class, (s, c) -> {
                    RoleStale pending = southbound.takePendingStale();
                    return pending == null ? Effect().noReply() : onRoleStale(s, pending);
                })
                .onCommand(ReadAgain.class, (s, c) -> {
                    southbound.readAgain(c.slot());
                    return Effect().noReply();
                })
                .build();
    }

    @Override
    public SignalHandler<HostState> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(org.apache.pekko.actor.typed.PostStop.class, (s, signal) -> southbound.stopped())
                .onSignal(RecoveryCompleted.class, (s, signal) -> {
                    ctx.getSelf().tell(new StartIncarnation());
                    Set<String> inUse = new TreeSet<>();
                    s.bindings().values().forEach(b -> inUse.add(b.switchId()));
                    southbound.recovered(s, inUse);
                    inUse.forEach(fetches::fetch);
                    arrivals.touch(s); // a port whose node died while it moved here resumes its move
                })
                .build();
    }

    private ReplyEffect<Event, HostState> onConnected(HostState s, AgentConnected c) {
        if (!s.exists()) {
            c.session()
                    .tell(new SessionCommand.Close("unknown host " + hostId + ": register it first (POST /v1/hosts)"));
            return Effect().noReply();
        }
        Optional<SessionCommand.Refuse> refused = HostPins.refusal(s, c.slot(), c.keySha256(), c.dpid());
        if (refused.isPresent()) {
            // before the host knows the connection: it takes no part in mastership (if it is a known one announcing
            // again after the pins changed, its close reaches this host as a disconnection)
            c.session().tell(refused.get());
            return Effect().noReply();
        }
        if (c.tep() != null
                && !HostState.FIRST_SLOT.equals(c.slot())
                && !c.tep().equals(s.endpointOf(c.slot()))) {
            if (c.tep().equals(s.tunnelIp())) {
                ctx.getLog()
                        .warn(
                                "host {}: slot {} announces slot a's tunnel endpoint {}; ignored (each switch VM needs"
                                        + " its own)",
                                hostId,
                                c.slot(),
                                c.tep());
            } else {
                boolean elected = southbound.connected(s, c);
                boolean newMaster = elected && mayElect();
                if (newMaster) {
                    southbound.masterElected();
                }
                List<Event> events = newMaster
                        ? List.of(new SlotEndpointLearned(c.slot(), c.tep()), new MasterElected(s.generation() + 1))
                        : List.of(new SlotEndpointLearned(c.slot(), c.tep()));
                return Effect()
                        .persist(events)
                        .thenRun(ns -> {
                            if (newMaster) {
                                southbound.announceRoles(ns);
                            }
                        })
                        .thenNoReply();
            }
        }
        if (c.slot().equals(s.activeSlot())) {
            activeLostNanos = 0; // the active is back: a later loss is timed afresh
        }
        return southboundEffect(s, southbound.connected(s, c));
    }

    private ReplyEffect<Event, HostState> onPin(HostState s, PinAgents c) {
        if (!s.exists()) {
            return Effect().reply(c.replyTo(), Errors.notFound("no host " + hostId));
        }
        if (s.pins().equals(c.pins())) {
            return Effect().reply(c.replyTo(), info(s));
        }
        return Effect()
                .persist(new AgentsPinned(c.pins()))
                .thenRun(ns -> southbound
                        .refuseUnpinned(ns)
                        .forEach(slot -> ctx.scheduleOnce(MASTER_SETTLE, ctx.getSelf(), new ElectMaster(slot))))
                .thenReply(c.replyTo(), this::info);
    }

    private ReplyEffect<Event, HostState> onDisconnected(HostState s, AgentDisconnected c) {
        String slot = southbound.slotName(c.session());
        if (southbound.disconnected(s, c.session())) {
            ctx.scheduleOnce(MASTER_SETTLE, ctx.getSelf(), new ElectMaster(slot));
        }
        if (activeLostNanos == 0 && southbound.trunks().activeLost()) {
            activeLostNanos = System.nanoTime();
        }
        ReplyEffect<Event, HostState> effect = checkFailover(s);
        announceStandbyIfChanged(s); // a standby lost gets no more copies
        return effect;
    }

    /** The standby's endpoint as the switches should have it now, announced when it changed (ready, or lost). */
    private void announceStandbyIfChanged(HostState s) {
        if (!failover.underway()) {
            endpoints.announceIfChanged(s, standbyTep(s));
        }
    }

    private ReplyEffect<Event, HostState> onAcked(HostState s, Acked c) {
        for (Boolean up : southbound.acked(s, c.session(), c.seq())) {
            String slot = southbound.slotName(c.session());
            ctx.getLog().info("host {}: trunk of slot {} confirmed {}", hostId, slot, up ? "up" : "down");
            failover.trunkConfirmed(slot, up, () -> info(s));
        }
        ReplyEffect<Event, HostState> effect = checkFailover(s); // a standby that just got the plan may be awaited
        announceStandbyIfChanged(s); // a standby that just got the plan gets copies from now on
        return effect;
    }

    /**
     * The endpoint peers send a copy of every frame to, so that the standby switch VM can deliver the last moments'
     * frames when it takes over (docs/architecture.md section 7.2): the other slot's, when known and dual delivery is
     * on ({@code portmesh.controller.failover.dual-delivery}); null otherwise.
     */
    private String standbyTep(HostState s) {
        if (!dualDelivery) {
            return null;
        }
        String other = HostState.FIRST_SLOT.equals(s.activeSlot()) ? "b" : HostState.FIRST_SLOT;
        String tep = s.endpointOf(other);
        if (tep == null || tep.equals(s.activeTep()) || !southbound.trunks().ready(other)) {
            return null; // no standby, or one that is gone or does not hold the plan: no copies
        }
        return tep;
    }

    /**
     * Fails over when the active agent is lost on every node and a standby holds the plan. A failover under way whose
     * target is lost too is abandoned first: the slot it left may be the one to go back to.
     */
    private ReplyEffect<Event, HostState> checkFailover(HostState s) {
        if (!s.exists()) {
            return Effect().noReply();
        }
        if (failover.underway()) {
            if (southbound.trunks().connected(failover.target())) {
                return Effect().noReply();
            }
            ctx.getLog()
                    .warn(
                            "host {}: the failover to slot {} is abandoned: that agent is lost too",
                            hostId,
                            failover.target());
            failover.abandon(() -> info(s));
        }
        String to = southbound.trunks().failoverTarget(s, southbound.trunks().graceOver());
        if (to == null) {
            return Effect().noReply();
        }
        return failOver(
                s, to, false, "the agent of slot " + s.activeSlot() + " is lost on every controller node", null);
    }

    private ReplyEffect<Event, HostState> onFailover(HostState s, Failover c) {
        if (!s.exists()) {
            return Effect().reply(c.replyTo(), Errors.notFound("no host " + hostId));
        }
        String to = HostState.FIRST_SLOT.equals(s.activeSlot()) ? "b" : HostState.FIRST_SLOT;
        String refusal = southbound.trunks().plannedFailoverRefusal(s, to, southbound.version(s));
        if (refusal != null) {
            return Effect().reply(c.replyTo(), Errors.conflict("host", "cannot fail over: " + refusal));
        }
        southbound
                .trunks()
                .hold(s.activeSlot()); // make-before-break: the old active forwards until peers are re-pointed
        return failOver(s, to, true, "requested through the API", c.replyTo());
    }

    /**
     * Persists the new active slot; then the trunks follow it ({@link HostSouthbound#applyTrunks}: the new active's
     * comes up once no other can forward) and the switches re-point the peers ({@link HostEndpoints}).
     */
    private ReplyEffect<Event, HostState> failOver(
            HostState s, String to, boolean planned, String reason, ActorRef<StatusReply<HostInfo>> replyTo) {
        long epoch = s.endpointEpoch() + 1;
        String from = s.activeSlot();
        long lost = activeLostNanos;
        io.portmesh.sharding.metrics.NodeMetrics.get(ctx.getSystem())
                .failovers
                .labelValues(planned ? "planned" : "unplanned")
                .inc();
        return Effect()
                .persist(new ActiveSlotChanged(to, planned, reason, epoch))
                .thenRun(ns -> {
                    ctx.getLog()
                            .warn(
                                    "host {}: switch-VM failover from slot {} to slot {} ({}); tunnel endpoint {} -> {}",
                                    hostId,
                                    from,
                                    to,
                                    reason,
                                    s.activeTep(),
                                    ns.activeTep());
                    activeLostNanos = 0;
                    failover.persisted(to, epoch, planned ? 0 : lost, replyTo, () -> info(ns));
                    southbound.trunks().failedOver();
                    if (!planned) {
                        southbound
                                .trunks()
                                .hold(null); // an unplanned failover (or one back from a lost target) holds nothing
                    }
                    southbound.applyTrunks(ns);
                    endpoints.announce(ns, standbyTep(ns), () -> ctx.getSelf().tell(new Repointed(epoch)));
                    ctx.scheduleOnce(realizeTimeout, ctx.getSelf(), new FailoverDeadline(epoch));
                })
                .thenNoReply();
    }

    /**
     * The first command of an incarnation. A host that exists moves its generation past every version an earlier
     * incarnation handed out before anything can hand out another; one that does not exist has no versions yet.
     */
    private ReplyEffect<Event, HostState> onStart(HostState s, StartIncarnation c) {
        if (started) {
            return Effect().noReply();
        }
        started = true;
        if (!s.exists()) {
            return Effect().none().thenRun(x -> startGrace()).thenNoReply().thenUnstashAll();
        }
        return Effect()
                .persist(new IncarnationStarted(s.generation() + 1))
                .thenRun(x -> startGrace())
                .thenNoReply()
                .thenUnstashAll();
    }

    /**
     * The incarnation serves from now (its sessions' announcements were stashed until its start was persisted): the
     * failover start grace runs from here, and the failover is checked once it is over.
     */
    private void startGrace() {
        southbound.trunks().startGrace();
        ctx.scheduleOnce(FAILOVER_START_GRACE, ctx.getSelf(), new CheckFailover());
    }

    /** Something else holds a newer generation than ours: elect past it (see {@link StaleRoles}). */
    private ReplyEffect<Event, HostState> onRoleStale(HostState s, RoleStale c) {
        if (!quorum.getAsBoolean()) {
            // the newer generation is most likely the majority's incarnation of this host: do not fight it; if this
            // node regains the majority, the refusal is looked at again then
            ctx.scheduleOnce(QUORUM_RECHECK, ctx.getSelf(), c);
            return Effect().noReply();
        }
        long next = southbound.roleRefused(s, c);
        if (next < 0) {
            return Effect().noReply();
        }
        southbound.masterElected();
        return Effect()
                .persist(new MasterElected(next))
                .thenRun(ns -> southbound.announceRoles(ns))
                .thenNoReply();
    }

    /**
     * Whether an election may go ahead now. Without the majority it is put off: the slot's choice stays in memory,
     * and {@link ElectWhenQuorum} persists it and sends the roles once this node sees the majority again (a healed
     * partition); on the minority side of a real one, the node is downed first and the entity stops.
     */
    private boolean mayElect() {
        if (quorum.getAsBoolean()) {
            return true;
        }
        if (!electionPutOff) {
            electionPutOff = true;
            io.portmesh.sharding.metrics.NodeMetrics.get(ctx.getSystem())
                    .electionsFenced
                    .inc();
            ctx.getLog()
                    .warn(
                            "host {}: not electing a master: this node does not see a majority of the cluster"
                                    + " (the minority side of a partition?); retrying every {} ms",
                            hostId,
                            QUORUM_RECHECK.toMillis());
            ctx.scheduleOnce(QUORUM_RECHECK, ctx.getSelf(), new ElectWhenQuorum());
        }
        return false;
    }

    private ReplyEffect<Event, HostState> onElectWhenQuorum(HostState s) {
        electionPutOff = false;
        return southboundEffect(s, true);
    }

    /** A southbound change that needs a new master generation persists it first, then sends the roles. */
    private ReplyEffect<Event, HostState> southboundEffect(HostState s, boolean newMaster) {
        if (!newMaster || !mayElect()) {
            return Effect().noReply();
        }
        southbound.masterElected();
        return Effect()
                .persist(new MasterElected(s.generation() + 1))
                .thenRun(ns -> southbound.announceRoles(ns))
                .thenNoReply();
    }

    private StatusReply<HostInfo> info(HostState s) {
        if (!s.exists()) {
            return Errors.notFound("no host " + hostId);
        }
        return StatusReply.success(southbound.info(s));
    }

    @Override
    public EventHandler<HostState, Event> eventHandler() {
        return newEventHandlerBuilder()
                .forAnyState()
                .onEvent(Registered.class, (s, e) -> s.registered(e.tunnelIp()))
                .onEvent(
                        PortBound.class,
                        (s, e) -> s.bound(
                                e.port(),
                                new HostState.LocalBinding(e.mac(), e.switchId(), e.vni(), e.vlan(), e.arriving())))
                .onEvent(PortArrived.class, (s, e) -> s.arrived(e.port()))
                .onEvent(ArrivalAnnounced.class, (s, e) -> s.announced(e.port()))
                .onEvent(PortUnbound.class, (s, e) -> s.unbound(e.port()))
                .onEvent(SwitchMembersChanged.class, (s, e) -> s)
                .onEvent(MasterElected.class, (s, e) -> s.generation(e.generation()))
                .onEvent(IncarnationStarted.class, (s, e) -> s.generation(e.generation()))
                .onEvent(SlotEndpointLearned.class, (s, e) -> s.slotEndpoint(e.slot(), e.tep()))
                .onEvent(ActiveSlotChanged.class, (s, e) -> s.activeSlot(e.slot(), e.epoch()))
                .onEvent(AgentsPinned.class, (s, e) -> s.pinned(e.pins()))
                .build();
    }
}
