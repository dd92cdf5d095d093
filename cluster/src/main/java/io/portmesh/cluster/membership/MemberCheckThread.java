package io.portmesh.cluster.membership;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The thread a membership check runs on ({@link DeadMemberDowning}, {@link OneWayFaultDowning}): one daemon thread of
 * its own, since a check may block (a probe of a silent port waits out its connect timeout) and must not hold a
 * dispatcher thread; runs {@code check} every {@code interval} until the actor system terminates.
 */
final class MemberCheckThread {
    private MemberCheckThread() {}

    /** The thread's executor, for one-shot follow-ups of a check. */
    static ScheduledExecutorService start(ActorSystem<?> system, String name, Duration interval, Runnable check) {
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        long every = interval.toMillis();
        thread.scheduleWithFixedDelay(check, every, every, TimeUnit.MILLISECONDS);
        system.getWhenTerminated().thenRun(thread::shutdownNow);
        return thread;
    }
}
