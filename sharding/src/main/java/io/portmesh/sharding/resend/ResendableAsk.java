package io.portmesh.sharding.resend;

import io.portmesh.sharding.EntityError;
import io.portmesh.sharding.Errors;
import io.portmesh.sharding.Futures;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * One ask of a command that is safe to send twice, and its attempts: the first, and at most one more per cluster
 * member removed while it waits ({@link AskResender}). The first reply wins, success or the entity's error; a later
 * reply is dropped. An attempt that times out, or a copy the entity answers DUPLICATE (it handled that request id
 * already: the first attempt has the real answer), decides nothing while another still runs; the ask fails with the
 * last of those only when none is left. Every attempt ends by the first one's deadline: a resend never lengthens an ask.
 */
final class ResendableAsk<M, R> {
    /** A resend with less time than this left could not be answered anyway: the ask times out as before. */
    static final Duration MIN_LEFT = Duration.ofMillis(200);

    private final EntityRef<M> ref;
    private final Function<ActorRef<StatusReply<R>>, M> message;
    private final Executor executor;
    private final long deadline;
    private final CompletableFuture<R> result = new CompletableFuture<>();
    private final AtomicInteger running = new AtomicInteger();
    /** The removed members this ask was resent for: once each. */
    private final Set<Address> resentFor = ConcurrentHashMap.newKeySet();

    ResendableAsk(
            EntityRef<M> ref, Function<ActorRef<StatusReply<R>>, M> message, Duration timeout, Executor executor) {
        this.ref = ref;
        this.message = message;
        this.executor = executor;
        this.deadline = System.nanoTime() + timeout.toNanos();
        send(timeout);
    }

    CompletableFuture<R> result() {
        return result;
    }

    /** The sharded entity type it asks: a resend waits until that type's shards have left the removed member. */
    String entityType() {
        return ref.getTypeKey().name();
    }

    /**
     * Sends the command again, unless it was answered, was resent for this removal already, or has too little time
     * left. The resend's timeout ends at the first attempt's deadline.
     *
     * @return whether it was sent
     */
    boolean resendFor(Address removed) {
        long left = deadline - System.nanoTime();
        if (result.isDone() || left < MIN_LEFT.toNanos() || !resentFor.add(removed)) {
            return false;
        }
        send(Duration.ofNanos(left));
        return true;
    }

    private void send(Duration timeout) {
        running.incrementAndGet();
        Futures.on(ref.askWithStatus(message::apply, timeout), executor).whenComplete(this::attemptEnded);
    }

    private void attemptEnded(R reply, Throwable failure) {
        if (failure == null) {
            result.complete(reply);
        } else if (!(unwrap(failure) instanceof TimeoutException) && !Errors.is(failure, EntityError.Kind.DUPLICATE)) {
            result.completeExceptionally(failure); // the entity answered (an error is an answer too)
        } else if (running.decrementAndGet() == 0) {
            // every attempt timed out, or the last left is a copy the entity knew: its first attempt's answer is lost
            result.completeExceptionally(failure);
        }
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
