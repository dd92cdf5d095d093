package io.portmesh.loadtest.flowmods;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portmesh.loadtest.TlsMode;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlowModOptionsTest {
    @Test
    void defaultsAreTheDocumentedOnesWithTlsOff() {
        assertThat(FlowModBenchmark.Options.parse(new String[0]))
                .isEqualTo(new FlowModBenchmark.Options(100_000, 5, 1, TlsMode.OFF));
    }

    @Test
    void tlsMayComeAnywhereBetweenThePositionalArguments() {
        assertThat(FlowModBenchmark.Options.parse(new String[] {"50000", "--tls", "both", "3", "0"}))
                .isEqualTo(new FlowModBenchmark.Options(50_000, 3, 0, TlsMode.BOTH));
        assertThat(FlowModBenchmark.Options.parse(new String[] {"--tls=on", "1000"}))
                .isEqualTo(new FlowModBenchmark.Options(1000, 5, 1, TlsMode.ON));
    }

    @Test
    void badArgumentsAreRefusedWithAMessage() {
        assertThatThrownBy(() -> FlowModBenchmark.Options.parse(new String[] {"--tls"}))
                .hasMessageContaining("--tls needs a value");
        assertThatThrownBy(() -> FlowModBenchmark.Options.parse(new String[] {"--tls", "maybe"}))
                .hasMessageContaining("off, on or both");
        assertThatThrownBy(() -> FlowModBenchmark.Options.parse(new String[] {"0"}))
                .hasMessageContaining("flows must be 1 or more");
        assertThatThrownBy(() -> FlowModBenchmark.Options.parse(new String[] {"1", "2", "3", "4"}))
                .hasMessageContaining("at most");
    }

    @Test
    void theMedianOfTheRoundsIsTheNearestRankOne() {
        assertThat(FlowModBenchmark.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
        assertThat(FlowModBenchmark.median(List.of(400.0, 100.0, 300.0, 200.0))).isEqualTo(200.0);
    }

    @Test
    void theCostOfTlsIsWhatEachRateLosesWithIt() {
        var costs =
                new FlowModBenchmark.Rates(400_000, 200_000).costOfTls(new FlowModBenchmark.Rates(300_000, 150_000));
        assertThat(costs).extracting(c -> c.what()).containsExactly("agent apply rate", "end to end incl. encoding");
        assertThat(costs).extracting(c -> c.costPercent()).containsExactly(25.0, 25.0);
    }
}
