package io.portmesh.loadtest.nodeloss;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A {@link PortLoad}'s ops and calls written as CSV files, what a run leaves for a closer look. */
final class OpsCsv {
    private OpsCsv() {}

    /**
     * Every op and every call as CSV ({@code <prefix>ops.csv}, {@code <prefix>calls.csv} in {@code dir}), times in ms
     * from {@code zeroNanos}: what a failed run leaves for a closer look. A failure to write is said on stderr.
     */
    static void write(PortLoad load, Path dir, String prefix, long zeroNanos) {
        List<String> o = new ArrayList<>(
                List.of(
                        "k,switch,host,port,mac,start_ms,bind_start_ms,bind_end_ms,acked,realized,vlan,end,unbound,deleted,failure"));
        for (PortLoad.Op op : load.ops()) {
            o.add(String.join(
                    ",",
                    String.valueOf(op.k),
                    op.target.sw(),
                    op.target.host(),
                    String.valueOf(op.port),
                    String.valueOf(op.mac),
                    ms(op.startNanos, zeroNanos),
                    op.bindStartNanos < 0 ? "" : ms(op.bindStartNanos, zeroNanos),
                    op.bindEndNanos < 0 ? "" : ms(op.bindEndNanos, zeroNanos),
                    String.valueOf(op.acked),
                    String.valueOf(op.realized),
                    String.valueOf(op.vlan),
                    op.end.name(),
                    String.valueOf(op.unbound),
                    String.valueOf(op.deleted),
                    csv(op.failure)));
        }
        List<String> c = new ArrayList<>(List.of("op,what,node,start_ms,end_ms,status,outcome,retry_after,detail"));
        for (PortLoad.Call call : load.calls()) {
            c.add(String.join(
                    ",",
                    String.valueOf(call.op()),
                    call.what(),
                    String.valueOf(call.node() + 1),
                    ms(call.startNanos(), zeroNanos),
                    ms(call.endNanos(), zeroNanos),
                    String.valueOf(call.status()),
                    call.outcome().name(),
                    csv(call.retryAfter()),
                    csv(call.detail())));
        }
        try {
            Files.createDirectories(dir);
            Files.write(dir.resolve(prefix + "ops.csv"), o);
            Files.write(dir.resolve(prefix + "calls.csv"), c);
        } catch (IOException e) {
            System.err.println("ops and calls not written to " + dir + ": " + e);
        }
    }

    private static String ms(long nanos, long zero) {
        return String.format("%.1f", (nanos - zero) / 1e6);
    }

    private static String csv(String s) {
        return s == null ? "" : "\"" + s.replace("\"", "'").replace("\n", " ") + "\"";
    }
}
