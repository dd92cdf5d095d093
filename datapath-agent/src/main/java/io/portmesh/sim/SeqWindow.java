package io.portmesh.sim;

import java.util.Arrays;

/**
 * Classifies arriving sequence numbers as new, late (out of order), or duplicate, remembering the last
 * {@link #WINDOW} numbers in a bitmap so memory stays fixed however long a run lasts. A number older than the window
 * counts as late; whether it is a duplicate can no longer be told.
 */
final class SeqWindow {
    static final int WINDOW = 1 << 16;

    enum Verdict {
        IN_ORDER,
        OUT_OF_ORDER,
        DUPLICATE
    }

    private final long[] bits = new long[WINDOW / 64];
    private long highest = -1;

    synchronized Verdict accept(long seq) {
        if (seq > highest) {
            long gap = seq - highest;
            if (highest < 0 || gap >= WINDOW) {
                Arrays.fill(bits, 0);
            } else {
                for (long s = highest + 1; s < seq; s++) {
                    clear(s);
                }
            }
            set(seq);
            highest = seq;
            return Verdict.IN_ORDER;
        }
        if (highest - seq >= WINDOW) {
            return Verdict.OUT_OF_ORDER;
        }
        if (isSet(seq)) {
            return Verdict.DUPLICATE;
        }
        set(seq);
        return Verdict.OUT_OF_ORDER;
    }

    private void set(long seq) {
        int i = (int) (seq & (WINDOW - 1));
        bits[i >>> 6] |= 1L << (i & 63);
    }

    private void clear(long seq) {
        int i = (int) (seq & (WINDOW - 1));
        bits[i >>> 6] &= ~(1L << (i & 63));
    }

    private boolean isSet(long seq) {
        int i = (int) (seq & (WINDOW - 1));
        return (bits[i >>> 6] & (1L << (i & 63))) != 0;
    }
}
