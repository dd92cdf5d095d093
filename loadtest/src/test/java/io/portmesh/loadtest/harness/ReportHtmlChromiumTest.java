package io.portmesh.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.portmesh.loadtest.faults.Required;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens a {@code report.html} in headless Chromium and checks that its charts render: the page logs nothing to the
 * console (no uncaught error, no console.error), and each of its four uPlot charts has a canvas on which the data line
 * was drawn in its series colour, with the fault marked (red: injected, green: restarted) on the three timelines.
 *
 * <p>uPlot draws on canvas, so the dumped DOM cannot show pixels: the test appends a probe script to the page that,
 * after the load event, counts each chart canvas's pixels of those colours and writes the counts into the DOM, which
 * {@code --dump-dom} prints. The probe also logs one console line; the test requires it, which proves that console
 * messages reach stderr in this Chromium, so that "no other console line" means "no console error".
 */
class ReportHtmlChromiumTest {
    private static final long TIMEOUT_SECONDS = 30;
    /** ReportHtml's colours: the first series of every chart, the fault marks. */
    private static final String PROBE = """
            <script>
            window.addEventListener('load', () => setTimeout(() => {
              const rgb = h => [1, 3, 5].map(i => parseInt(h.substr(i, 2), 16));
              const colours = { series: rgb('#1f77b4'), injected: rgb('#dd0000'), restarted: rgb('#00aa00') };
              const lines = [];
              document.querySelectorAll('.chart').forEach((div, i) => {
                const c = div.querySelector('canvas');
                if (!c || !c.width || !c.height) { lines.push('chart ' + i + ' no canvas'); return; }
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                const n = { series: 0, injected: 0, restarted: 0 };
                for (let p = 0; p < d.length; p += 4) {
                  if (d[p + 3] < 160) continue;
                  for (const [k, col] of Object.entries(colours))
                    if (Math.abs(d[p] - col[0]) < 16 && Math.abs(d[p + 1] - col[1]) < 16 && Math.abs(d[p + 2] - col[2]) < 16) n[k]++;
                }
                lines.push('chart ' + i + ' width=' + c.width + ' series=' + n.series + ' injected=' + n.injected + ' restarted=' + n.restarted);
              });
              const pre = document.createElement('pre');
              pre.id = 'render-probe';
              pre.textContent = lines.join('\\n') + '\\nend';
              document.body.appendChild(pre);
              console.log('render-probe done');
            }, 100));
            </script>
            """;

    private static final String PROBE_DONE = "\"render-probe done\"";
    private static final Pattern CHART =
            Pattern.compile("chart (\\d+) width=(\\d+) series=(\\d+) injected=(\\d+) restarted=(\\d+)");

    @Test
    void theReportsChartsRenderInHeadlessChromiumWithoutConsoleErrors(@TempDir Path dir) throws Exception {
        String chromium = chromium();
        Path html = fixture().write(dir).resolveSibling("report.html");
        String page = Files.readString(html);
        assertThat(page).contains("</body>");
        Files.writeString(html, page.replace("</body>", PROBE + "</body>"));

        Path out = dir.resolve("dom.html");
        Path err = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(
                        chromium,
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--user-data-dir=" + dir.resolve("profile"),
                        "--virtual-time-budget=5000",
                        "--enable-logging=stderr",
                        "--v=0",
                        "--dump-dom",
                        html.toUri().toString())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("chromium did not finish within " + TIMEOUT_SECONDS + " s; its stderr:\n" + Files.readString(err));
        }
        String stderr = Files.readString(err);
        assertThat(p.exitValue())
                .as("chromium's exit status; its stderr:\n%s", stderr)
                .isZero();

        // Chromium logs every console message of the page (log, warn, error, uncaught exceptions) as
        // [pid:tid:time:INFO:CONSOLE:line] "message", source: file:///.../report.html (line)
        List<String> console =
                stderr.lines().filter(l -> l.contains(":CONSOLE")).toList();
        assertThat(console)
                .as("the probe's console line (console messages must reach stderr for this check to mean anything)")
                .anyMatch(l -> l.contains(PROBE_DONE));
        assertThat(console.stream().filter(l -> !l.contains(PROBE_DONE)))
                .as("console messages of report.html (uncaught errors, console.error)")
                .isEmpty();

