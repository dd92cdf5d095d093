package io.portmesh.loadtest;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The processes a run started (controller nodes, Cassandra, agents in JVMs of their own) must not outlive it: a run
 * stopped by a signal, or halted by its {@link RunWatchdog}, stops them here, whatever its own close got to.
 */
public final class ChildProcesses {
    private ChildProcesses() {}

    /**
     * Asks every process this JVM started (and theirs) that still runs to stop (SIGTERM), waits up to {@code grace} for
     * all of them together, then kills (SIGKILL) those left. Returns how many there were.
     */
    public static int stopAll(Duration grace) {
        List<ProcessHandle> left = ProcessHandle.current().descendants().toList();
        left.forEach(ProcessHandle::destroy);
        long until = System.nanoTime() + grace.toNanos();
        for (ProcessHandle p : left) {
            try {
                p.onExit().get(Math.max(1, until - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
        return left.size();
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
