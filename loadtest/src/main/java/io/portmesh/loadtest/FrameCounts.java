package io.portmesh.loadtest;

import io.portmesh.sim.FrameStream;
import io.portmesh.sim.StreamStats;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Counts of numbered frame streams ({@link FrameStream}) taken together, or between two readings of one. */
public final class FrameCounts {
    private FrameCounts() {}

    /** The sum over the streams; with {@code settle}, after each has been given up to 3 s in all to drain. */
    public static StreamStats sum(List<FrameStream> streams, boolean settle) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        long sent = 0, received = 0, lost = 0, dups = 0, ooo = 0, invalid = 0;
        for (FrameStream s : streams) {
            StreamStats st = settle
                    ? s.awaitReceived(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())))
                    : s.stats();
            sent += st.sent();
            received += st.received();
            lost += st.lost();
            dups += st.duplicates();
            ooo += st.outOfOrder();
            invalid += st.invalid();
        }
        return new StreamStats(sent, received, lost, dups, ooo, invalid);
    }

    /**
     * What happened on a stream between two readings of it: frames sent, received, lost and so on in between. Lost
     * counts what was in flight at either reading (one frame at most at a few hundred frames/s over loopback), so a
     * reading taken while frames flow is exact to about one frame.
     */
    public static StreamStats between(StreamStats before, StreamStats after) {
        return new StreamStats(
                after.sent() - before.sent(),
                after.received() - before.received(),
                after.lost() - before.lost(),
                after.duplicates() - before.duplicates(),
                after.outOfOrder() - before.outOfOrder(),
                after.invalid() - before.invalid());
    }
}
