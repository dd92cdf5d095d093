package io.portmesh.cluster.bootstrap;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;

/**
 * The management port's liveness check ({@code /alive}, the pod's liveness probe): the actor system runs. A node that
 * is leaving the cluster (coordinated shutdown after SIGTERM) is still alive: failing the probe then would have the
 * kubelet kill it before its shards were handed off. A dispatcher too stuck to run the check within Pekko Management's
 * check-timeout fails it too, and a terminated actor system no longer serves the port at all.
 */
public final class LivenessCheck implements Supplier<CompletionStage<Boolean>> {
    private final ActorSystem system;

    public LivenessCheck(ActorSystem system) {
        this.system = system;
    }

    @Override
    public CompletionStage<Boolean> get() {
        return CompletableFuture.completedFuture(alive());
    }

    boolean alive() {
        return !system.whenTerminated().isCompleted();
    }
}
