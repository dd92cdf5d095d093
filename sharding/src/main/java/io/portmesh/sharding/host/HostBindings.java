package io.portmesh.sharding.host;

import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.ValidationException;
import io.portmesh.model.VlanId;
import io.portmesh.model.flow.FlowCompiler;
import io.portmesh.sharding.Errors;
import io.portmesh.sharding.host.HostEntity.ArrivalAnnounced;
import io.portmesh.sharding.host.HostEntity.Event;
import io.portmesh.sharding.host.HostEntity.PortArrived;
import io.portmesh.sharding.host.HostEntity.PortBound;
import io.portmesh.sharding.host.HostEntity.PortUnbound;
import io.portmesh.sharding.host.HostEntity.Registered;
import io.portmesh.sharding.host.HostProtocol.ActivationSeen;
import io.portmesh.sharding.host.HostProtocol.Applied;
import io.portmesh.sharding.host.HostProtocol.ApplyMemberChange;
import io.portmesh.sharding.host.HostProtocol.ApplySwitchMembers;
import io.portmesh.sharding.host.HostProtocol.BindPort;
import io.portmesh.sharding.host.HostProtocol.Bound;
import io.portmesh.sharding.host.HostProtocol.Command;
import io.portmesh.sharding.host.HostProtocol.ConfirmArrival;
import io.portmesh.sharding.host.HostProtocol.Register;
import io.portmesh.sharding.host.HostProtocol.UnbindPort;
import io.portmesh.sharding.host.HostSelfMessage.DepartureOver;
import io.portmesh.sharding.service.HostInfo;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * The {@link HostEntity}'s job of binding ports: registering the host, binding and unbinding ports on it (a VLAN each,
 * the limits of a host), a moving port's arrival, and the member lists its switches send (recompiled and pushed by
 * {@link HostSouthbound}, fetched again by {@link MemberFetches} when a change finds its list missing). The entity
 * routes these commands here; its events and state stay the entity's.
 */
final class HostBindings {
    private final String hostId;
    private final ActorContext<Command> ctx;
    private final HostSouthbound southbound;
    private final MemberFetches fetches;
    private final HostArrivals arrivals;
    private final Supplier<EffectFactories<Event, HostState>> effects;
    private final Function<HostState, StatusReply<HostInfo>> info;
    /** How long a port let go of after its move keeps its straggler flow ({@link HostDepartures}); 0: none. */
    private final java.time.Duration stragglerGrace;
    /** The grace of a port let go of while some peers had not acknowledged its re-point ({@link HostDepartures}). */
    private final java.time.Duration stragglerGraceBehind;

    HostBindings(
            String hostId,
            ActorContext<Command> ctx,
            HostSouthbound southbound,
            MemberFetches fetches,
            HostArrivals arrivals,
            Supplier<EffectFactories<Event, HostState>> effects,
            Function<HostState, StatusReply<HostInfo>> info) {
        this.hostId = hostId;
        this.ctx = ctx;
        this.southbound = southbound;
        this.fetches = fetches;
        this.arrivals = arrivals;
        this.effects = effects;
        this.info = info;
        this.stragglerGrace = HostDepartures.grace(ctx.getSystem().settings().config());
        this.stragglerGraceBehind =
                HostDepartures.graceWhenBehind(ctx.getSystem().settings().config());
    }

    ReplyEffect<Event, HostState> onRegister(HostState s, Register c) {
        if (s.exists()) {
            if (!s.tunnelIp().equals(c.tunnelIp().toString())) {
                return effects.get()
                        .reply(
                                c.replyTo(),
                                Errors.conflict("host " + hostId + " already exists with tunnelIp " + s.tunnelIp()));
            }
            if (!c.pins().isEmpty() && !c.pins().equals(s.pins())) {
                return effects.get()
                        .reply(
                                c.replyTo(),
                                Errors.conflict("host " + hostId + " already exists with other pins; PUT /v1/hosts/"
                                        + hostId + "/pins replaces them"));
            }
            return effects.get().reply(c.replyTo(), info.apply(s));
        }
        // one write: a host registered with pins is never seen, nor connected to, without them
        List<Event> events = c.pins().isEmpty()
                ? List.of(new Registered(c.tunnelIp().toString()))
                : List.of(new Registered(c.tunnelIp().toString()), new HostEntity.AgentsPinned(c.pins()));
        return effects.get().persist(events).thenReply(c.replyTo(), info::apply);
    }

