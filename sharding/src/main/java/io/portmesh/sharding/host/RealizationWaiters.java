package io.portmesh.sharding.host;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * Those waiting until a Host's agents acknowledge a plan version ({@code ?wait=realized}): each is told true then, or
 * false at its deadline (the entity gets {@link HostSelfMessage.ExpireWaiters}), or false at once when no agent is left.
 */
final class RealizationWaiters {
    private record Waiter(long version, Consumer<Boolean> done, long deadlineNanos) {}

    private final ActorContext<HostProtocol.Command> ctx;
    private final Duration timeout;
    private final List<Waiter> waiters = new ArrayList<>();

    RealizationWaiters(ActorContext<HostProtocol.Command> ctx, Duration timeout) {
        this.ctx = ctx;
        this.timeout = timeout;
    }

    void add(long version, Consumer<Boolean> done) {
        waiters.add(new Waiter(version, done, System.nanoTime() + timeout.toNanos()));
        ctx.scheduleOnce(timeout, ctx.getSelf(), new HostSelfMessage.ExpireWaiters());
    }

    /** Answers false to those whose deadline passed. */
    void expire() {
        long now = System.nanoTime();
        waiters.removeIf(w -> {
            if (now - w.deadlineNanos() >= 0) {
                w.done().accept(false);
                return true;
            }
            return false;
        });
    }

    /** Answers true to those whose version is now {@code realized}, and false to all when no agent is left. */
    void complete(LongPredicate realized, boolean noAgent) {
        waiters.removeIf(w -> {
            if (noAgent || realized.test(w.version())) {
                w.done().accept(!noAgent);
                return true;
            }
            return false;
        });
    }
}
