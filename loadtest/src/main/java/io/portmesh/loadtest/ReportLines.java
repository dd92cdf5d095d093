package io.portmesh.loadtest;

import io.portmesh.loadtest.bind.Samples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A benchmark's report as the run makes it: every line printed to stdout at once and kept, rows of n / p50 / p99 / max,
 * and the whole written to a file at the end (also after a run that failed half-way, so that what it measured stays).
 */
public final class ReportLines {
    private final List<String> lines = new ArrayList<>();
    private final int labelWidth;

    /** @param labelWidth the width of a {@link #row}'s label column */
    public ReportLines(int labelWidth) {
        this.labelWidth = labelWidth;
    }

    public synchronized void line(String format, Object... values) {
        String s = String.format(format, values);
        lines.add(s);
        System.out.println(s);
    }

    /** {@code label}, how many values, their p50, p99 and maximum (nearest rank; NaN when there are none). */
    public void row(String label, List<Double> values) {
        line(
                "  %-" + labelWidth + "s %4d %7.1f %7.1f %7.1f",
                label,
                values.size(),
                Samples.percentile(values, 50),
                Samples.percentile(values, 99),
                Samples.percentile(values, 100));
    }

    /** Writes every line so far to {@code file} (its directory created); a failure is said on stderr, not thrown. */
    public synchronized void write(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, lines);
        } catch (IOException e) {
            System.err.println("report not written to " + file + ": " + e);
        }
    }
}
