package io.portmesh.loadtest.bind;

/** Polling waits of the benchmark: an interrupt ends the run instead of being swallowed. */
public final class Sleep {
    private Sleep() {}

    public static void millis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
