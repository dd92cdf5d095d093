package io.portmesh.sharding;

import java.util.concurrent.TimeUnit;

/** Waits, bounded, for a condition that entities reach on their own (a timer's check, a message's effect). */
public final class Eventually {
    private Eventually() {}

    /** A check that fails with an {@link AssertionError} until the condition holds. */
    public interface Check {
        void run() throws Exception;
    }

    /** Runs {@code check} until it passes, for up to 15 seconds, then fails with its last error. */
    public static void eventually(Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try {
                check.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }
}
