package io.portmesh.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportHtmlTest {
    private static final String OPEN = "<script id=\"report\" type=\"application/json\">";

    @Test
    void theReportIsOneOfflineFileThatCarriesTheJsonIntactAndTheChartingLibrary(@TempDir Path dir) throws Exception {
        RunReport r = new RunReport(
                Scenario.parse("name = t\nslo { \"frames.lost\" { max = 0 }, \"settle.seconds\" { max = 30 } }"));
        r.figure("frames.lost", 3, "frames");
        r.latency("bind", 12.5);
        r.latencyFigures();
        r.evaluateSlos();
        r.violations.add(new Invariants.Violation(Invariants.FRAMES, "</script><b>3 lost</b>", "streams", 1_500));
        r.write(dir);
        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).contains("uPlot", "new uPlot(").doesNotContain("src=\"", "href=\"", "@import");
        int from = html.indexOf(OPEN) + OPEN.length();
        String embedded = html.substring(from, html.indexOf("</script>", from)).replace("<\\/", "</");
        ObjectMapper json = new ObjectMapper();
        JsonNode fromHtml = json.readTree(embedded);
        assertThat(fromHtml).isEqualTo(json.readTree(dir.resolve("report.json").toFile()));
        assertThat(fromHtml.path("violations").get(0).path("what").asText()).isEqualTo("</script><b>3 lost</b>");
        assertThat(fromHtml.path("passed").asBoolean()).isFalse();
        JsonNode slos = fromHtml.path("slos");
        assertThat(slos.get(0).path("value").asDouble()).isEqualTo(3.0);
        assertThat(slos.get(0).path("met").asBoolean()).isFalse();
        assertThat(slos.get(1).path("figure").asText()).isEqualTo("settle.seconds");
        assertThat(slos.get(1).path("value").isNull())
                .as("an SLO whose figure was never reached: null, as a figure without a value (%s)", slos.get(1))
                .isTrue();
        assertThat(fromHtml.path("figures")
                        .path("latency.bind.p99")
                        .path("unit")
                        .asText())
                .isEqualTo("ms");
    }
}
