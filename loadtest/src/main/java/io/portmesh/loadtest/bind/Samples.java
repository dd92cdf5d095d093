package io.portmesh.loadtest.bind;

import java.util.Arrays;
import java.util.List;

/** Latencies of a sequential probe, in nanoseconds; the floor uses medians because one stall must not move it. */
public record Samples(long[] sortedNanos) {
    public static Samples of(long[] nanos) {
        long[] copy = nanos.clone();
        Arrays.sort(copy);
        return new Samples(copy);
    }

    public int count() {
        return sortedNanos.length;
    }

    public double medianMs() {
        int n = sortedNanos.length;
        long mid = n % 2 == 1 ? sortedNanos[n / 2] : (sortedNanos[n / 2 - 1] + sortedNanos[n / 2]) / 2;
        return mid / 1e6;
    }

    public double percentileMs(double p) {
        int i = (int) Math.ceil(p / 100.0 * sortedNanos.length) - 1;
        return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, i))] / 1e6;
    }

    public double maxMs() {
        return sortedNanos[sortedNanos.length - 1] / 1e6;
    }

    /**
     * The nearest-rank percentile {@code p} (100: the maximum) of figures that are not nanosecond latencies (ms read
     * from timestamps, frame counts), in any order; NaN when there are none.
     */
    public static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted =
                values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
