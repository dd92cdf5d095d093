package io.portmesh.cluster.bootstrap;

import io.portmesh.cluster.rest.NodeHealth;
import java.util.Optional;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;

/**
 * The health of the controller node on an actor system, for the management port's checks: Pekko Management creates
 * {@link ReadinessCheck} and {@link LivenessCheck} from their class names with nothing but the actor system, so the
 * node registers its {@link NodeHealth} here when it has one (ControllerNode.init).
 */
public final class RegisteredHealth implements Extension {
    private static final Id ID = new Id();
    private volatile NodeHealth health;

    private RegisteredHealth() {}

    public static RegisteredHealth get(ClassicActorSystemProvider system) {
        return ID.get(system);
    }

    public void register(NodeHealth nodeHealth) {
        this.health = nodeHealth;
    }

    /** Empty until the node started (its ports bound, its journal probe running). */
    public Optional<NodeHealth> health() {
        return Optional.ofNullable(health);
    }

    private static final class Id extends AbstractExtensionId<RegisteredHealth> {
        @Override
        public RegisteredHealth createExtension(ExtendedActorSystem system) {
            return new RegisteredHealth();
        }
    }
}
