package io.portmesh.loadtest.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class ScaleReportTest {
    private final ScaleSettings settings =
            ScaleSettings.parse("hosts = 10, switches = 20, ports = 3000, band = 1000, memory-at = []");

    private static MemoryPoint point(
            String label, int hosts, int switches, int ports, long nodes, long agents, long disk) {
        long third = nodes / 3;
        return new MemoryPoint(
                label,
                hosts,
                hosts * 2,
                switches,
                ports,
                new long[] {third, third, nodes - 2 * third},
                new long[] {1, 1, 1},
                agents,
                10,
                100,
                200,
                disk);
    }

    @Test
    void perEntityBytesComeFromTheDifferencesBetweenPoints() {
        ScaleReport r = new ScaleReport(settings);
        r.memory(point("empty", 0, 0, 0, 300_000_000L, 50_000_000L, 1_000));
        r.memory(point("hosts", 10, 0, 0, 300_100_000L, 50_400_000L, 11_000));
        r.memory(point("ports-0", 10, 20, 0, 300_140_000L, 50_400_000L, 11_000));
        r.memory(point("ports-1000", 10, 20, 1000, 303_140_000L, 50_500_000L, 511_000));
        r.memory(point("ports-3000", 10, 20, 3000, 309_140_000L, 50_700_000L, 1_511_000));
        var m = r.perEntity();
        assertThat(m.get("controllers.heap.per-host.bytes")).isEqualTo(10_000.0);
        assertThat(m.get("controllers.heap.per-switch.bytes")).isEqualTo(2_000.0);
        assertThat(m.get("controllers.heap.per-port.bytes")).isCloseTo(3_000.0, within(1e-6));
        assertThat(m.get("agents.heap.per-agent.bytes")).as("20 agents").isEqualTo(20_000.0);
        assertThat(m.get("agents.heap.per-port.bytes")).isCloseTo(100.0, within(1e-6));
        assertThat(m.get("cassandra.disk.per-port.bytes")).isCloseTo(500.0, within(1e-6));
    }

    @Test
    void aMissingPointOrAnUnknownFigureIsNotANumberNotZero() {
        ScaleReport r = new ScaleReport(settings);
        r.memory(point("empty", 0, 0, 0, 300, 50, 1));
        assertThat(r.perEntity().get("controllers.heap.per-host.bytes")).isNaN();
        assertThat(ScaleReport.slope(new long[] {0, 1000}, new long[] {5, -1})).isNaN();
        assertThat(ScaleReport.slope(new long[] {1000, 1000}, new long[] {5, 6}))
                .isNaN();
        assertThat(ScaleReport.slope(new long[] {0, 1000, 2000}, new long[] {0, 1000, 2000}))
                .isCloseTo(1.0, within(1e-9));
    }

    @Test
    void latencyIsKeptPerBandOfPortsAndItsGrowthIsLastOverFirst() {
        ScaleReport r = new ScaleReport(settings);
        for (int k = 0; k < 3000; k++) {
            r.port(k, 5, k < 1000 ? 10 : k < 2000 ? 15 : 20);
        }
        assertThat(r.bands()).isEqualTo(3);
        assertThat(r.realizedMs(0, 50)).isCloseTo(10.0, within(0.01));
        assertThat(r.realizedMs(2, 99)).isCloseTo(20.0, within(0.02));
        assertThat(r.growth(50)).isCloseTo(2.0, within(0.01));
        assertThat(r.realizedMs(5, 50)).as("a band without ports").isNaN();
    }

    @Test
    void theJsonHasEveryPhaseBandAndFigure() {
        ScaleReport r = new ScaleReport(settings);
        r.phase("hosts", 10, 2.0);
        r.port(0, 1, 2);
        r.memory(point("empty", 0, 0, 0, 3, 5, 1));
        r.note("a note");
        ObjectNode j = r.toJson();
        assertThat(j.path("phases").path("hosts").path("per-second").asDouble()).isEqualTo(5.0);
        assertThat(j.path("realized-latency-bands")
                        .get(0)
                        .path("realized.p50.ms")
                        .asDouble())
                .isCloseTo(2.0, within(0.01));
        assertThat(j.path("memory").get(0).path("label").asText()).isEqualTo("empty");
        assertThat(j.path("per-entity").has("controllers.heap.per-port.bytes")).isTrue();
        assertThat(j.path("scenario").path("ports").asInt()).isEqualTo(3000);
        assertThat(j.path("notes").get(0).asText()).isEqualTo("a note");
        assertThat(r.summary()).anyMatch(l -> l.startsWith("hosts"));
    }

    @Test
    void aClassHistogramsTotalIsItsLiveBytes() {
        String h = """
                 num     #instances         #bytes  class name (module)
                -------------------------------------------------------
                   1:         12345        6789012  [B (java.base@17)
                Total        234567       98765432
                """;
        assertThat(MemoryProbe.histogramTotal(h)).isEqualTo(98_765_432L);
        assertThat(MemoryProbe.histogramTotal("no such process")).isEqualTo(-1);
    }
}
