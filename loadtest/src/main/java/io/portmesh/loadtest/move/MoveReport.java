package io.portmesh.loadtest.move;

import io.portmesh.loadtest.ReportLines;
import io.portmesh.loadtest.bind.Samples;
import io.portmesh.sharding.service.MigrationInfo;
import io.portmesh.sim.FrameStream;
import io.portmesh.sim.StreamStats;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What {@link MoveBenchmark} measured, as its report: the lines it prints and writes to
 * {@code work/bench-move/report.txt}, the latency rows (p50, p99, max), the frames lost by direction and by the move's
 * outcome, and the kernel's UDP drops. The benchmark runs the scenario; this class only counts and prints.
 */
final class MoveReport {
    static final double TARGET_P99_MS = 50;
    static final Duration PROBE_PERIOD = Duration.ofMillis(200);

    private final ReportLines report = new ReportLines(50);
    private String lossLine = "";

    /** What one move measured; negative when not reached. */
    static final class MoveResult {
        long readyNanos = -1; // startMigration(wait=realized) latency
        long movedWallMs = -1; // the VM moved (its RARP), wall clock
        int fromHost = -1;
        int toHost = -1;
        MigrationInfo start;
        MigrationInfo end;
        String failure;

        long activatedAtMs() {
            return end == null ? -1 : epochMs(end.activatedAt());
        }

        long repointedAtMs() {
            return end == null ? -1 : epochMs(end.repointedAt());
        }

        long endedAtMs() {
            return end == null ? -1 : epochMs(end.endedAt());
        }

        long startedAtMs() {
            return end == null ? -1 : epochMs(end.startedAt());
        }

        /** An ISO-8601 instant of MigrationInfo in epoch milliseconds, -1 when not reached. */
        private static long epochMs(String instant) {
            return instant == null ? -1 : Instant.parse(instant).toEpochMilli();
        }

        boolean completed() {
            return end != null && MigrationInfo.COMPLETED.equals(end.state());
        }
    }

    void results(
            int rate,
            List<MoveResult> rs,
            long wallStart,
            StreamStats before,
            StreamStats total,
            Samples writes,
            Samples barriers,
            Samples idleBinds,
            Samples during,
            int duringErrors) {
        List<MoveResult> ok = rs.stream().filter(MoveResult::completed).toList();
        line("");
        line(
                "moves:    %d started, %d COMPLETED, %d failed or unfinished",
                rs.size(), ok.size(), rs.size() - ok.size());
        rs.stream().filter(r -> r.failure != null).limit(5).forEach(r -> line("          e.g. %s", r.failure));
        long activatedByRarp =
                ok.stream().filter(r -> "RARP".equals(r.end.activatedBy())).count();
        line("          activated by RARP: %d of %d completed", activatedByRarp, ok.size());
        if (!ok.isEmpty()) {
            long firstStart = Math.min(
                    wallStart,
                    ok.stream().mapToLong(MoveResult::startedAtMs).min().orElse(wallStart));
            long lastEnd = ok.stream().mapToLong(MoveResult::endedAtMs).max().orElse(wallStart);
            double seconds = Math.max(1, lastEnd - firstStart) / 1e3;
            line(
                    "          %d moves in %.2f s (first start to last endedAt): %.1f moves/s",
                    ok.size(), seconds, ok.size() / seconds);
        }
        line("");
        line("latency (ms)                                            n     p50     p99     max");
        row("start -> B ready (startMigration, wait=realized)", readies(rs));
        List<Double> repointed = times(
                ok.stream().filter(r -> r.repointedAtMs() > 0).toList(), r -> r.repointedAtMs() - r.activatedAtMs());
        row("activation -> all peers re-pointed (activatedAt -> repointedAt)", repointed);
        row("RARP -> move ended (moved -> endedAt: + source released)", movedToEnded(rs));
        row("activatedAt -> endedAt (MigrationInfo)", times(ok, r -> r.endedAtMs() - r.activatedAtMs()));
        row("RARP -> activatedAt (moved -> activation seen)", times(ok, r -> r.activatedAtMs() - r.movedWallMs));
        row("startedAt -> endedAt (whole move)", times(ok, r -> r.endedAtMs() - r.startedAtMs()));
        double p99 = Samples.percentile(repointed, 99);
        line(
                "target:   activation -> all peers re-pointed p99 <= %.0f ms: %s (p99 %.1f ms; %d of %d completed"
                        + " moves re-pointed within the realization timeout)",
                TARGET_P99_MS,
                repointed.isEmpty() ? "no data" : p99 <= TARGET_P99_MS ? "met" : "NOT met",
                p99,
                repointed.size(),
                ok.size());
        line("          (MigrationInfo times are epoch milliseconds: the three rows from them are +-1 ms)");
        line("");
        line(
                "frames:   %s streams at %d frames/s each (%,d frames/s in all)",
                2 * rs.size(), rate, 2L * rs.size() * rate);
        line(
                "          sent %,d, received %,d, LOST %,d (target 0), duplicates %,d, out of order %,d",
                total.sent(), total.received(), total.lost(), total.duplicates(), total.outOfOrder());
        line(
                "          (2 s into the traffic, before the moves: sent %,d, not yet received %,d, duplicates %d)",
                before.sent(), before.lost(), before.duplicates());
        line(lossLine);
        line("");
        line("floor, idle, measured in this run before the moves:");
        line(
                "          Cassandra INSERT (QUORUM, RF 1, sequential, n %d): median %.3f ms, p99 %.3f ms",
                writes.count(), writes.medianMs(), writes.percentileMs(99));
        line(
                "          barrier round trip to an agent over loopback TCP (n %d): median %.3f ms, p99 %.3f ms",
                barriers.count(), barriers.medianMs(), barriers.percentileMs(99));
        line(
                "          bind wait=realized of a new port on an idle switch, one host (n %d): median %.1f ms, "
                        + "p99 %.1f ms",
                idleBinds.count(), idleBinds.medianMs(), idleBinds.percentileMs(99));
        if (during != null) {
            line(
                    "          Cassandra INSERT during the moves (one every %d ms, n %d, %d errors): median %.3f ms, "
                            + "p99 %.3f ms, max %.3f ms",
                    PROBE_PERIOD.toMillis(),
                    during.count(),
                    duringErrors,
                    during.medianMs(),
                    during.percentileMs(99),
                    during.maxMs());
        }
    }

