package io.portmesh.loadtest.demo;

import io.portmesh.sharding.metrics.NodeMetrics;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The controller's own account of switch-VM failovers, read from {@code GET /metrics} of every node and summed over
 * them: {@code portmesh_switch_failovers_total{kind}} and the sum and count of each phase of the histogram
 * {@code portmesh_switch_failover_phase_seconds{phase}} (decided: active agent lost -> failover persisted; trunk:
 * persisted -> new active's trunk acknowledged up; repointed: persisted -> every peer re-pointed, acknowledged). The
 * difference of two readings ({@link #since}) is what the failovers in between added: with one failover in between,
 * each phase's sum is that failover's own time.
 */
public record FailoverMetrics(double unplanned, double planned, double[] phaseSeconds, double[] phaseCounts) {
    public static final List<String> PHASES = List.of("decided", "trunk", "repointed");
    private static final String PHASE = "portmesh_switch_failover_phase_seconds";

    /** One reading of every node (a client of each node's API). */
    public static FailoverMetrics read(List<RestClient> nodes) throws IOException, InterruptedException {
        List<String> scrapes = new ArrayList<>();
        for (RestClient node : nodes) {
            scrapes.add(node.text("/metrics"));
        }
        return parse(scrapes);
    }

    /** The sums over scrapes in the Prometheus text format. */
    public static FailoverMetrics parse(List<String> scrapes) {
        double unplanned = 0;
        double planned = 0;
        double[] sums = new double[PHASES.size()];
        double[] counts = new double[PHASES.size()];
        for (String m : scrapes) {
            unplanned += NodeMetrics.sum(m, "portmesh_switch_failovers_total", "kind=\"unplanned\"");
            planned += NodeMetrics.sum(m, "portmesh_switch_failovers_total", "kind=\"planned\"");
            for (int i = 0; i < PHASES.size(); i++) {
                String label = "phase=\"" + PHASES.get(i) + "\"";
                sums[i] += NodeMetrics.sum(m, PHASE + "_sum", label);
                counts[i] += NodeMetrics.sum(m, PHASE + "_count", label);
            }
        }
        return new FailoverMetrics(unplanned, planned, sums, counts);
    }

    /**
     * Reads until {@code phase} has been observed once more than in {@code before} (or {@code wait} has passed, every
     * 50 ms): the controller observes a phase when it ends, so a reading taken as soon as a trunk is seen up may come
     * before the re-pointing's observation.
     */
    public static FailoverMetrics awaitPhase(
            List<RestClient> nodes, FailoverMetrics before, String phase, Duration wait)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        FailoverMetrics now = read(nodes);
        while (now.since(before).count(phase) < 1 && System.nanoTime() - deadline < 0) {
            TimeUnit.MILLISECONDS.sleep(50);
            now = read(nodes);
        }
        return now;
    }

    /** What was added since {@code before}. */
    public FailoverMetrics since(FailoverMetrics before) {
        double[] sums = new double[PHASES.size()];
        double[] counts = new double[PHASES.size()];
        for (int i = 0; i < PHASES.size(); i++) {
            sums[i] = phaseSeconds[i] - before.phaseSeconds[i];
            counts[i] = phaseCounts[i] - before.phaseCounts[i];
        }
        return new FailoverMetrics(unplanned - before.unplanned, planned - before.planned, sums, counts);
    }

    public long count(String phase) {
        return Math.round(phaseCounts[PHASES.indexOf(phase)]);
    }

    /** The phase's sum over its count, in milliseconds; NaN when it was not observed. */
    public double meanMs(String phase) {
        int i = PHASES.indexOf(phase);
        return phaseCounts[i] > 0 ? phaseSeconds[i] / phaseCounts[i] * 1e3 : Double.NaN;
    }

    /** E.g. {@code unplanned 1, planned 0; decided 1.2 ms, trunk 20.3 ms, repointed 35.0 ms (sum/count, n 1 each)}. */
    public String describe() {
        StringBuilder b = new StringBuilder(
                String.format("failovers unplanned %.0f, planned %.0f; phases (sum/count)", unplanned, planned));
        String sep = " ";
        for (String p : PHASES) {
            if (count(p) > 0) {
                b.append(sep).append(String.format("%s %.1f ms (n %d)", p, meanMs(p), count(p)));
                sep = ", ";
            }
        }
        return sep.equals(" ") ? b.append(" none observed").toString() : b.toString();
    }
}
