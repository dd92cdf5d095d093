package io.portmesh.loadtest;

import java.util.concurrent.TimeUnit;

/** The last bound of a benchmark run: a hung step or a hung close must not keep the machine busy. */
public final class RunWatchdog {
    private RunWatchdog() {}

    /**
     * Halts the JVM (exit status 3) if it still runs {@code seconds} from now, after saying so on stderr and running
     * {@code last} (write the report so far). A daemon thread: a run that ends in time is not held up by it.
     */
    public static void start(String name, long seconds, Runnable last) {
        Thread w = new Thread(
                () -> {
                    try {
                        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
                    } catch (InterruptedException e) {
                        return;
                    }
                    System.err.println("[" + name + "] run exceeded its maximum (" + seconds + " s): halting");
                    last.run();
                    Runtime.getRuntime().halt(3);
                },
                name + "-watchdog");
        w.setDaemon(true);
        w.start();
    }
}
