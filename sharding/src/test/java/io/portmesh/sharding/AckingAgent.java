package io.portmesh.sharding;

import io.portmesh.sharding.host.HostProtocol;
import io.portmesh.sharding.southbound.SessionCommand;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;

/**
 * An agent connection for entity tests that need a host with a master but no switch: its read finds an empty switch,
 * it acknowledges every push (so realization is not held back), and it tells {@code roles} each role it gets. A
 * flow-stats count (a move's deadline check) is answered by {@code counts} from the cookie asked for.
 */
final class AckingAgent {
    /** The activation flows of an arriving port as an agent that took every push holds them: two, no packet. */
    static final HostProtocol.ActivationCount NO_PACKET = new HostProtocol.ActivationCount(2, 0);

    private AckingAgent() {}

    static Behavior<SessionCommand> create(ActorRef<SessionCommand.SetRole> roles) {
        return create(roles, cookie -> StatusReply.success(NO_PACKET));
    }

    static Behavior<SessionCommand> create(
            ActorRef<SessionCommand.SetRole> roles, Function<Long, StatusReply<HostProtocol.ActivationCount>> counts) {
        return Behaviors.setup(ctx -> Behaviors.receive(SessionCommand.class)
                .onMessage(SessionCommand.SetRole.class, m -> {
                    roles.tell(m);
                    return Behaviors.same();
                })
                .onMessage(SessionCommand.Reconcile.class, m -> {
                    m.host().tell(new HostProtocol.Installed(ctx.getSelf(), m.seq(), new byte[0], new byte[0]));
                    return Behaviors.same();
                })
                .onMessage(SessionCommand.Push.class, m -> {
                    if (!m.more()) {
                        m.host().tell(new HostProtocol.Acked(ctx.getSelf(), m.seq()));
                    }
                    return Behaviors.same();
                })
                .onMessage(SessionCommand.CountPackets.class, m -> {
                    m.replyTo().tell(counts.apply(m.cookie()));
                    return Behaviors.same();
                })
                .build());
    }
}
