package io.portmesh.loadtest.harness;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.portmesh.loadtest.bind.MachineInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * What a run came to: every figure with its unit, the latency histograms (HdrHistogram, microsecond resolution,
 * reported in ms), the faults as injected, the violations, the SLOs and whether each was met, the scenario, the seed,
 * the machine and the commit. Written as {@code report.json} (keys in loadtest/README.md) and {@link ReportHtml report.html}.
 */
public final class RunReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(10);

    /** A figure: its value and its unit ({@code ms}, {@code count}, {@code ops/s}, {@code ratio}, {@code frames}). */
    public record Figure(double value, String unit) {}

    /** An SLO and how the run stood against it. */
    public record SloResult(String figure, String bound, double value, boolean met) {}

    public final Scenario scenario;
    public final Map<String, Figure> figures = new LinkedHashMap<>();
    public final Map<String, Histogram> latencies = new LinkedHashMap<>();
    public final List<Map<String, Object>> faults = new ArrayList<>();
    public final List<Invariants.Violation> violations = new ArrayList<>();
    public final List<SloResult> slos = new ArrayList<>();
    /** One row per second of the load: figures over time for the charts. */
    public final List<Map<String, Object>> timeline = new ArrayList<>();

    public final List<String> notes = new ArrayList<>();
    /** Frames lost so far (sent - received), sampled: [ms from the load's start, frames]. */
    public final List<long[]> frameLoss = new ArrayList<>();

    public final String startedAt = Instant.now().toString();
    public String error;
    /** The watchdog halted the run (it outlived max-run). */
    public volatile boolean halted;

    public RunReport(Scenario scenario) {
        this.scenario = scenario;
    }

    public void figure(String name, double value, String unit) {
        figures.put(name, new Figure(value, unit));
    }

    public Histogram histogram(String op) {
        return latencies.computeIfAbsent(op, k -> new Histogram(HIGHEST_MICROS, 3));
    }

    /** Records {@code ms} under {@code op} (clamped to the histogram's range). */
    public void latency(String op, double ms) {
        long micros = Math.max(0, Math.min(HIGHEST_MICROS, Math.round(ms * 1e3)));
        histogram(op).recordValue(micros);
    }

    /** Each histogram's count, p50, p90, p99, p99.9 and max as figures ({@code latency.<op>.p99} in ms). */
    public void latencyFigures() {
        latencies.forEach((op, h) -> {
            figure("latency." + op + ".count", h.getTotalCount(), "count");
            for (double p : new double[] {50, 90, 99, 99.9}) {
                figure(
                        "latency." + op + ".p" + (p == Math.rint(p) ? String.valueOf((int) p) : String.valueOf(p)),
                        h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(p) / 1e3,
                        "ms");
            }
            figure("latency." + op + ".max", h.getTotalCount() == 0 ? Double.NaN : h.getMaxValue() / 1e3, "ms");
        });
    }

    /** Checks every SLO of the scenario against the figures: a figure missing counts as missed. */
    public void evaluateSlos() {
        slos.clear();
        for (Scenario.Slo s : scenario.slos()) {
            Figure f = figures.get(s.figure());
            double v = f == null ? Double.NaN : f.value();
            slos.add(new SloResult(s.figure(), s.describe(), v, s.met(v)));
        }
    }

    public boolean passed() {
        return error == null && violations.isEmpty() && slos.stream().allMatch(SloResult::met);
    }

    /**
     * 0 when every SLO was met and no invariant was violated, 1 otherwise, 2 when the run itself failed, 3 when the
     * watchdog halted it.
     */
    public int exitStatus() {
        return halted ? 3 : error != null ? 2 : passed() ? 0 : 1;
    }

    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", scenario.asMap());
        m.put("seed", scenario.seed());
        m.put("startedAt", startedAt);
        m.put("commit", commit());
        m.put("machine", machine());
        m.put("passed", passed());
        m.put("exitStatus", exitStatus());
        m.put("error", error);
        Map<String, Object> figs = new LinkedHashMap<>();
        figures.forEach((k, f) -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("value", orNull(f.value()));
            one.put("unit", f.unit());
            figs.put(k, one);
        });
        m.put("figures", figs);
        m.put("slos", slos.stream().map(RunReport::sloMap).toList());
        m.put("violations", violations);
        m.put("faults", faults);
        Map<String, Object> hist = new LinkedHashMap<>();
        latencies.forEach((op, h) -> hist.put(op, distribution(h)));
        m.put("latencyDistributions", hist);
        m.put("timeline", timeline);
        m.put("frameLoss", frameLoss);
        m.put("notes", notes);
        return m;
    }

    /** An SLO's result as the report writes it: its value null when its figure was never reached, as a figure's. */
    private static Map<String, Object> sloMap(SloResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("figure", r.figure());
        m.put("bound", r.bound());
        m.put("value", orNull(r.value()));
        m.put("met", r.met());
        return m;
    }

    /** A value for the JSON: null for NaN (no value), which Jackson would otherwise write as the string "NaN". */
    private static Double orNull(double v) {
        return Double.isNaN(v) ? null : v;
    }

    /** A histogram's percentile curve (ms at 0..99.999 %) for the report's charts. */
    private static List<double[]> distribution(Histogram h) {
        List<double[]> out = new ArrayList<>();
        if (h.getTotalCount() == 0) {
            return out;
        }
        for (double p : new double[] {0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100}) {
            out.add(new double[] {p, h.getValueAtPercentile(p) / 1e3});
        }
        return out;
    }

    /**
     * Writes {@code report.json} and {@code report.html} into {@code dir}; returns the JSON's path. One writer at a
     * time (a run stopped from outside writes from its stop while its main thread may still write too), and each file
     * replaced whole (written beside it, then moved over it): a reader never sees half a report. The run's lists may
     * still change while a stop writes: a write that meets one changing is made again, a few times.
     */
    public synchronized Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path f = dir.resolve("report.json");
        String json = null;
        for (int attempt = 1; json == null; attempt++) {
            try {
                json = JSON.writeValueAsString(asMap());
            } catch (ConcurrentModificationException | JsonMappingException e) {
                if (attempt == 3) {
                    throw new IOException("the report kept changing while it was written", e);
                }
            }
        }
        replace(f, json);
        ReportHtml.write(dir, json);
        return f;
    }

    /** {@code f} replaced by {@code text} at once: written beside it, then moved over it. */
    public static void replace(Path f, String text) throws IOException {
        Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nproc", Runtime.getRuntime().availableProcessors());
        m.put("memTotal", MachineInfo.memTotal());
        m.put("loadAverage", MachineInfo.loadAverage());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        m.put("summary", MachineInfo.summary());
        return m;
    }

    /** {@code git rev-parse HEAD} where the run started, "+dirty" when the work tree has changes; "unknown" without git. */
    public static String commit() {
        String head = git("rev-parse", "HEAD");
        if (head == null || head.isBlank()) {
            return "unknown";
        }
        String status = git("status", "--porcelain", "--untracked-files=no");
        return head.trim() + (status == null || status.isBlank() ? "" : "+dirty");
    }

    private static String git(String... args) {
        try {
            List<String> cmd = new ArrayList<>(List.of("git"));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
