package io.portmesh.loadtest.bind;

import io.portmesh.loadtest.TlsCost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** The printed result of a run: figures first, then how they were obtained. Also written to report.txt. */
final class BindReport {
    static final double TARGET_P99_MS = 100.0;
    static final double TARGET_RATIO = 3.0;

    private final List<String> lines = new ArrayList<>();

    /**
     * One measured run of a {@code --tls both} benchmark: its label, its results, its floor, and the load average at
     * the start and the end of its load (the machine is shared: a difference may be another process's).
     */
    record Half(String label, BindResults results, PathFloor floor, String loadBefore, String loadAfter) {}

    void line(String text) {
        lines.add(text);
    }

    void line(String format, Object... args) {
        lines.add(String.format(format, args));
    }

    void results(BindResults r, double rate, PathFloor floor, int windowSeconds) {
        Histogram total = r.total();
        int answered = r.count(BindResults.REALIZED) + r.count(BindResults.NOT_REALIZED);
        line("");
        line("create+bind+realized latency, from each port's scheduled start (%d ports answered):", answered);
        if (total.getTotalCount() == 0) {
            line("  no port was answered: no latency figures");
        } else {
            line("  p50 %s   p99 %s   max %s", ms(total, 50), ms(total, 99), maxMs(total));
            Histogram c = r.create();
            Histogram b = r.bindAndRealize();
            line(
                    "  of which createPort p50 %s p99 %s; bindPort(waitRealized) p50 %s p99 %s",
                    ms(c, 50), ms(c, 99), ms(b, 50), ms(b, 99));
        }
        line(
                "outcomes: %d realized, %d answered but NOT realized, %d failed, %d unfinished at the drain deadline",
                r.count(BindResults.REALIZED),
                r.count(BindResults.NOT_REALIZED),
                r.count(BindResults.FAILED),
                r.unfinished);
        Map<String, Integer> pending = r.pendingHosts();
        if (!pending.isEmpty()) {
            line("  not realized, pending hosts (host=times): %s", pending);
        }
        r.failures().forEach((kind, n) -> line("  failed %d x %s", n, kind));
        r.failureSamples().forEach(s -> line("    e.g. %s", s));
        line(
                "issuing: %d ports in %.1f s (offered %.1f/s, achieved %.1f/s), max issue lag %.1f ms, max in flight %d; "
                        + "run incl. drain %.1f s",
                r.ports(),
                r.issueSeconds,
                rate,
                r.issueSeconds > 0 ? (r.ports() - 1) / r.issueSeconds : 0,
                r.maxIssueLagNanos / 1e6,
                r.maxInFlight,
                r.totalSeconds);
        windows(r, rate, windowSeconds);
        floorAndTargets(total, floor);
    }

    /** Latency by when the port was scheduled: shows whether the controller kept up or fell behind over time. */
    private void windows(BindResults r, double rate, int windowSeconds) {
        int perWindow = Math.max(1, (int) Math.round(rate * windowSeconds));
        line("by %d s window of scheduled start (ports: p50 / p99 / max ms):", windowSeconds);
        StringBuilder b = new StringBuilder();
        for (int from = 0, i = 0; from < r.ports(); from += perWindow, i++) {
            int lo = from;
            int hi = Math.min(r.ports(), from + perWindow);
            Histogram h = r.total(k -> k >= lo && k < hi);
            b.append(String.format(
                    "  [%3d-%3d s] %s",
                    i * windowSeconds,
                    (i + 1) * windowSeconds,
                    h.getTotalCount() == 0
                            ? "none answered"
                            : String.format(
                                    "%.1f / %.1f / %.1f",
                                    h.getValueAtPercentile(50) / 1e3,
                                    h.getValueAtPercentile(99) / 1e3,
                                    h.getMaxValue() / 1e3)));
            b.append('\n');
        }
        b.setLength(Math.max(0, b.length() - 1));
        line(b.toString());
    }

