package io.portmesh.cluster.bootstrap;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;

/**
 * The management port's readiness check ({@code /ready}, the pod's readiness probe): the node's own readiness, the
 * same as the REST port's {@code /ready} (ControllerHealth: an Up member that sees a majority, its journal's Cassandra
 * answers, its OpenFlow server listens). Not ready before the node registered its health. The REST port's
 * {@code /ready} says which check failed; Pekko Management only says that this one did.
 */
public final class ReadinessCheck implements Supplier<CompletionStage<Boolean>> {
    private final RegisteredHealth registered;

    public ReadinessCheck(ActorSystem system) {
        this.registered = RegisteredHealth.get(system);
    }

    @Override
    public CompletionStage<Boolean> get() {
        return CompletableFuture.completedFuture(ready());
    }

    boolean ready() {
        return registered.health().map(h -> h.readiness().ready()).orElse(false);
    }
}
