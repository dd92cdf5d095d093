package io.portmesh.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The last {@code capacity} frames a VM received, copied, so tests can assert what did and did not arrive. */
final class FrameRing {
    private final byte[][] frames;
    private long total;

    FrameRing(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        frames = new byte[capacity][];
    }

    synchronized void add(byte[] frame, int len) {
        frames[(int) (total % frames.length)] = Arrays.copyOf(frame, len);
        total++;
    }

    /** Oldest first. */
    synchronized List<byte[]> snapshot() {
        int n = (int) Math.min(total, frames.length);
        List<byte[]> out = new ArrayList<>(n);
        for (long i = total - n; i < total; i++) {
            out.add(frames[(int) (i % frames.length)].clone());
        }
        return out;
    }

    synchronized long total() {
        return total;
    }

    synchronized void clear() {
        Arrays.fill(frames, null);
        total = 0;
    }
}
