package io.portmesh.sharding.port;

import io.portmesh.model.Ipv4;
import io.portmesh.sharding.Errors;
import io.portmesh.sharding.lswitch.SwitchProtocol;
import io.portmesh.sharding.port.LogicalPortEntity.Created;
import io.portmesh.sharding.port.LogicalPortEntity.Event;
import io.portmesh.sharding.port.PortProtocol.Create;
import io.portmesh.sharding.port.SelfMessage.JoinedSwitch;
import java.util.Objects;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.javadsl.Effect;

/**
 * A port's creation: AddPort to its switch (which gives the VNI and holds the MAC), then {@link Created}. Apart from
 * {@link BindingSteps} because it persists nothing before its step: an unanswered AddPort is compensated by a
 * RemovePort (the switch may have added the member; the RemovePort may be lost), and a death in between leaves a
 * ghost member. The switch keeps the member unconfirmed until the port binds or answers {@link PortProtocol.Exists}
 * (which waits for this creation to end, so a slow one is never taken for a ghost), and removes it when the port
 * answers that it does not exist (docs/architecture.md section 3.2).
 */
final class PortCreation {
    private final LogicalPortEntity port;

    PortCreation(LogicalPortEntity port) {
        this.port = port;
    }

    Effect<Event, PortState> onCreate(PortState s, Create c) {
        if (s.isLeaving()) {
            return port.effects().reply(c.replyTo(), PortReplies.beingDeleted(port.portId));
        }
        if (s.exists()) {
            // a duplicate (the API resends a Create whose first may have been lost with a dead member: docs/
            // architecture.md 7.3) gets the answer the first got; anything else asked under this id is a conflict
            return port.effects()
                    .reply(
                            c.replyTo(),
                            sameContent(s, c)
                                    ? StatusReply.success(s.info())
                                    : Errors.conflict("port " + port.portId + " already exists"));
        }
        port.turns.begin(null);
        port.pipe(
                port.switchRef(c.switchId().value())
                        .<Integer>askWithStatus(
                                r -> new SwitchProtocol.AddPort(StateIds.port(port.portId), c.mac(), r),
                                port.askTimeout),
                (vni, e) -> new JoinedSwitch(c, vni, e));
        return port.effects().none();
    }

    private static boolean sameContent(PortState s, Create c) {
        return s.switchId().equals(c.switchId().value())
                && s.mac().equalsIgnoreCase(c.mac().toString())
                && s.ips().equals(c.ips().stream().map(Ipv4::toString).toList())
                && Objects.equals(s.name(), c.name());
    }

    Effect<Event, PortState> onJoinedSwitch(PortState s, JoinedSwitch m) {
        Create c = m.create();
        if (m.error() != null) {
            if (!Errors.isEntityError(m.error())) {
                // the switch may have added us before the ask timed out: take the member back, or its MAC
                // would stay taken by a port that never came to exist
                port.switchRef(c.switchId().value())
                        .tell(new SwitchProtocol.RemovePort(
                                StateIds.port(port.portId), port.ctx.getSystem().ignoreRef()));
            }
            c.replyTo().tell(Errors.passOn(m.error()));
            return port.turns.ending(port.effects().none());
        }
        return port.turns.ending(port.effects()
                .persist(new Created(
                        c.switchId().value(),
                        m.vni(),
                        c.mac().toString(),
                        c.ips().stream().map(Ipv4::toString).toList(),
                        c.name(),
                        c.requestId()))
                .thenRun(ns -> c.replyTo().tell(StatusReply.success(ns.info()))));
    }
}
