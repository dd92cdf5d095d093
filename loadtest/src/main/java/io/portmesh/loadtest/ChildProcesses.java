package io.portmesh.loadtest;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The processes a run started (controller nodes, Cassandra, agents in JVMs of their own) must not outlive it: a run
 * stopped by a signal, or halted by its {@link RunWatchdog}, stops them here, whatever its own close got to.
 */
public final class ChildProcesses {
    private static final long POLL_MS = 100;
    /** SIGKILL passes after the grace: a process started during one is killed by the next. */
    private static final int KILL_PASSES = 3;

    private ChildProcesses() {}

    /**
     * Asks every process this JVM started (and theirs) that still runs to stop (SIGTERM), and keeps asking those that
     * appear meanwhile (the run's other threads may still start one, a restart for instance) until none is left or
     * {@code grace} has passed; then kills (SIGKILL) what is left, a few passes apart. Returns how many were asked.
     */
    public static int stopAll(Duration grace) {
        Set<Long> asked = new HashSet<>();
        long until = System.nanoTime() + grace.toNanos();
        try {
            while (System.nanoTime() - until < 0) {
                List<ProcessHandle> left = alive();
                if (left.isEmpty()) {
                    return asked.size();
                }
                for (ProcessHandle p : left) {
                    if (asked.add(p.pid())) {
                        p.destroy();
                    }
                }
                Thread.sleep(POLL_MS);
            }
            for (int pass = 0; pass < KILL_PASSES; pass++) {
                List<ProcessHandle> left = alive();
                left.forEach(p -> asked.add(p.pid()));
                left.forEach(ProcessHandle::destroyForcibly);
                Thread.sleep(POLL_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            alive().forEach(ProcessHandle::destroyForcibly);
        }
        return asked.size();
    }

    private static List<ProcessHandle> alive() {
        return ProcessHandle.current()
                .descendants()
                .filter(ProcessHandle::isAlive)
                .toList();
    }

    /**
     * Runs {@code stop} and then {@link #stopAll} when the JVM is asked to stop (SIGTERM, SIGINT) before {@link
     * Hook#remove} is called: a run ends by removing it, a run stopped from outside still stops what it started.
     */
    public static Hook onSignal(String name, Runnable stop, Duration grace) {
        Thread t = new Thread(
                () -> {
                    try {
                        stop.run();
                    } finally {
                        stopAll(grace);
                    }
                },
                name + "-stop");
        Runtime.getRuntime().addShutdownHook(t);
        return new Hook(t);
    }

    /** A registered {@link #onSignal} hook. */
    public static final class Hook {
        private final Thread thread;

        private Hook(Thread thread) {
            this.thread = thread;
        }

        /** The run ended by itself: no stop on the JVM's exit (a hook already running goes on). */
        public void remove() {
            try {
                Runtime.getRuntime().removeShutdownHook(thread);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs (or ran)
            }
        }
    }
}
