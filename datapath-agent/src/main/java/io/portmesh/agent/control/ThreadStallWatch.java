package io.portmesh.agent.control;

import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says when a thread the agent depends on stops running its tasks, and what it was doing. The controllers fail a
 * host's switch VM over when its agent answers no echo for 800 ms, and an agent whose process ran on was once failed
 * over so under load: its one OpenFlow I/O thread (which answers the echoes) was silent that long while its other
 * threads ran (docs/architecture.md section 7.2). A tick task runs on the watched thread every {@code tick}; a daemon
 * checker logs a warning with the watched thread's stack once a tick is {@code threshold} late, and again when the
 * thread runs again, with how long it stalled. Only a log: it changes nothing the agent does.
 */
final class ThreadStallWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ThreadStallWatch.class);

    private final String name;
    private final long thresholdNanos;
    private final LongSupplier clock;
    private final ScheduledFuture<?> checks;
    private final Executor watched;
    private volatile long lastTick;
    private volatile Thread thread;
    private volatile boolean tickQueued;
    private static final long NONE = Long.MIN_VALUE;
    private volatile long stallReportedAt = NONE; // the tick the stall reported follows, NONE if none

    private ThreadStallWatch(
            String name,
            Executor watched,
            ScheduledExecutorService checker,
            long tickNanos,
            long thresholdNanos,
            LongSupplier clock) {
        this.name = name;
        this.watched = watched;
        this.thresholdNanos = thresholdNanos;
        this.clock = clock;
        this.lastTick = clock.getAsLong();
        this.checks = checker.scheduleWithFixedDelay(this::check, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * One checker thread for every agent in the JVM (a benchmark runs 50): its checks are a few reads each.
     */
    private static final ScheduledExecutorService SHARED_CHECKER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "agent-stall-watch");
        t.setDaemon(true);
        return t;
    });

    /**
     * An agent's two threads: its OpenFlow I/O event loop (which answers the controllers' echoes) and its control
     * thread, ticking every 50 ms and warning past 300 ms, well inside the controllers' echo detection (800 ms by
     * default), so that a stall which costs the agent its connections is in its log with what the thread was doing.
     */
    /** @return what stops both watches */
    static Runnable watchAgent(Executor ioThread, Executor controlThread) {
        ThreadStallWatch io = start("agent OpenFlow I/O thread", ioThread, SHARED_CHECKER, 50, 300);
        ThreadStallWatch control = start("agent control thread", controlThread, SHARED_CHECKER, 50, 300);
        return () -> {
            io.close();
            control.close();
        };
    }

    /**
     * Watches {@code watched} (an executor backed by one thread, such as a Netty event loop) from {@code checker},
     * ticking every {@code tickMillis} and warning past {@code thresholdMillis}.
     */
    static ThreadStallWatch start(
            String name, Executor watched, ScheduledExecutorService checker, long tickMillis, long thresholdMillis) {
        return new ThreadStallWatch(
                name,
                watched,
                checker,
                TimeUnit.MILLISECONDS.toNanos(tickMillis),
                TimeUnit.MILLISECONDS.toNanos(thresholdMillis),
                System::nanoTime);
    }

    /** On the checker: queue a tick unless one waits already, and report a stall past the threshold. */
    void check() {
        long now = clock.getAsLong();
        long since = now - lastTick;
        if (since > thresholdNanos && stallReportedAt != lastTick) {
            stallReportedAt = lastTick;
            Thread t = thread;
            String stack = t == null
                    ? "(not known yet)"
                    : Arrays.stream(t.getStackTrace()).map(f -> "\n\tat " + f).collect(Collectors.joining());
            log.warn("{} has run no task for {} ms; its stack:{}", name, TimeUnit.NANOSECONDS.toMillis(since), stack);
        }
        if (!tickQueued) {
            tickQueued = true;
            try {
                watched.execute(this::tick);
            } catch (RuntimeException e) { // shut down: nothing to watch any more
                tickQueued = false;
            }
        }
    }

    /** On the watched thread. */
    private void tick() {
        long now = clock.getAsLong();
        long before = lastTick;
        thread = Thread.currentThread();
        lastTick = now;
        tickQueued = false;
        if (stallReportedAt == before) {
            log.warn("{} runs again after a stall of {} ms", name, TimeUnit.NANOSECONDS.toMillis(now - before));
        }
    }

    /** Whether a stall is reported and not over yet (for tests). */
    boolean stalled() {
        return stallReportedAt == lastTick;
    }

    @Override
    public void close() {
        checks.cancel(false);
    }
}