    /** Frames lost on the two streams of each mover, summed over moves that completed and over the others. */
    void lostByOutcome(List<MoveResult> rs, List<FrameStream> streams) {
        long lostOk = 0, lostFailed = 0, movesWithLoss = 0, fromMover = 0, toMover = 0;
        for (int i = 0; i < rs.size(); i++) {
            long out = streams.get(2 * i).stats().lost(); // the moved VM -> its peer
            long in = streams.get(2 * i + 1).stats().lost(); // the peer -> the moved VM
            fromMover += out;
            toMover += in;
            long lost = out + in;
            if (lost > 0) {
                movesWithLoss++;
            }
            if (rs.get(i).completed()) {
                lostOk += lost;
            } else {
                lostFailed += lost;
            }
        }
        lossLine = String.format(
                "          lost on the streams of completed moves %,d, of failed or unfinished moves %,d; "
                        + "%d moved ports lost at least one frame; sent by the moved VMs %,d, sent to them %,d",
                lostOk, lostFailed, movesWithLoss, fromMover, toMover);
    }

    private interface Span {
        long ms(MoveResult r);
    }

    private static List<Double> times(List<MoveResult> rs, Span s) {
        return rs.stream().map(r -> (double) s.ms(r)).sorted().toList();
    }

    /** startMigration's latency, in ms with microsecond resolution (timed here with nanoTime). */
    static List<Double> readies(List<MoveResult> rs) {
        return rs.stream()
                .filter(r -> r.readyNanos >= 0)
                .map(r -> r.readyNanos / 1e6)
                .sorted()
                .toList();
    }

    static List<Double> movedToEnded(List<MoveResult> rs) {
        return times(rs.stream().filter(MoveResult::completed).toList(), r -> r.endedAtMs() - r.movedWallMs);
    }

    private void row(String what, List<Double> values) {
        report.row(what, values);
    }

    void line(String format, Object... values) {
        report.line(format, values);
    }

    void print() {
        report.write(MoveBenchmark.WORK.resolve("report.txt"));
    }

    /** Datagrams the kernel dropped because a UDP socket's receive buffer was full, since boot; -1 when unknown. */
    static long udpReceiveBufferErrors() {
        return io.portmesh.loadtest.KernelUdp.receiveBufferErrors();
    }
}
