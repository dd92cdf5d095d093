package io.portmesh.loadtest.bind;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BindReportTlsCostTest {
    /** {@code totalMicros} below 2,048: recorded exactly (the histograms keep 3 significant digits). */
    private static BindReport.Half half(String label, long totalMicros, long barrierMs, String load) {
        BindResults r = new BindResults(3);
        for (int k = 0; k < 2; k++) {
            r.completed(k, totalMicros * 1_000, 100_000, totalMicros * 1_000 - 100_000, true, List.of());
        }
        r.failed(2, "bindPort", new IllegalStateException("boom"));
        Samples barriers = Samples.of(new long[] {barrierMs * 1_000_000});
        return new BindReport.Half(label, r, new PathFloor(Samples.of(new long[] {1_000_000}), barriers), load, load);
    }

    @Test
    void theCostOfTlsIsP50AndP99RealizedLatencyAndTheBarrierRoundTripOnThenOff() {
        BindReport report = new BindReport();
        report.tlsCost(half("TLS off", 1000, 1, "1.00 0.90 0.80"), half("TLS on", 1500, 2, "2.00 1.00 0.90"));
        List<String> lines = report.lines();
        assertThat(lines).contains("TLS cost on the bind path (the same load, TLS off then TLS on, in this run):");
        assertThat(lines)
                .contains("  create+bind+realized p50: TLS off 1.00 ms, on 1.50 ms; TLS costs +0.50 ms (+50.0%)");
        assertThat(lines)
                .contains("  create+bind+realized p99: TLS off 1.00 ms, on 1.50 ms; TLS costs +0.50 ms (+50.0%)");
        assertThat(lines)
                .contains("  barrier round trip median (controller->agent, floor probe): TLS off 1.00 ms, on 2.00 ms;"
                        + " TLS costs +1.00 ms (+100.0%)");
        assertThat(lines).contains("  realized: 2 of 3 with TLS off, 2 of 3 with TLS on");
        assertThat(lines)
                .contains("  load average (1/5/15 min) during the load: TLS off 1.00 0.90 0.80 -> 1.00 0.90 0.80;"
                        + " TLS on 2.00 1.00 0.90 -> 2.00 1.00 0.90");
    }

    @Test
    void noLatencyComparisonWhenARunAnsweredNoPort() {
        BindReport report = new BindReport();
        BindResults none = new BindResults(1);
        BindReport.Half empty = new BindReport.Half(
                "TLS on",
                none,
                new PathFloor(Samples.of(new long[] {1_000_000}), Samples.of(new long[] {1_000_000})),
                "-",
                "-");
        report.tlsCost(half("TLS off", 1000, 1, "-"), empty);
        assertThat(report.lines()).contains("  no comparison: a run had no answered port");
        assertThat(report.lines()).noneMatch(l -> l.contains("realized p50"));
    }
}
