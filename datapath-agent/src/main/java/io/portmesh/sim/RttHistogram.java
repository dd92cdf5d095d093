package io.portmesh.sim;

import java.util.function.LongConsumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A round-trip-time histogram in nanoseconds that many VMs' receive threads can record into at once (it is an
 * HdrHistogram {@link Recorder}); pass it to {@link SimulatedVm#setRttHook}. Values above an hour are clamped.
 */
public final class RttHistogram implements LongConsumer {
    private static final long MAX_NANOS = 3_600_000_000_000L;

    private final Recorder recorder = new Recorder(MAX_NANOS, 3);
    private final Histogram total = new Histogram(MAX_NANOS, 3);

    @Override
    public void accept(long nanos) {
        recorder.recordValue(Math.max(0, Math.min(nanos, MAX_NANOS)));
    }

    /** What was recorded since the previous call to this method or {@link #cumulative()}. */
    public synchronized Histogram interval() {
        Histogram h = recorder.getIntervalHistogram();
        total.add(h);
        return h;
    }

    /** Everything recorded so far. */
    public synchronized Histogram cumulative() {
        total.add(recorder.getIntervalHistogram());
        return total.copy();
    }
}
