package io.portmesh.loadtest.failover;

import io.portmesh.loadtest.ReportLines;
import io.portmesh.loadtest.bind.Samples;
import io.portmesh.loadtest.demo.FailoverMetrics;
import io.portmesh.sim.FrameStream;
import io.portmesh.sim.StreamStats;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * What {@link FailoverBenchmark} measured, as its report (stdout and {@code work/bench-failover/report.txt}): a row per
 * failover, then n / p50 / p99 / max of every timing and of the frames lost and duplicated per failover and
 * direction, and the targets. The benchmark runs the scenario; this class only counts and prints.
 */
final class FailoverReport {
    /** The loss window an unplanned failover may cost (docs/architecture.md 7.2: the standby's replay window is 200 ms). */
    static final double TARGET_WINDOW_MS = 100;

    private final ReportLines report = new ReportLines(62);

    /** One failover of one host: times from its start (the kill, or the API call) in ms; NaN when not reached. */
    static final class Failover {
        final String host;
        final boolean planned;
        long startNanos;
        long startWallMs;
        double activeSeenMs = Double.NaN;
        double trunkUpSeenMs = Double.NaN;
        double apiMs = Double.NaN;
        int apiStatus;
        double persistedMs = Double.NaN;
        FailoverMetrics controller;
        FrameStream outStream;
        FrameStream inStream;
        StreamStats out;
        StreamStats in;
        String failure;

        Failover(String host, boolean planned) {
            this.host = host;
            this.planned = planned;
        }

        boolean tookOver() {
            return failure == null;
        }

        double phaseMs(String phase) {
            return controller != null && controller.count(phase) == 1 ? controller.meanMs(phase) : Double.NaN;
        }

        /**
         * The controller's {@code decided} (agent lost -> persisted) a second or more longer than kill -> persisted by
         * the journal: its loss time is older than the kill (an earlier loss of the same agent it did not forget). It
         * may exceed the journal's figure by a little anyway: it ends when the write is acknowledged, the journal's
         * time is when it was made.
         */
        boolean staleDecided() {
            return phaseMs("decided") > persistedMs + 1_000;
        }

        /** From the start to every peer re-pointed: the journal's persisted time plus the controller's re-pointing phase. */
        double repointedMs() {
            return persistedMs + phaseMs("repointed");
        }

        /** The larger direction's loss as time at {@code rate} frames/s. */
        double windowMs(int rate) {
            return out == null ? Double.NaN : Math.max(out.lost(), in.lost()) * 1000.0 / rate;
        }
    }

    void line(String format, Object... values) {
        report.line(format, values);
    }

    void unplanned(List<Failover> fs, int rate) {
        List<Failover> ok = fs.stream().filter(Failover::tookOver).toList();
        line("");
        line(
                "UNPLANNED: the active agent (slot a) killed with SIGKILL, one host after the other: %d of %d taken "
                        + "over by slot b (active, trunk up) within the wait",
                ok.size(), fs.size());
        fs.stream().filter(f -> !f.tookOver()).limit(5).forEach(f -> line("          e.g. %s: %s", f.host, f.failure));
        line(
                "  per failover, ms from the kill: persisted (journal), slot b active seen, trunk up seen, peers re-pointed;");
        line("  the controller's phases decided / trunk / repointed (ms); frames lost out/in, duplicates out/in");
        for (Failover f : fs) {
            line(
                    "  %-22s %6.1f %6.1f %6.1f %6.1f | %5.1f %6.1f %6.1f | lost %s | dups %s%s",
                    f.host,
                    f.persistedMs,
                    f.activeSeenMs,
                    f.trunkUpSeenMs,
                    f.repointedMs(),
                    f.phaseMs("decided"),
                    f.phaseMs("trunk"),
                    f.phaseMs("repointed"),
                    pair(f, StreamStats::lost),
                    pair(f, StreamStats::duplicates),
                    (f.controller != null && f.controller.unplanned() != 1
                                    ? String.format(
                                            " (controller counted %.0f unplanned failovers)", f.controller.unplanned())
                                    : "")
                            + (f.staleDecided() ? " (decided > kill -> persisted: stale)" : ""));
        }
        line("");
        line("  latency (ms)                                                       n     p50     p99     max");
        report.row("kill -> failover persisted (journal time, +-1 ms)", values(ok, f -> f.persistedMs));
        report.row("kill -> slot b active seen (GET host every 10 ms)", values(ok, f -> f.activeSeenMs));
        report.row("kill -> slot b trunk up seen (GET host every 10 ms)", values(ok, f -> f.trunkUpSeenMs));
        report.row("kill -> every peer re-pointed (persisted + repointed)", values(ok, Failover::repointedMs));
        report.row("controller: decided (agent lost -> persisted)", values(ok, f -> f.phaseMs("decided")));
        long stale = ok.stream().filter(Failover::staleDecided).count();
        if (stale > 0) {
            report.row(
                    "controller: decided, without the " + stale + " stale",
                    values(ok.stream().filter(f -> !f.staleDecided()).toList(), f -> f.phaseMs("decided")));
        }
        report.row("controller: trunk (persisted -> trunk up, acknowledged)", values(ok, f -> f.phaseMs("trunk")));
        report.row("controller: repointed (persisted -> peers re-pointed)", values(ok, f -> f.phaseMs("repointed")));
        frames(fs, rate);
        double worst = Samples.percentile(values(fs, f -> f.windowMs(rate)), 100);
        line(
                "  target: loss window <= %.0f ms per unplanned failover (lost frames / rate, larger direction): %s "
                        + "(max %.0f ms)",
                TARGET_WINDOW_MS,
                ok.size() < fs.size()
                        ? "NOT met (not every host was taken over)"
                        : worst <= TARGET_WINDOW_MS ? "met" : "NOT met",
                worst);
    }