    ReplyEffect<Event, HostState> onBind(HostState s, BindPort c) {
        if (!s.exists()) {
            return effects.get()
                    .reply(
                            c.replyTo(),
                            c.arriving()
                                    ? Errors.notFound("no host " + hostId + " to move port "
                                            + c.port().value() + " to")
                                    : Errors.invalid(
                                            "host", "unknown host " + hostId + ": register it first (POST /v1/hosts)"));
        }
        HostState.LocalBinding existing = s.bindings().get(c.port().value());
        if (existing != null) { // a repeated ask (its answer was lost): the same VLAN
            return effects.get().reply(c.replyTo(), bound(existing.vlan(), s.activeTep(), southbound.version(s)));
        }
        if (c.arriving() && southbound.departing(c.port().value())) {
            // its straggler flow here sends what reaches this host from the tunnel for the port on to the host it
            // moved to; that host, the new move's source, relays the port's frames back here: until this host's agents
            // applied the removal, each frame would go round between the two (docs/architecture.md 7.1, gap 4)
            return effects.get()
                    .reply(
                            c.replyTo(),
                            Errors.conflict(
                                    "host",
                                    "cannot move port " + c.port().value() + " back to host " + hostId
                                            + " yet: it left it less than "
                                            + (stragglerGrace.toMillis() + 999) / 1000
                                            + " s ago (" + (stragglerGraceBehind.toMillis() + 999) / 1000
                                            + " s when some peers were behind), and its straggler flow there still"
                                            + " forwards its frames to where it went; move it again after that"));
        }
        long inSwitch = s.bindings().values().stream()
                .filter(b -> b.switchId().equals(c.switchId().value()))
                .count();
        if (inSwitch >= FlowCompiler.MAX_LOCAL_PORTS_PER_SWITCH) {
            return effects.get()
                    .reply(
                            c.replyTo(),
                            Errors.invalid(
                                    "host",
                                    "host " + hostId + " already has " + inSwitch
                                            + " ports of switch " + c.switchId().value() + " (the limit is "
                                            + FlowCompiler.MAX_LOCAL_PORTS_PER_SWITCH
                                            + ": broadcast replication groups grow with the square of it); bind to another host"));
        }
        VlanId vlan;
        try {
            vlan = s.vlans().next(HostId.of(hostId));
        } catch (ValidationException e) {
            // a move that finds no VLAN here conflicts with the host's state, the port stays where it is
            return effects.get()
                    .reply(
                            c.replyTo(),
                            c.arriving()
                                    ? Errors.conflict(
                                            "host",
                                            "cannot move port " + c.port().value() + " here: " + e.getMessage())
                                    : Errors.invalid(e));
        }
        long[] version = new long[1];
        return effects.get()
                .persist(new PortBound(
                        c.port().value(),
                        c.mac().toString(),
                        c.switchId().value(),
                        c.vni().value(),
                        vlan.value(),
                        c.arriving()))
                .thenRun(ns -> {
                    version[0] = southbound.localsChanged(
                            ns, c.switchId().value(), c.vni().value());
                    arrivals.schedule(ns);
                })
                .thenReply(c.replyTo(), ns -> bound(vlan.value(), ns.activeTep(), version[0]));
    }