    private void floorAndTargets(Histogram total, PathFloor f) {
        line("");
        line("floor of the path (measured in this run, before the load):");
        line(
                "  Cassandra write: median %.3f ms (p99 %.3f, max %.3f) over %d sequential single-row INSERTs at QUORUM",
                f.writes().medianMs(),
                f.writes().percentileMs(99),
                f.writes().maxMs(),
                f.writes().count());
        line("  sequential Cassandra writes on the path: %d", f.persists());
        PathFloor.SEQUENTIAL_PERSISTS.forEach(p -> line("    %s", p));
        line(
                "  barrier round trip controller->agent: median %.3f ms (p99 %.3f) over %d",
                f.barriers().medianMs(),
                f.barriers().percentileMs(99),
                f.barriers().count());
        line(
                "  floor = %d x %.3f + %.3f = %.3f ms",
                f.persists(), f.writes().medianMs(), f.barriers().medianMs(), f.floorMs());
        line("");
        if (total.getTotalCount() == 0) {
            line("targets: NOT MET (no port was answered)");
            return;
        }
        double p50 = total.getValueAtPercentile(50) / 1e3;
        double p99 = total.getValueAtPercentile(99) / 1e3;
        line("ratio p99/floor %.2f, p50/floor %.2f", p99 / f.floorMs(), p50 / f.floorMs());
        line("target p99 <= %.0f ms:        %s (p99 %.1f ms)", TARGET_P99_MS, met(p99 <= TARGET_P99_MS), p99);
        line(
                "target p99/floor <= %.0f:      %s (%.2f)",
                TARGET_RATIO, met(p99 / f.floorMs() <= TARGET_RATIO), p99 / f.floorMs());
    }

    private static String met(boolean ok) {
        return ok ? "MET" : "NOT MET";
    }

    private static String ms(Histogram h, double p) {
        return h.getTotalCount() == 0 ? "-" : String.format("%.1f ms", h.getValueAtPercentile(p) / 1e3);
    }

    private static String maxMs(Histogram h) {
        return String.format("%.1f ms", h.getMaxValue() / 1e3);
    }

    /**
     * What TLS costs on the bind path, from two runs of the same load, {@code off} then {@code on}: the realized
     * latency (p50, p99) and the barrier round trip of the floor probe, each with TLS off, on, and the difference.
     */
    void tlsCost(Half off, Half on) {
        line("");
        line("TLS cost on the bind path (the same load, %s then %s, in this run):", off.label(), on.label());
        Histogram a = off.results().total();
        Histogram b = on.results().total();
        if (a.getTotalCount() == 0 || b.getTotalCount() == 0) {
            line("  no comparison: a run had no answered port");
        } else {
            for (double p : new double[] {50, 99}) {
                line(
                        "  %s",
                        TlsCost.latency(
                                        String.format("create+bind+realized p%.0f", p),
                                        a.getValueAtPercentile(p) / 1e3,
                                        b.getValueAtPercentile(p) / 1e3)
                                .line());
            }
        }
        line(
                "  %s",
                TlsCost.latency(
                                "barrier round trip median (controller->agent, floor probe)",
                                off.floor().barriers().medianMs(),
                                on.floor().barriers().medianMs())
                        .line());
        line(
                "  realized: %d of %d with %s, %d of %d with %s",
                off.results().count(BindResults.REALIZED),
                off.results().ports(),
                off.label(),
                on.results().count(BindResults.REALIZED),
                on.results().ports(),
                on.label());
        line(
                "  load average (1/5/15 min) during the load: %s %s -> %s; %s %s -> %s",
                off.label(), off.loadBefore(), off.loadAfter(), on.label(), on.loadBefore(), on.loadAfter());
    }

    /** The report's lines so far. */
    List<String> lines() {
        return List.copyOf(lines);
    }

    void print(Path file) {
        String text = String.join("\n", lines) + "\n";
        System.out.print(text);
        System.out.flush();
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            System.err.println("could not write " + file + ": " + e);
        }
    }
}