    void rejoined(List<Double> seconds, int restarted, double timeoutSeconds) {
        line("");
        line(
                "RESTART: the %d killed agents started again at once: %d rejoined as the standby (holding the plan, "
                        + "trunk down) within %.0f s",
                restarted, seconds.size(), timeoutSeconds);
        line("  seconds                                                            n     p50     p99     max");
        report.row("agent started -> ready standby seen (GET host every 250 ms)", seconds);
    }

    void planned(List<Failover> fs, int rate) {
        List<Failover> ok = fs.stream().filter(Failover::tookOver).toList();
        line("");
        line(
                "PLANNED: POST /v1/hosts/{id}/failover back to slot a, one host after the other: %d of %d answered with "
                        + "slot a active and up",
                ok.size(), fs.size());
        fs.stream().filter(f -> !f.tookOver()).limit(5).forEach(f -> line("          e.g. %s: %s", f.host, f.failure));
        line("  per failover: ms from the call: answered, persisted (journal); the controller's phases trunk /");
        line("  repointed (ms); frames lost out/in, duplicates out/in");
        for (Failover f : fs) {
            line(
                    "  %-22s %3d %6.1f %6.1f | %6.1f %6.1f | lost %s | dups %s",
                    f.host,
                    f.apiStatus,
                    f.apiMs,
                    f.persistedMs,
                    f.phaseMs("trunk"),
                    f.phaseMs("repointed"),
                    pair(f, StreamStats::lost),
                    pair(f, StreamStats::duplicates));
        }
        line("");
        line("  latency (ms)                                                       n     p50     p99     max");
        report.row("POST failover answered (the API's latency)", values(ok, f -> f.apiMs));
        report.row("call -> failover persisted (journal time, +-1 ms)", values(ok, f -> f.persistedMs));
        report.row("controller: trunk (persisted -> trunk up, acknowledged)", values(ok, f -> f.phaseMs("trunk")));
        report.row("controller: repointed (persisted -> peers re-pointed)", values(ok, f -> f.phaseMs("repointed")));
        frames(fs, rate);
        long lost = fs.stream()
                .filter(f -> f.out != null)
                .mapToLong(f -> f.out.lost() + f.in.lost())
                .sum();
        line(
                "  target: lost 0 in a planned failover: %s (%d lost over the %d failovers, both directions)",
                ok.size() < fs.size() ? "NOT met (not every failover succeeded)" : lost == 0 ? "met" : "NOT met",
                lost,
                fs.size());
    }

    private void frames(List<Failover> fs, int rate) {
        List<Failover> counted = fs.stream().filter(f -> f.out != null).toList();
        line("  frames per failover (%d frames/s each way)                         n     p50     p99     max", rate);
        report.row("lost, host's VM -> its peer", values(counted, f -> f.out.lost()));
        report.row("lost, peer -> host's VM", values(counted, f -> f.in.lost()));
        report.row("duplicates, host's VM -> its peer", values(counted, f -> f.out.duplicates()));
        report.row("duplicates, peer -> host's VM", values(counted, f -> f.in.duplicates()));
        report.row("loss window, ms (larger direction's lost / rate)", values(counted, f -> f.windowMs(rate)));
    }

    private static String pair(Failover f, ToDoubleFunction<StreamStats> what) {
        return f.out == null ? "-" : String.format("%.0f/%.0f", what.applyAsDouble(f.out), what.applyAsDouble(f.in));
    }

    private static List<Double> values(List<Failover> fs, ToDoubleFunction<Failover> v) {
        List<Double> out = new ArrayList<>();
        for (Failover f : fs) {
            double d = v.applyAsDouble(f);
            if (!Double.isNaN(d)) {
                out.add(d);
            }
        }
        return out;
    }

    void write(Path file) {
        report.write(file);
    }
}
