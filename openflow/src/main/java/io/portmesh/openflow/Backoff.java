package io.portmesh.openflow;

import java.time.Duration;
import java.util.Random;

/**
 * Exponential reconnect delays: min, 2*min, 4*min ... up to max, each with up to 25% added jitter (still capped
 * at max) so that agents cut off together do not reconnect in lockstep. Not thread-safe.
 */
final class Backoff {
    private final long minMillis;
    private final long maxMillis;
    private final Random random;
    private long currentMillis;

    Backoff(Duration min, Duration max, Random random) {
        this.minMillis = min.toMillis();
        this.maxMillis = max.toMillis();
        this.random = random;
        this.currentMillis = minMillis;
    }

    /** The delay to wait before the next attempt; doubles the following one. */
    long nextDelayMillis() {
        long base = currentMillis;
        currentMillis = Math.min(maxMillis, currentMillis * 2);
        long jitter = base / 4 > 0 ? (long) (random.nextDouble() * (base / 4)) : 0;
        return Math.min(maxMillis, base + jitter);
    }

    /** Back to the minimum delay (after a successful handshake). */
    void reset() {
        currentMillis = minMillis;
    }
}
