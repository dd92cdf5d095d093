package io.portmesh.loadtest.bind;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntPredicate;
import org.HdrHistogram.Histogram;

/**
 * What happened to each port of a {@link BindLoad} run. Callbacks record from Pekko's threads; the histograms are
 * built once the run is over.
 */
final class BindResults {
    static final int PENDING = 0;
    static final int REALIZED = 1;
    static final int NOT_REALIZED = 2;
    static final int FAILED = 3;
    /** Five minutes in microseconds: longer than any bounded wait of a run. */
    private static final long HIGHEST_MICROS = 300_000_000L;

    private final AtomicLongArray totalNanos;
    private final AtomicLongArray createNanos;
    private final AtomicLongArray bindNanos;
    private final AtomicIntegerArray outcome;
    private final AtomicReferenceArray<String> portIds;
    private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    /** The first message of each kind of failure: enough to tell the kinds apart without flooding the report. */
    private final Map<String, String> firstOfKind = new ConcurrentHashMap<>();

    private final Map<String, AtomicInteger> pendingHosts = new ConcurrentHashMap<>();

    /** Written by the issuing thread only, read after the run. */
    long maxIssueLagNanos;

    int maxInFlight;
    double issueSeconds;
    double totalSeconds;
    int unfinished;

    BindResults(int ports) {
        totalNanos = new AtomicLongArray(ports);
        createNanos = new AtomicLongArray(ports);
        bindNanos = new AtomicLongArray(ports);
        outcome = new AtomicIntegerArray(ports);
        portIds = new AtomicReferenceArray<>(ports);
    }

    void created(int k, String portId) {
        portIds.set(k, portId);
    }

    /** The ids of the ports that were created (bound or not). */
    List<String> createdPorts() {
        List<String> ids = new java.util.ArrayList<>();
        for (int k = 0; k < portIds.length(); k++) {
            if (portIds.get(k) != null) {
                ids.add(portIds.get(k));
            }
        }
        return ids;
    }

    void completed(int k, long total, long create, long bind, boolean realized, List<String> pending) {
        totalNanos.set(k, total);
        createNanos.set(k, create);
        bindNanos.set(k, bind);
        outcome.set(k, realized ? REALIZED : NOT_REALIZED);
        pending.forEach(
                h -> pendingHosts.computeIfAbsent(h, x -> new AtomicInteger()).incrementAndGet());
    }

    void failed(int k, String step, Throwable e) {
        outcome.set(k, FAILED);
        String kind = step + ": " + e.getClass().getSimpleName();
        failures.computeIfAbsent(kind, x -> new AtomicInteger()).incrementAndGet();
        firstOfKind.putIfAbsent(kind, "port #" + k + " " + step + ": " + e);
    }

    int ports() {
        return outcome.length();
    }

    int count(int state) {
        int n = 0;
        for (int k = 0; k < outcome.length(); k++) {
            n += outcome.get(k) == state ? 1 : 0;
        }
        return n;
    }

    /** create+bind+realized of every port that got an answer (realized or not), in microseconds. */
    Histogram total() {
        return histogram(totalNanos, k -> true);
    }

    Histogram total(IntPredicate which) {
        return histogram(totalNanos, which);
    }

    Histogram create() {
        return histogram(createNanos, k -> true);
    }

    Histogram bindAndRealize() {
        return histogram(bindNanos, k -> true);
    }

    private Histogram histogram(AtomicLongArray nanos, IntPredicate which) {
        Histogram h = new Histogram(HIGHEST_MICROS, 3);
        for (int k = 0; k < nanos.length(); k++) {
            int o = outcome.get(k);
            if ((o == REALIZED || o == NOT_REALIZED) && which.test(k)) {
                h.recordValue(Math.min(HIGHEST_MICROS, Math.max(1, nanos.get(k) / 1000)));
            }
        }
        return h;
    }

    Map<String, Integer> failures() {
        Map<String, Integer> m = new TreeMap<>();
        failures.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    List<String> failureSamples() {
        return new TreeMap<>(firstOfKind).values().stream().toList();
    }

    Map<String, Integer> pendingHosts() {
        Map<String, Integer> m = new TreeMap<>();
        pendingHosts.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }
}
