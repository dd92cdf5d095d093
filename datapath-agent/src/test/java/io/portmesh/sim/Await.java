package io.portmesh.sim;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for something another thread does (a receive thread counting a frame). The bound is a liveness limit, not a
 * performance assertion: on a healthy machine the condition holds within milliseconds.
 */
public final class Await {
    private static final long LIMIT_NANOS = 5_000_000_000L;

    private Await() {}

    public static void until(BooleanSupplier condition, Supplier<String> whatFailed) {
        long deadline = System.nanoTime() + LIMIT_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 5 s: " + whatFailed.get());
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting: " + whatFailed.get(), e);
            }
        }
    }
}
