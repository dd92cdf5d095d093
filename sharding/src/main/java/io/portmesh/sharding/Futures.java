package io.portmesh.sharding;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Pekko's asks return Scala-backed stages whose non-async callbacks (thenApply, handle, whenComplete) run as async
 * tasks on the common ForkJoinPool; on a 2-core machine that pool has parallelism 1, so the JDK starts a new thread
 * for every callback (measured: 12,832 threads in a 74 s load run). Hopping once onto the actor system's dispatcher
 * and continuing on a plain CompletableFuture avoids that. The same goes for {@code ActorContext.pipeToSelf}, which
 * calls {@code handle} on the stage it is given: give it the result of {@link #on}, never an ask directly.
 */
public final class Futures {
    private Futures() {}

    public static <T> CompletableFuture<T> on(CompletionStage<T> stage, Executor executor) {
        CompletableFuture<T> plain = new CompletableFuture<>();
        stage.whenCompleteAsync(
                (v, e) -> {
                    if (e != null) {
                        plain.completeExceptionally(e);
                    } else {
                        plain.complete(v);
                    }
                },
                executor);
        return plain;
    }
}
