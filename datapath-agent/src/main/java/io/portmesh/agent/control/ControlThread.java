package io.portmesh.agent.control;

import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where an agent's OpenFlow work runs, one task at a time and in arrival order (flow-mods, role requests, replies):
 * a thread of its own, or one of the control threads that the agents of a JVM share ({@link SharedAgentThreads}).
 * Either way a barrier reply means every message before it is applied.
 *
 * <p>A burst of flow-mods arrives as thousands of messages: they go into an inbox drained by one executor task rather
 * than one task each, which is what keeps the hand-off off the flow-mod profile.
 */
final class ControlThread {
    private static final Logger log = LoggerFactory.getLogger(ControlThread.class);
    /** Tasks run per turn before the rest goes back to the executor. */
    static final int BUDGET = 256;

    private final ScheduledExecutorService executor;
    /** Whether the executor is this agent's to shut down (false: shared; its owner shuts it down). */
    private final boolean owned;

    private final Queue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final java.util.List<ScheduledFuture<?>> periodic = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Set by close(): a shared executor goes on running, so the agent itself stops taking work for it. */
    private volatile boolean closed;

    private ControlThread(ScheduledExecutorService executor, boolean owned) {
        this.executor = executor;
        this.owned = owned;
    }

    /** A thread of the agent's own, named after its host and slot. */
    static ControlThread own(String host, String slot) {
        return new ControlThread(
                Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "agent-control-" + host + "-" + slot);
                    t.setDaemon(true);
                    return t;
                }),
                true);
    }

    /** One of the shared control threads (one thread: tasks still run in order). */
    static ControlThread on(SharedAgentThreads shared) {
        return new ControlThread(shared.nextControl(), false);
    }

    /** The executor, for a stall watch. */
    ScheduledExecutorService executor() {
        return executor;
    }

    /**
     * Queues work. Once the agent is closed it is dropped, which is expected then (Netty reports the connections' ends
     * after close() returns) and must not surface as an exception in an I/O callback.
     */
    void run(Runnable task) {
        if (closed) {
            return;
        }
        inbox.add(task);
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::drainInbox);
            } catch (RejectedExecutionException closing) {
                log.debug("agent closed: dropping control tasks");
            }
        }
    }

    /**
     * Runs {@code c} on the thread and waits (at most 10 s) for its answer: a read of state kept there. Called on that
     * thread itself (a task of this or, shared, another agent's), it runs at once: waiting for itself would stall every
     * agent on the thread for the 10 s.
     */
    <T> T call(Callable<T> c) {
        try {
            if (executor instanceof io.netty.util.concurrent.EventExecutor e && e.inEventLoop()) {
                return c.call();
            }
            return executor.submit(c).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code task} every {@code period} until close. */
    void every(java.time.Duration period, Runnable task) {
        periodic.add(executor.scheduleWithFixedDelay(task, period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS));
    }

    /**
     * At most {@link #BUDGET} tasks a turn, then the rest is handed back to the executor: on a shared thread, one
     * agent's burst of flow-mods must not hold back the other agents' role requests, barriers and packet-ins.
     */
    private void drainInbox() {
        int ran = 0;
        try {
            for (Runnable r = inbox.poll(); r != null && !closed; r = ++ran < BUDGET ? inbox.poll() : null) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    log.warn("control task failed: {}", e.toString()); // one bad task must not stall the rest
                }
            }
        } finally {
            // also after an Error: a drain left "scheduled" would never be scheduled again
            drainScheduled.set(false);
        }
        if (closed) {
            inbox.clear();
        } else if (!inbox.isEmpty() && drainScheduled.compareAndSet(false, true)) {
            // the budget was spent, or a task came between the last poll and the reset
            try {
                executor.execute(this::drainInbox);
            } catch (RejectedExecutionException closing) {
                log.debug("agent closed: dropping control tasks");
            }
        }
    }

    /** Stops taking work; stops the thread if it is the agent's own, else only the agent's periodic tasks on it. */
    void close() {
        closed = true;
        if (owned) {
            executor.shutdownNow();
        } else {
            periodic.forEach(f -> f.cancel(false));
        }
    }
}
