package io.portmesh.sharding.lswitch;

import io.portmesh.sharding.Errors;
import io.portmesh.sharding.lswitch.LogicalSwitchEntity.BindingChanged;
import io.portmesh.sharding.lswitch.LogicalSwitchEntity.Event;
import io.portmesh.sharding.lswitch.LogicalSwitchEntity.PortAdded;
import io.portmesh.sharding.lswitch.LogicalSwitchEntity.PortRemoved;
import io.portmesh.sharding.lswitch.SwitchProtocol.AddPort;
import io.portmesh.sharding.lswitch.SwitchProtocol.Command;
import io.portmesh.sharding.lswitch.SwitchProtocol.RemovePort;
import io.portmesh.sharding.lswitch.SwitchSelfMessage.GhostChecked;
import io.portmesh.sharding.lswitch.SwitchSelfMessage.MembersChecked;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * Ports joining and leaving a {@link LogicalSwitchEntity}: AddPort (the MAC unique inside the switch, the port limit),
 * RemovePort, and the removal of ghosts, members whose port never came to exist ({@link MemberChecks} finds them; a
 * new port asking for a ghost's MAC has it checked at once). Apart from the switch's bindings, which concern hosts.
 */
final class SwitchJoins {
    private final String switchId;
    private final ActorContext<Command> ctx;
    private final EffectFactories<Event, SwitchState> effects;
    private final SwitchHosts switchHosts;
    private final MemberChecks memberChecks;

    SwitchJoins(
            String switchId,
            ActorContext<Command> ctx,
            EffectFactories<Event, SwitchState> effects,
            SwitchHosts switchHosts,
            MemberChecks memberChecks) {
        this.switchId = switchId;
        this.ctx = ctx;
        this.effects = effects;
        this.switchHosts = switchHosts;
        this.memberChecks = memberChecks;
    }

    private EffectFactories<Event, SwitchState> effects() {
        return effects;
    }

    ReplyEffect<Event, SwitchState> onAddPort(SwitchState s, AddPort c) {
        if (!s.exists()) {
            return effects().reply(c.replyTo(), Errors.notFound("no switch " + switchId));
        }
        var owner = s.macOwner(c.mac().toString(), c.port().value());
        if (owner.isPresent()) {
            if (s.isUnconfirmed(owner.get())) {
                // maybe a ghost: ask its port entity before refusing, rather than wait for the next check
                String o = owner.get();
                ctx.pipeToSelf(memberChecks.exists(o), (exists, e) -> new GhostChecked(c, o, e == null && !exists));
                return effects().noReply();
            }
            return effects().reply(c.replyTo(), macTaken(c.mac().toString(), owner.get()));
        }
        SwitchMembers.Member existing = s.members().get(c.port().value());
        if (existing != null) {
            if (s.isUnconfirmed(existing.port())
                    && existing.mac().equalsIgnoreCase(c.mac().toString())) {
                memberChecks.joiningAgain(existing.port());
            }
            return effects()
                    .reply(
                            c.replyTo(),
                            existing.mac().equalsIgnoreCase(c.mac().toString())
                                    ? StatusReply.success(s.vni())
                                    : Errors.conflict("port " + c.port().value() + " is already in switch " + switchId
                                            + " with MAC " + existing.mac()));
        }
        if (s.members().size() >= LogicalSwitchEntity.MAX_PORTS) {
            return effects()
                    .reply(
                            c.replyTo(),
                            Errors.conflict(
                                    "switch",
                                    "logical switch " + switchId + " holds "
                                            + s.members().size()
                                            + " ports, its limit: its member list goes to every host of the switch"
                                            + " in one cluster message, which must fit Artery's 256 KiB frame"
                                            + " (docs/architecture.md section 6.2)"));
        }
        return effects()
                .persist(new PortAdded(c.port().value(), c.mac().toString()))
                .thenRun(memberChecks::watch)
                .thenReply(c.replyTo(), ns -> StatusReply.success(ns.vni()));
    }

    ReplyEffect<Event, SwitchState> onGhostChecked(SwitchState s, GhostChecked g) {
        SwitchMembers.Member owner = s.members().get(g.owner());
        boolean stillThere = owner != null
                && s.isUnconfirmed(g.owner())
                && owner.mac().equalsIgnoreCase(g.original().mac().toString());
        if (!stillThere) {
            return onAddPort(s, g.original()); // the switch changed meanwhile: decide again
        }
        if (!g.ghost()) {
            return effects()
                    .reply(g.original().replyTo(), macTaken(g.original().mac().toString(), g.owner()));
        }
        ctx.getLog()
                .warn(
                        "switch {}: member {} holds MAC {} but its port was never created (its node died between the"
                                + " two steps); removing it for port {}",
                        switchId,
                        g.owner(),
                        owner.mac(),
                        g.original().port().value());
        return effects()
                .persist(List.of(
                        new PortRemoved(g.owner()),
                        new PortAdded(
                                g.original().port().value(), g.original().mac().toString())))
                .thenRun(memberChecks::watch)
                .thenReply(g.original().replyTo(), ns -> StatusReply.success(ns.vni()));
    }

    /** A check round's answers: the members whose port exists are confirmed, the ghosts removed. */
    ReplyEffect<Event, SwitchState> onMembersChecked(SwitchState s, MembersChecked m) {
        List<Event> events = memberChecks.answered(s, m);
        for (Event e : events) {
            if (e instanceof PortRemoved r) {
                ctx.getLog()
                        .warn(
                                "switch {}: member {} (MAC {}) is a ghost: its port answered that it was never created"
                                        + " (its ask to join timed out, or its node died before it persisted); removed",
                                switchId,
                                r.port(),
                                s.members().get(r.port()).mac());
            }
        }
        return events.isEmpty()
                ? effects().noReply()
                : effects().persist(events).thenNoReply();
    }

    private StatusReply<Integer> macTaken(String mac, String owner) {
        return Errors.conflict(
                "mac",
                "MAC " + mac + " is already used by port " + owner + " in switch " + switchId
                        + "; MACs must be unique inside a logical switch");
    }

    ReplyEffect<Event, SwitchState> onRemovePort(SwitchState s, RemovePort c) {
        SwitchMembers.Member m = s.members().get(c.port().value());
        if (m == null) {
            return effects().reply(c.replyTo(), StatusReply.ack());
        }
        if (!m.isBound()) {
            return effects().persist(new PortRemoved(c.port().value())).thenReply(c.replyTo(), ns -> StatusReply.ack());
        }
        // a port tells its unbinding (and waits for the hosts) before it leaves, so only a port whose unbinding never
        // reached the switch by that way gets here: the member leaves unbound, so that the hosts forget it too. Their
        // answers are not waited for: a host that misses the change is behind at the next one and fetches the list.
        Set<String> informed = SwitchHosts.hostsOf(s.boundMembers());
        return effects()
                .persist(List.of(
                        new BindingChanged(c.port().value(), null, null),
                        new PortRemoved(c.port().value())))
                .thenRun(ns -> switchHosts.tellChange(
                        ns, informed, false, ctx.getSystem().ignoreRef()))
                .thenReply(c.replyTo(), ns -> StatusReply.ack());
    }
}
