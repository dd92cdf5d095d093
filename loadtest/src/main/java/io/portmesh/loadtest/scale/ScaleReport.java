package io.portmesh.loadtest.scale;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.HdrHistogram.Histogram;

/**
 * What the scale run measured and the figures made from it: bring-up rates per phase, the port realized latency per
 * band of {@link ScaleSettings#band} ports (HdrHistogram, one per band: flat means the latency does not grow with the
 * count), and the memory points ({@link MemoryPoint}) turned into bytes per host, per agent, per switch and per port.
 * Per-port figures are the least-squares slope over the points taken during the port phase (the 0-port point and
 * every {@code memory-at} count), so one noisy GC reading does not make the figure. Writes {@code report.json} (every
 * figure with its unit in the key) and a plain text summary.
 */
public final class ScaleReport {
    private static final long MAX_MS = 600_000;

    private final ScaleSettings settings;
    private final Map<Integer, Histogram> realized = new ConcurrentHashMap<>();
    private final Map<Integer, Histogram> created = new ConcurrentHashMap<>();
    private final Map<String, double[]> phases = new LinkedHashMap<>();
    private final List<MemoryPoint> memory = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, Object> machine = new LinkedHashMap<>();
    private final Map<String, Long> counts = new LinkedHashMap<>();
    private String error;

    public ScaleReport(ScaleSettings settings) {
        this.settings = settings;
    }

    /** Port {@code k}'s (0-based, in creation order) create and bind-until-realized latencies, in milliseconds. */
    public void port(int k, double createMs, double realizedMs) {
        int b = k / settings.band();
        record(created, b, createMs);
        record(realized, b, realizedMs);
    }

    private static void record(Map<Integer, Histogram> m, int band, double ms) {
        Histogram h = m.computeIfAbsent(band, x -> new Histogram(MAX_MS * 1000, 3));
        synchronized (h) {
            h.recordValue(Math.min(MAX_MS * 1000, Math.max(0, Math.round(ms * 1000)))); // microseconds
        }
    }

    /** A phase of the bring-up: {@code count} things (hosts, agents, switches, ports) done in {@code seconds}. */
    public synchronized void phase(String name, int count, double seconds) {
        phases.put(name, new double[] {count, seconds});
    }

    public synchronized void memory(MemoryPoint p) {
        memory.add(p);
    }

    public synchronized void note(String line) {
        notes.add(line);
    }

    public synchronized void machine(String key, Object value) {
        machine.put(key, value);
    }

    /** A count at the end of the bring-up (Cassandra rows by table and entity type, flow-mods the agents applied). */
    public synchronized void count(String key, long value) {
        counts.put(key, value);
    }

    public synchronized void error(String e) {
        this.error = e;
    }

    public synchronized String errorMessage() {
        return error;
    }

    /** Things per second of a phase; NaN when it did not run. */
    public synchronized double rate(String phase) {
        double[] p = phases.get(phase);
        return p == null || p[1] <= 0 ? Double.NaN : p[0] / p[1];
    }

    /** A band's latency at {@code percentile}, in milliseconds; NaN for a band without ports. */
    public double realizedMs(int band, double percentile) {
        return percentileMs(realized.get(band), percentile);
    }

