package io.portmesh.agent.control;

import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
    private final long tickNanos;
    private final long thresholdNanos;
    /** When the checker last ran this watch's check: a check late by far more than a tick was paused itself. */
    private long lastCheck;
    /**
     * How long the checker itself was paused since the watched thread's tick {@link #creditTick}: that much of the
     * thread's silence is the whole process's (a GC pause, no CPU for the JVM), not the thread's, and is not reported
     * as its stall. Written by the checker only; a credit for an older tick than the last is void.
     */
    private long pausedSinceTick;

    private long creditTick;
    /** When this watch last logged a stack: at most one per {@link #STACK_EVERY_NANOS}. */
    private long stackLoggedAt;

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
        this.tickNanos = tickNanos;
        this.thresholdNanos = thresholdNanos;
        this.clock = clock;
        this.lastTick = clock.getAsLong();
        this.lastCheck = lastTick;
        this.stackLoggedAt = lastTick - STACK_EVERY_NANOS;
        this.checks = checker == null
                ? null
                : checker.scheduleWithFixedDelay(this::check, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
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

    /** One thread that many agents share ({@link SharedAgentThreads}), with the same tick and threshold. */
    static Runnable watchShared(String name, Executor thread) {
        return start(name, thread, SHARED_CHECKER, 50, 300)::close;
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

    /** A stack is logged at most this often per watched thread: taking one stops the thread briefly. */
    static final long STACK_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** When a process-wide pause was last logged, by any watch of the JVM: one line per pause, not one per thread. */
    private static final AtomicLong PAUSE_LOGGED_AT = new AtomicLong(Long.MIN_VALUE);

    /**
     * On the checker: queue a tick unless one waits already, and report a stall past the threshold. The part of the
     * silence during which the checker itself did not run (it runs every tick, so a check much later than that means
     * the process was paused: a GC, or no CPU for the JVM) is the process's, not the thread's: it is logged once per
     * JVM as a pause, and only the rest counts as the thread's stall. Under a loaded machine's pauses an agents' JVM
     * once logged 2,778 stalls with stacks in a minute, 100 at a time, one per watched thread, all at allocation sites
     * (docs/architecture.md section 7.2).
     */
    void check() {
        long now = clock.getAsLong();
        long tickedAt = lastTick;
        if (creditTick != tickedAt) { // the thread ticked since: its silence starts again, and the credit with it
            creditTick = tickedAt;
            pausedSinceTick = 0;
        }
        long checkerLate = now - lastCheck - tickNanos;
        lastCheck = now;
        if (checkerLate > thresholdNanos / 2) {
            // only the part of the pause after the thread's last tick is part of its silence
            pausedSinceTick += Math.min(checkerLate, now - tickedAt);
            logPause(now, checkerLate);
        }
        long since = now - tickedAt;
        long own = since - pausedSinceTick;
        if (own > thresholdNanos && stallReportedAt != tickedAt) {
            stallReportedAt = tickedAt;
            Thread t = thread;
            String stack;
            if (t == null) {
                stack = "(not known yet)";
            } else if (now - stackLoggedAt < STACK_EVERY_NANOS) {
                stack = "(logged less than 10 s ago)";
            } else {
                stackLoggedAt = now;
                stack = Arrays.stream(t.getStackTrace()).map(f -> "\n\tat " + f).collect(Collectors.joining());
            }
            log.warn(
                    "{} has run no task for {} ms ({} ms of it while the whole process was paused); its stack:{}",
                    name,
                    TimeUnit.NANOSECONDS.toMillis(since),
                    TimeUnit.NANOSECONDS.toMillis(pausedSinceTick),
                    stack);
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

    private void logPause(long now, long late) {
        long last = PAUSE_LOGGED_AT.get();
        // MIN_VALUE: never logged (now - MIN_VALUE would overflow to a negative number)
        if ((last == Long.MIN_VALUE || now - last > thresholdNanos) && PAUSE_LOGGED_AT.compareAndSet(last, now)) {
            log.warn(
                    "the agents' stall checker ran {} ms late: the whole process was paused (GC, or no CPU); threads"
                            + " silent for that long are not reported as stalled",
                    TimeUnit.NANOSECONDS.toMillis(late));
        }
    }

    /** Whether the checker was paused since the watched thread's last tick, by this much in all (for tests). */
    long pausedSinceTick() {
        return creditTick == lastTick ? pausedSinceTick : 0;
    }

    /** Whether a process-wide pause was ever logged in this JVM (for tests). */
    static boolean pauseLogged() {
        return PAUSE_LOGGED_AT.get() != Long.MIN_VALUE;
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

    /** A watch whose checks the caller runs ({@link #check}) on {@code clock}'s time (for tests). */
    static ThreadStallWatch unscheduled(
            String name, Executor watched, long tickNanos, long thresholdNanos, LongSupplier clock) {
        return new ThreadStallWatch(name, watched, null, tickNanos, thresholdNanos, clock);
    }

    /** Whether a stall is reported and not over yet (for tests). */
    boolean stalled() {
        return stallReportedAt == lastTick;
    }

    @Override
    public void close() {
        if (checks != null) {
            checks.cancel(false);
        }
    }
}
