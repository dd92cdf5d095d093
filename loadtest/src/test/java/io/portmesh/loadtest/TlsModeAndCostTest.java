package io.portmesh.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TlsModeAndCostTest {
    @Test
    void tlsModeParsesOffOnBothInAnyCaseAndRunsOffBeforeOn() {
        assertThat(TlsMode.parse("off").runs()).containsExactly(false);
        assertThat(TlsMode.parse("ON").runs()).containsExactly(true);
        assertThat(TlsMode.parse(" Both ").runs()).isEqualTo(List.of(false, true));
        assertThat(TlsMode.BOTH.option()).isEqualTo("both");
    }

    @Test
    void tlsModeRefusesAnythingElseNamingTheAcceptedValues() {
        assertThatThrownBy(() -> TlsMode.parse("yes"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("off, on or both")
                .hasMessageContaining("'yes'");
        assertThatThrownBy(() -> TlsMode.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLatencyCostsWhatItGrowsWithTls() {
        TlsCost p99 = TlsCost.latency("bind p99", 40.0, 50.0);
        assertThat(p99.cost()).isEqualTo(10.0);
        assertThat(p99.costPercent()).isEqualTo(25.0);
        assertThat(p99.line()).isEqualTo("bind p99: TLS off 40.00 ms, on 50.00 ms; TLS costs +10.00 ms (+25.0%)");
    }

    @Test
    void aRateCostsWhatItLosesWithTlsAndAGainIsANegativeCost() {
        TlsCost apply = TlsCost.rate("apply", "flow-mods/s", 400_000, 300_000);
        assertThat(apply.cost()).isEqualTo(100_000.0);
        assertThat(apply.line())
                .isEqualTo("apply: TLS off 400,000 flow-mods/s, on 300,000 flow-mods/s; TLS costs +100,000 flow-mods/s"
                        + " (+25.0%)");
        TlsCost faster = TlsCost.rate("apply", "flow-mods/s", 100, 110);
        assertThat(faster.cost()).isEqualTo(-10.0);
        assertThat(faster.costPercent()).isEqualTo(-10.0);
    }

    @Test
    void noPercentageOfAZeroBaseline() {
        TlsCost zero = TlsCost.latency("x", 0, 1);
        assertThat(zero.costPercent()).isNaN();
        assertThat(zero.line()).endsWith("(n/a)");
    }
}
