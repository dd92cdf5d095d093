package io.portmesh.loadtest.bind;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SamplesAndResultsTest {
    @Test
    void medianAndPercentilesOfNanosInMilliseconds() {
        Samples odd = Samples.of(new long[] {5_000_000, 1_000_000, 3_000_000});
        assertThat(odd.medianMs()).isEqualTo(3.0);
        assertThat(odd.maxMs()).isEqualTo(5.0);
        Samples even = Samples.of(new long[] {4_000_000, 1_000_000, 2_000_000, 3_000_000});
        assertThat(even.medianMs()).isEqualTo(2.5);
        long[] hundred = new long[100];
        for (int i = 0; i < 100; i++) {
            hundred[i] = (i + 1) * 1_000_000L;
        }
        assertThat(Samples.of(hundred).percentileMs(99)).isEqualTo(99.0);
    }

    @Test
    void histogramsHoldAnsweredPortsOnlyAndOutcomesAreCounted() {
        BindResults r = new BindResults(4);
        r.completed(0, 20_000_000, 5_000_000, 15_000_000, true, List.of());
        r.completed(1, 40_000_000, 5_000_000, 35_000_000, false, List.of("h7"));
        r.failed(2, "bindPort", new IllegalStateException("boom"));
        assertThat(r.count(BindResults.REALIZED)).isEqualTo(1);
        assertThat(r.count(BindResults.NOT_REALIZED)).isEqualTo(1);
        assertThat(r.count(BindResults.FAILED)).isEqualTo(1);
        assertThat(r.count(BindResults.PENDING)).isEqualTo(1);
        assertThat(r.total().getTotalCount()).isEqualTo(2);
        assertThat(r.total().getMaxValue()).isBetween(39_900L, 40_100L); // microseconds, 3 significant digits
        assertThat(r.pendingHosts()).containsEntry("h7", 1);
        assertThat(r.failures()).containsEntry("bindPort: IllegalStateException", 1);
    }

    @Test
    void floorIsSevenSequentialWritesPlusOneBarrier() {
        PathFloor f = new PathFloor(
                Samples.of(new long[] {2_000_000, 2_000_000, 2_000_000}), Samples.of(new long[] {500_000}));
        // six events, one of them tagged (PortAdded: its tag_views row is a second write before the reply)
        assertThat(f.persists()).isEqualTo(7);
        assertThat(f.floorMs()).isEqualTo(14.5);
    }
}
