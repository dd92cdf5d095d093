package io.portmesh.sharding.port;

import io.portmesh.persistence.CborSerializable;
import io.portmesh.sharding.Errors;
import io.portmesh.sharding.Futures;
import io.portmesh.sharding.host.HostEntity;
import io.portmesh.sharding.lswitch.LogicalSwitchEntity;
import io.portmesh.sharding.service.PortInfo;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.Recovery;

/**
 * A logical port (its replies come after asks to other entities, hence not the enforced-replies variant). It runs the multi-entity steps of its own changes one at a time (other commands wait in the
 * stash): ask the Host (VLAN), persist, tell the LogicalSwitch (peers). Every step is idempotent, so a command retried
 * after a crash between steps completes the rest instead of doing anything twice.
 */
public final class LogicalPortEntity
        extends EventSourcedBehavior<LogicalPortEntity.Command, LogicalPortEntity.Event, PortState> {
    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "LogicalPort");

    public sealed interface Command extends CborSerializable {}

    public record Create(
            String switchId, String mac, List<String> ips, String name, ActorRef<StatusReply<PortInfo>> replyTo)
            implements Command {}

    public record Get(ActorRef<StatusReply<PortInfo>> replyTo) implements Command {}

    /**
     * Whether this port was created. Unlike {@link Get} it waits for a change in progress, so that a port whose
     * creation is under way is never taken for a ghost (see LogicalSwitchEntity's MAC check).
     */
    public record Exists(ActorRef<StatusReply<Boolean>> replyTo) implements Command {}

    /** {@code awaitRealized}: reply once every affected host's agents acknowledged (or the realization timeout). */
    public record Bind(String host, boolean awaitRealized, ActorRef<StatusReply<Outcome>> replyTo) implements Command {}

    public record Unbind(boolean awaitRealized, ActorRef<StatusReply<Outcome>> replyTo) implements Command {}

    public record Delete(boolean awaitRealized, ActorRef<StatusReply<Outcome>> replyTo) implements Command {}

    /**
     * The result of a change: the VLAN (bind), per affected host the plan version that includes it, and, when
     * realization was awaited, the hosts whose agents did not acknowledge it in time.
     */
    public record Outcome(String host, int vlan, Map<String, Long> versions, List<String> behind)
            implements CborSerializable {}

    /** Local steps (sent to self only). */
    record StepDone(Event event, Command original, Object result, Throwable error) implements Command {}

    record Idle() implements Command {}

    /** A Delete whose unbinding is done; {@code behind}: hosts that did not acknowledge the unbinding in time. */
    record ContinueDelete(Delete delete, List<String> behind) implements Command {}

    public sealed interface Event extends CborSerializable {}

    public record Created(String switchId, int vni, String mac, List<String> ips, String name) implements Event {}

    public record Bound(String host, int vlan, String tunnelIp) implements Event {}

    public record Unbound(String host) implements Event {}

    public record Deleted() implements Event {}

    private final String portId;
    private final ActorContext<Command> ctx;
    private final ClusterSharding sharding;
    private final Duration askTimeout;
    private final Duration realizeTimeout;
    /** Hosts found behind while a Delete unbound the port, for the Delete's own reply (runtime only). */
    private List<String> behindBeforeDelete = List.of();
    /** A multi-step change is running: the next command waits for it (not persisted: a restart drops the flag). */
    private boolean busy;

    private LogicalPortEntity(
            ActorContext<Command> ctx,
            String portId,
            ClusterSharding sharding,
            Duration askTimeout,
            Duration realizeTimeout) {
        super(PersistenceId.of(TYPE_KEY.name(), portId));
        this.ctx = ctx;
        this.portId = portId;
        this.sharding = sharding;
        this.askTimeout = askTimeout;
        this.realizeTimeout = realizeTimeout;
    }

    public static void init(ActorSystem<?> system, Duration askTimeout, Duration realizeTimeout) {
        ClusterSharding sharding = ClusterSharding.get(system);
        sharding.init(Entity.of(TYPE_KEY, ctx -> create(ctx.getEntityId(), sharding, askTimeout, realizeTimeout)));
    }

    public static Behavior<Command> create(
            String id, ClusterSharding sharding, Duration askTimeout, Duration realizeTimeout) {
        return Behaviors.setup(ctx -> new LogicalPortEntity(ctx, id, sharding, askTimeout, realizeTimeout));
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
                .onCommand(
                        c -> busy && !(c instanceof StepDone) && !(c instanceof Idle),
                        (s, c) -> Effect().stash())
                .onCommand(Exists.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(s.exists())))
                .onCommand(Create.class, this::onCreate)
                .onCommand(Bind.class, this::onBind)
                .onCommand(Unbind.class, this::onUnbind)
                .onCommand(Delete.class, this::onDelete)
                .onCommand(ContinueDelete.class, (s, c) -> {
                    behindBeforeDelete = c.behind();
                    return onDelete(s, c.delete());
                })
                .onCommand(StepDone.class, this::onStepDone)
                .onCommand(Idle.class, (s, c) -> {
                    busy = false;
                    return Effect().unstashAll();
                })
                .build();
    }

    private Effect<Event, PortState> onCreate(PortState s, Create c) {
        if (s.exists()) {
            return Effect()
                    .reply(
                            c.replyTo(),
                            s.switchId().equals(c.switchId()) && s.mac().equalsIgnoreCase(c.mac())
                                    ? StatusReply.success(s.info())
                                    : Errors.conflict("port " + portId + " already exists"));
        }
        step(
                switchRef(c.switchId())
                        .<Integer>askWithStatus(r -> new LogicalSwitchEntity.AddPort(portId, c.mac(), r), askTimeout),
                vni -> new Created(c.switchId(), (Integer) vni, c.mac(), c.ips(), c.name()),
                c);
        return Effect().noReply();
    }

    private Effect<Event, PortState> onBind(PortState s, Bind c) {
        if (!s.exists()) {
            return Effect().reply(c.replyTo(), Errors.notFound("no port " + portId));
        }
        if (s.isBound() && !s.host().equals(c.host())) {
            return Effect()
                    .reply(
                            c.replyTo(),
                            Errors.conflict("port " + portId + " is bound to host " + s.host()
                                    + "; unbind it first (live moves are a separate operation)"));
        }
        step(
                hostRef(c.host())
                        .<HostEntity.Bound>askWithStatus(
                                r -> new HostEntity.BindPort(portId, s.mac(), s.switchId(), s.vni(), r), askTimeout),
                b -> {
                    HostEntity.Bound bound = (HostEntity.Bound) b;
                    return new Bound(c.host(), bound.vlan(), bound.tunnelIp());
                },
                c);
        return Effect().noReply();
    }

    private Effect<Event, PortState> onUnbind(PortState s, Unbind c) {
        if (!s.exists()) {
            return Effect().reply(c.replyTo(), Errors.notFound("no port " + portId));
        }
        if (!s.isBound()) {
            // a retry after a failure between our Unbound event and the switch: finish the switch step
            busy = true;
            finishBinding(s, null, null, c, Map.of(), 0);
            return Effect().none();
        }
        String host = s.host();
        step(
                hostRef(host).<Long>askWithStatus(r -> new HostEntity.UnbindPort(portId, r), askTimeout),
                v -> new Unbound(host),
                c);
        return Effect().noReply();
    }

    private Effect<Event, PortState> onDelete(PortState s, Delete c) {
        if (!s.exists()) {
            return Effect().reply(c.replyTo(), Errors.notFound("no port " + portId));
        }
        if (s.isBound()) {
            String host = s.host();
            // unbind first; the Unbound step re-sends Delete to finish
            step(
                    hostRef(host).<Long>askWithStatus(r -> new HostEntity.UnbindPort(portId, r), askTimeout),
                    v -> new Unbound(host),
                    c);
            return Effect().noReply();
        }
        step(
                switchRef(s.switchId())
                        .<org.apache.pekko.Done>askWithStatus(
                                r -> new LogicalSwitchEntity.RemovePort(portId, r), askTimeout),
                v -> new Deleted(),
                c);
        return Effect().noReply();
    }

    /** Runs one ask; its result becomes an event to persist (in {@link #onStepDone}). */
    private <R> void step(
            CompletionStage<R> ask, java.util.function.Function<Object, Event> toEvent, Command original) {
        busy = true;
        // not the ask itself: pipeToSelf's callback on a Scala-backed stage starts a thread per reply (see Futures)
        ctx.pipeToSelf(
                Futures.on(ask, ctx.getExecutionContext()),
                (r, e) -> e != null
                        ? new StepDone(null, original, null, e)
                        : new StepDone(toEvent.apply(r), original, r, null));
    }

    private Effect<Event, PortState> onStepDone(PortState s, StepDone d) {
        if (d.error() != null) {
            if (d.original() instanceof Create c && !Errors.isEntityError(d.error())) {
                // the switch may have added us before the ask timed out: take the member back, or its MAC
                // would stay taken by a port that never came to exist
                switchRef(c.switchId())
                        .tell(new LogicalSwitchEntity.RemovePort(
                                portId, ctx.getSystem().ignoreRef()));
            }
            replyError(d.original(), d.error());
            ctx.getSelf().tell(new Idle());
            return Effect().none();
        }
        return Effect().persist(d.event()).thenRun(ns -> afterPersist(ns, d));
    }

    /** After the event: tell the switch about bindings, then reply, then accept the next command. */
    private void afterPersist(PortState ns, StepDone d) {
        if (d.event() instanceof Created) {
            reply(d.original(), StatusReply.success(ns.info()));
            ctx.getSelf().tell(new Idle());
        } else if (d.event() instanceof Bound b) {
            long hostVersion = ((HostEntity.Bound) d.result()).planVersion();
            finishBinding(ns, b.host(), b.tunnelIp(), d.original(), Map.of(b.host(), hostVersion), b.vlan());
        } else if (d.event() instanceof Unbound u) {
            long hostVersion = (Long) d.result();
            finishBinding(ns, null, null, d.original(), Map.of(u.host(), hostVersion), 0);
        } else if (d.event() instanceof Deleted) {
            reply(d.original(), StatusReply.success(new Outcome(null, 0, Map.of(), behindBeforeDelete)));
            behindBeforeDelete = List.of();
            ctx.getSelf().tell(new Idle());
        }
    }

    private void finishBinding(
            PortState ns, String host, String tunnelIp, Command original, Map<String, Long> own, int vlan) {
        ActorRef<Command> self = ctx.getSelf();
        boolean await = awaitsRealization(original);
        Duration timeout = await ? askTimeout.plus(realizeTimeout) : askTimeout;
        Futures.on(
                        switchRef(ns.switchId())
                                .<LogicalSwitchEntity.HostVersions>askWithStatus(
                                        r -> new LogicalSwitchEntity.SetBinding(portId, host, tunnelIp, await, r),
                                        timeout),
                        ctx.getExecutionContext())
                .whenComplete((hv, e) -> {
                    if (e != null) {
                        replyError(original, e);
                    } else {
                        Map<String, Long> versions = new HashMap<>(hv.versions());
                        own.forEach((h, v) -> versions.merge(h, v, Math::max));
                        if (original instanceof Delete del) {
                            self.tell(new Idle());
                            // now unbound: the delete goes on with the switch
                            self.tell(new ContinueDelete(del, hv.behind()));
                            return;
                        }
                        reply(original, StatusReply.success(new Outcome(host, vlan, versions, hv.behind())));
                    }
                    self.tell(new Idle());
                });
    }

    private static boolean awaitsRealization(Command original) {
        return (original instanceof Bind b && b.awaitRealized())
                || (original instanceof Unbind u && u.awaitRealized())
                || (original instanceof Delete d && d.awaitRealized());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void reply(Command original, StatusReply<?> r) {
        if (original instanceof Create c) {
            c.replyTo().tell((StatusReply) r);
        } else if (original instanceof Bind b) {
            b.replyTo().tell((StatusReply) r);
        } else if (original instanceof Unbind u) {
            u.replyTo().tell((StatusReply) r);
        } else if (original instanceof Delete d) {
            d.replyTo().tell((StatusReply) r);
        }
    }

    private static void replyError(Command original, Throwable e) {
        reply(original, Errors.passOn(e));
    }

    private org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<HostEntity.Command> hostRef(String host) {
        return sharding.entityRefFor(HostEntity.TYPE_KEY, host);
    }

    private org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<LogicalSwitchEntity.Command> switchRef(
            String sw) {
        return sharding.entityRefFor(LogicalSwitchEntity.TYPE_KEY, sw);
    }

    @Override
    public EventHandler<PortState, Event> eventHandler() {
        return newEventHandlerBuilder()
                .forAnyState()
                .onEvent(
                        Created.class,
                        (s, e) -> new PortState(portId, e.switchId(), e.vni(), e.mac(), e.ips(), e.name(), null, 0))
                .onEvent(Bound.class, (s, e) -> s.bound(e.host(), e.vlan()))
                .onEvent(Unbound.class, (s, e) -> s.unbound())
                .onEvent(Deleted.class, (s, e) -> PortState.empty(portId))
                .build();
    }
}
