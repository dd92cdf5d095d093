package io.portmesh.loadtest.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The demo's short report: each step with its time, each check with PASS/FAIL, the realization latencies. */
final class DemoReport {
    private final List<String> lines = new ArrayList<>();
    private final List<Double> realizedMs = new ArrayList<>();
    private boolean failed;

    void step(String what, long startNanos) {
        line(String.format("[%6.2f s] %s", (System.nanoTime() - startNanos) / 1e9, what));
    }

    void check(String what, boolean ok) {
        failed |= !ok;
        line((ok ? "PASS " : "FAIL ") + what);
    }

    void realized(double ms) {
        realizedMs.add(ms);
    }

    void line(String s) {
        lines.add(s);
        System.out.println("> " + s); // progress; the report at the end repeats it in full
    }

    boolean failed() {
        return failed;
    }

    void print(Path file) throws IOException {
        List<String> all = new ArrayList<>(List.of("", "Portmesh demo report", "===================="));
        all.addAll(lines);
        all.add(String.format(
                "bind + realized (ms): %s",
                realizedMs.stream().map(d -> String.format("%.1f", d)).toList()));
        all.add(failed ? "RESULT: FAIL" : "RESULT: PASS");
        all.forEach(System.out::println);
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("\n", all) + "\n");
        System.out.println("(written to " + file + ")");
    }
}
