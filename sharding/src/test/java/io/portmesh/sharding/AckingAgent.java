package io.portmesh.sharding;

import io.portmesh.sharding.host.HostProtocol;
import io.portmesh.sharding.southbound.SessionCommand;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * An agent connection for entity tests that need a host with a master but no switch: its read finds an empty switch,
 * it acknowledges every push (so realization is not held back), and it tells {@code roles} each role it gets.
 */
final class AckingAgent {
    private AckingAgent() {}

    static Behavior<SessionCommand> create(ActorRef<SessionCommand.SetRole> roles) {
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
                .build());
    }
}