        String dom = Files.readString(out);
        Matcher probe =
                Pattern.compile("<pre id=\"render-probe\">([^<]*)</pre>").matcher(dom);
        assertThat(probe.find())
                .as("the probe's result in the dumped DOM:\n%s", dom)
                .isTrue();
        String result = probe.group(1);
        assertThat(result).as("the probe ran to its end").endsWith("end");
        List<int[]> charts = new ArrayList<>();
        for (String line : result.split("\n")) {
            if (line.startsWith("chart")) {
                Matcher m = CHART.matcher(line);
                assertThat(m.matches()).as("chart %s", line).isTrue();
                charts.add(new int[] {
                    Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3)),
                    Integer.parseInt(m.group(4)),
                    Integer.parseInt(m.group(5))
                });
            }
        }
        assertThat(charts)
                .as("charts: acknowledged/s, slowest bind, frames lost, latency distribution\n%s", result)
                .hasSize(4);
        for (int i = 0; i < charts.size(); i++) {
            int[] c = charts.get(i);
            // every series spans the whole x range: its line crosses most of the plot's width
            assertThat(c[1])
                    .as("chart %d: pixels of its data line (canvas %d px wide)\n%s", i, c[0], result)
                    .isGreaterThan(c[0] / 2);
            if (i < 3) {
                assertThat(c[2])
                        .as("chart %d: pixels of the injected fault's red mark\n%s", i, result)
                        .isGreaterThan(50);
                assertThat(c[3])
                        .as("chart %d: pixels of the restart's green mark\n%s", i, result)
                        .isGreaterThan(50);
            }
        }
        // the tables after the charts were drawn too (the script ran to its end)
        assertThat(dom).contains("<h2>Scenario</h2>", "node-kill", "settle.seconds");
        // the SLO whose figure was never reached: its null value an empty cell, the SLO missed
        assertThat(dom)
                .contains(
                        "<td>settle.seconds</td><td>settle.seconds &lt;= 30.0</td><td></td><td class=\"bad\">MISSED</td>")
                .doesNotContain("NaN");
    }

    /**
     * A report with every section filled: 30 s of timeline, frame losses, two ops' latencies, a node kill injected at
     * 5.1 s and restarted at 9 s, a violation, an SLO met and one whose figure was never reached (its value is null).
     */
    private static RunReport fixture() {
        RunReport r = new RunReport(Scenario.parse(
                "name = chromium-check\nslo { \"frames.lost\" { max = 10 }, \"settle.seconds\" { max = 30 } }"));
        for (int s = 0; s < 30; s++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("second", s);
            row.put("acknowledged", 200 + (s % 7) * 15 - (s >= 5 && s < 9 ? 120 : 0));
            row.put("bindMaxMs", 8.0 + (s % 5) * 3.5 + (s >= 5 && s < 9 ? 400 : 0));
            r.timeline.add(row);
            r.frameLoss.add(new long[] {s * 1000L, s < 5 ? 0 : 3});
        }
        for (int i = 0; i < 2000; i++) {
            r.latency("bind", 2 + (i % 97) * 0.4);
            r.latency("create", 5 + (i % 89) * 0.7);
        }
        Map<String, Object> kill = new LinkedHashMap<>();
        kill.put("index", 0);
        kill.put("kind", "node-kill");
        kill.put("node", 2);
        kill.put("plannedAtMs", 5000);
        kill.put("injectedAtMs", 5100.0);
        kill.put("restartedAtMs", 9000.0);
        kill.put("allowedLossMs", 0);
        kill.put("skipped", false);
        kill.put("everyHostMasteredElsewhereMs", 840.5);
        r.faults.add(kill);
        r.violations.add(new Invariants.Violation(Invariants.FRAMES, "3 frames lost", "host 4 -> host 9", 6_200));
        r.figure("frames.lost", 3, "frames");
        r.latencyFigures();
        r.evaluateSlos();
        return r;
    }

    /** The Chromium binary on the PATH; skips (fails under CI=true) when there is none. */
    private static String chromium() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String name : List.of("chromium", "chromium-browser")) {
            for (String d : path.split(File.pathSeparator)) {
                Path f = Path.of(d.isEmpty() ? "." : d, name);
                if (Files.isExecutable(f)) {
                    return f.toString();
                }
            }
        }
        Required.machine(Optional.of("no chromium on the PATH (.ci/install-test-deps installs the Debian package)"));
        throw new IllegalStateException("unreachable");
    }
}
