package io.portmesh.sim;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Optional;

/**
 * The receiving end of one stream at one VM: every sequence number seen (a bit each, so duplicates are told exactly
 * however long the stream), the counters of {@link StreamStats}, and the log of arrivals (sequence number and receive
 * time) that {@link FrameStream#firstArrivalAfter} searches. Arrivals past {@link #MAX_ARRIVALS} are counted but no
 * longer logged. Fed by the receive threads of the VM's wires (two of them while a move drains), hence synchronized.
 */
final class StreamReceiver {
    static final int MAX_ARRIVALS = 1 << 21;

    private final BitSet seen = new BitSet();
    private long received;
    private long duplicates;
    private long outOfOrder;
    private long invalid;
    private long highest;
    private long[] arrivalSeq = new long[64];
    private long[] arrivalNanos = new long[64];
    private int arrivals;

    /** One frame of the stream arrived now. */
    synchronized void accept(long seq) {
        long now = System.nanoTime();
        if (seq < 1 || seq > FrameStream.MAX_SEQ) {
            invalid++;
            return;
        }
        int bit = (int) seq;
        if (seen.get(bit)) {
            duplicates++;
        } else {
            seen.set(bit);
            received++;
            if (seq < highest) {
                outOfOrder++;
            } else {
                highest = seq;
            }
        }
        log(seq, now);
    }

    private void log(long seq, long now) {
        if (arrivals == MAX_ARRIVALS) {
            return;
        }
        if (arrivals == arrivalSeq.length) {
            int n = Math.min(MAX_ARRIVALS, arrivals * 2);
            arrivalSeq = Arrays.copyOf(arrivalSeq, n);
            arrivalNanos = Arrays.copyOf(arrivalNanos, n);
        }
        arrivalSeq[arrivals] = seq;
        arrivalNanos[arrivals] = now;
        arrivals++;
    }

    synchronized StreamStats stats(long sent) {
        return new StreamStats(sent, received, sent - received, duplicates, outOfOrder, invalid);
    }

    /** A copy of the sequence numbers received. */
    synchronized BitSet seen() {
        return (BitSet) seen.clone();
    }

    synchronized long received() {
        return received;
    }

    /** The first arrival (duplicates included) at or after {@code nanoTime}; times only grow, so a binary search. */
    synchronized Optional<FrameStream.Arrival> arrivalOf(long seq) {
        for (int i = 0; i < arrivals; i++) {
            if (arrivalSeq[i] == seq) {
                return Optional.of(new FrameStream.Arrival(seq, arrivalNanos[i]));
            }
        }
        return Optional.empty();
    }

    synchronized Optional<FrameStream.Arrival> firstArrivalAfter(long nanoTime) {
        int lo = 0;
        int hi = arrivals;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (arrivalNanos[mid] - nanoTime < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo == arrivals
                ? Optional.empty()
                : Optional.of(new FrameStream.Arrival(arrivalSeq[lo], arrivalNanos[lo]));
    }
}