    ReplyEffect<Event, HostState> onUnbind(HostState s, UnbindPort c) {
        HostState.LocalBinding b = s.bindings().get(c.port().value());
        if (b == null) {
            return effects.get().reply(c.replyTo(), StatusReply.success(southbound.version(s)));
        }
        long[] version = new long[1];
        String port = c.port().value();
        return effects.get()
                .persist(new PortUnbound(port))
                .thenRun(ns -> {
                    // a port that moved away keeps its straggler flow for the grace, in this same plan change
                    java.time.Duration grace = c.peersBehind() ? stragglerGraceBehind : stragglerGrace;
                    long departure = grace.isZero() ? -1 : southbound.letGo(s, port, grace);
                    version[0] = southbound.localsChanged(ns, b.switchId(), b.vni());
                    if (departure >= 0) {
                        ctx.scheduleOnce(grace, ctx.getSelf(), new DepartureOver(port, departure));
                    }
                })
                .thenReply(c.replyTo(), ns -> StatusReply.success(version[0]));
    }

    /** A departed port's grace is over: its straggler flow leaves the plan (not persisted: see HostDepartures). */
    ReplyEffect<Event, HostState> onDepartureOver(HostState s, DepartureOver c) {
        southbound.departureOver(s, c.port(), c.token());
        return effects.get().noReply();
    }

    ReplyEffect<Event, HostState> onConfirmArrival(HostState s, ConfirmArrival c) {
        HostState.LocalBinding b = s.bindings().get(c.port().value());
        if (b == null || !b.arriving()) {
            return effects.get().reply(c.replyTo(), StatusReply.success(southbound.version(s)));
        }
        long[] version = new long[1];
        return effects.get()
                .persist(new PortArrived(c.port().value()))
                .thenRun(ns -> version[0] = southbound.localsChanged(ns, b.switchId(), b.vni()))
                .thenReply(c.replyTo(), ns -> StatusReply.success(version[0]));
    }

    /**
     * Not persisted: the port decides, and persists the activation. A frame for no arriving port (a move activated
     * already, a VM re-announcing itself) is ignored, and so is one from a connection that is no slot's master here
     * (refused, unknown, or a slave: the agents send packet-ins to their master; docs/architecture.md section 13.1).
     */
    ReplyEffect<Event, HostState> onActivationSeen(HostState s, ActivationSeen c) {
        if (!southbound.isMaster(c.session())) {
            ctx.getLog()
                    .debug("host {}: activation frame from {}, no master of this host: ignored", hostId, c.session());
            return effects.get().noReply();
        }
        String announced = arrivals.seen(s, c.vlan().value(), c.mac().toString());
        if (announced == null) {
            return effects.get().noReply();
        }
        ctx.getLog()
                .info(
                        "host {}: the VM of port {} announced itself on VLAN {}",
                        hostId,
                        announced,
                        c.vlan().value());
        return effects.get().persist(new ArrivalAnnounced(announced)).thenNoReply();
    }

    /** No event: the member list is the switch's to keep; the host only recompiles that switch's slice and pushes. */
    ReplyEffect<Event, HostState> onMembers(HostState s, ApplySwitchMembers c) {
        answer(southbound.membersChanged(s, c.switchId().value(), c.members()), c.awaitRealized(), c.replyTo());
        return effects.get().noReply();
    }

    ReplyEffect<Event, HostState> onMemberChange(HostState s, ApplyMemberChange c) {
        long version = southbound.memberChanged(s, c.switchId().value(), c.change());
        if (version < 0) {
            fetches.await(
                    c.switchId().value(),
                    c.change().version(),
                    v -> answer(v, c.awaitRealized(), c.replyTo()),
                    c.replyTo()::tell);
        } else {
            answer(version, c.awaitRealized(), c.replyTo());
        }
        return effects.get().noReply();
    }

    void answer(long version, boolean awaitRealized, ActorRef<StatusReply<Applied>> replyTo) {
        if (!awaitRealized) {
            replyTo.tell(StatusReply.success(new Applied(version, false)));
        } else {
            southbound.await(version, ok -> replyTo.tell(StatusReply.success(new Applied(version, ok))));
        }
    }

    private static StatusReply<Bound> bound(int vlan, String activeTep, long version) {
        return StatusReply.success(new Bound(new VlanId(vlan), Ipv4.parse(activeTep), version));
    }
}