    private static double percentileMs(Histogram h, double percentile) {
        if (h == null) {
            return Double.NaN;
        }
        synchronized (h) {
            return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    public int bands() {
        return realized.keySet().stream().mapToInt(i -> i + 1).max().orElse(0);
    }

    /**
     * The last band's p50 over the first band's: near 1 when the realized latency is flat as the port count grows.
     * NaN with fewer than two bands.
     */
    public double growth(double percentile) {
        int n = bands();
        return n < 2 ? Double.NaN : realizedMs(n - 1, percentile) / realizedMs(0, percentile);
    }

    private synchronized MemoryPoint point(String label) {
        return memory.stream().filter(p -> p.label().equals(label)).findFirst().orElse(null);
    }

    /**
     * Bytes per thing, from two memory points: the difference of {@code what} over the difference of {@code count}.
     * NaN when a point is missing, a figure unknown or the count did not change.
     */
    static double perThing(
            MemoryPoint before,
            MemoryPoint after,
            java.util.function.ToLongFunction<MemoryPoint> what,
            java.util.function.ToIntFunction<MemoryPoint> count) {
        if (before == null || after == null) {
            return Double.NaN;
        }
        long a = what.applyAsLong(before);
        long b = what.applyAsLong(after);
        int n = count.applyAsInt(after) - count.applyAsInt(before);
        return a < 0 || b < 0 || n == 0 ? Double.NaN : (double) (b - a) / n;
    }

    /** The least-squares slope of y over x; NaN with fewer than two distinct x or an unknown y (negative). */
    static double slope(long[] x, long[] y) {
        int n = 0;
        double sx = 0;
        double sy = 0;
        for (int i = 0; i < x.length; i++) {
            if (y[i] < 0) {
                return Double.NaN;
            }
            sx += x[i];
            sy += y[i];
            n++;
        }
        if (n < 2) {
            return Double.NaN;
        }
        double mx = sx / n;
        double my = sy / n;
        double num = 0;
        double den = 0;
        for (int i = 0; i < x.length; i++) {
            num += (x[i] - mx) * (y[i] - my);
            den += (x[i] - mx) * (x[i] - mx);
        }
        return den == 0 ? Double.NaN : num / den;
    }

    /** Bytes per port of {@code what}: the slope over the port-phase points (0 ports and each memory-at count). */
    synchronized double perPort(java.util.function.ToLongFunction<MemoryPoint> what) {
        List<MemoryPoint> pts =
                memory.stream().filter(p -> p.label().startsWith("ports")).toList();
        long[] x = pts.stream().mapToLong(MemoryPoint::ports).toArray();
        long[] y = pts.stream().mapToLong(what).toArray();
        return slope(x, y);
    }

    /** The per-entity figures (bytes), by name; NaN where a point is missing. */
    public synchronized Map<String, Double> perEntity() {
        MemoryPoint empty = point("empty");
        MemoryPoint hosts = point("hosts");
        MemoryPoint switches = point("ports-0");
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("controllers.heap.per-host.bytes", perThing(empty, hosts, MemoryPoint::nodesHeap, MemoryPoint::hosts));
        m.put(
                "controllers.heap.per-switch.bytes",
                perThing(hosts, switches, MemoryPoint::nodesHeap, MemoryPoint::switches));
        m.put("controllers.heap.per-port.bytes", perPort(MemoryPoint::nodesHeap));
        m.put("agents.heap.per-agent.bytes", perThing(empty, hosts, MemoryPoint::agentsHeap, MemoryPoint::agents));
        m.put(
                "agents.resident.per-agent.bytes",
                perThing(empty, hosts, MemoryPoint::agentsResident, MemoryPoint::agents));
        m.put("agents.heap.per-port.bytes", perPort(MemoryPoint::agentsHeap));
        m.put("cassandra.disk.per-host.bytes", perThing(empty, hosts, MemoryPoint::cassandraDisk, MemoryPoint::hosts));
        m.put("cassandra.disk.per-port.bytes", perPort(MemoryPoint::cassandraDisk));
        m.put("cassandra.heap.per-port.bytes", perPort(MemoryPoint::cassandraHeap));
        return m;
    }

    /** The whole report as JSON: settings, phases, bands, memory points, per-entity figures, notes, error. */
    public synchronized ObjectNode toJson() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        ObjectNode sc = root.putObject("scenario");
        sc.put("name", settings.name())
                .put("hosts", settings.hosts())
                .put("agents-per-host", settings.agentsPerHost())
                .put("switches", settings.switches())
                .put("ports", settings.ports())
                .put("hosts-per-switch", settings.hostsPerSwitch())
                .put("concurrency", settings.concurrency())
                .put("band", settings.band())
                .put("event-loops", settings.eventLoops())
                .put("controller-heap", settings.controllerHeap())
                .put("echo-interval-ms", settings.echoInterval().toMillis())
                .put("heartbeat-pause-ms", settings.heartbeatPause().toMillis());
        root.set("machine", json.valueToTree(machine));
        ObjectNode ph = root.putObject("phases");
        phases.forEach((k, v) -> ph.putObject(k)
                .put("count", (int) v[0])
                .put("seconds", v[1])
                .put("per-second", v[1] > 0 ? v[0] / v[1] : 0));
        ArrayNode bands = root.putArray("realized-latency-bands");
        for (int b = 0; b < bands(); b++) {
            Histogram h = realized.get(b);
            bands.addObject()
                    .put("ports.from", b * settings.band())
                    .put("count", h == null ? 0 : h.getTotalCount())
                    .put("create.p50.ms", percentileMs(created.get(b), 50))
                    .put("realized.p50.ms", realizedMs(b, 50))
                    .put("realized.p99.ms", realizedMs(b, 99))
                    .put("realized.max.ms", realizedMs(b, 100));
        }
        root.put("realized.p50.growth", growth(50));
        root.put("realized.p99.growth", growth(99));
        ArrayNode mem = root.putArray("memory");
        memory.forEach(p -> mem.add(json.valueToTree(p)));
        ObjectNode per = root.putObject("per-entity");
        perEntity().forEach(per::put);
        ObjectNode cn = root.putObject("counts");
        counts.forEach(cn::put);
        root.set("notes", json.valueToTree(notes));
        root.put("error", error);
        return root;
    }

    /** The summary a person reads at the end of the run. */
    public synchronized List<String> summary() {
        List<String> out = new ArrayList<>();
        phases.forEach(
                (k, v) -> out.add(String.format("%-10s %,6d in %7.1f s = %8.1f/s", k, (int) v[0], v[1], v[0] / v[1])));
        for (int b = 0; b < bands(); b++) {
            out.add(String.format(
                    "ports %,6d+  realized p50 %8.1f ms  p99 %8.1f ms  max %8.1f ms",
                    b * settings.band(), realizedMs(b, 50), realizedMs(b, 99), realizedMs(b, 100)));
        }
        out.add(String.format("realized growth last/first band: p50 x%.2f, p99 x%.2f", growth(50), growth(99)));
        memory.forEach(p -> out.add(p.toString()));
        perEntity().forEach((k, v) -> out.add(String.format("%-36s %,12.0f", k, v)));
        counts.forEach((k, v) -> out.add(String.format("%-36s %,12d", k, v)));
        out.addAll(notes);
        if (error != null) {
            out.add("ERROR: " + error);
        }
        return out;
    }
}
