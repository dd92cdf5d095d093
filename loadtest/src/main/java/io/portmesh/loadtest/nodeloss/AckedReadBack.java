package io.portmesh.loadtest.nodeloss;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.loadtest.demo.Nodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** The acknowledged ops of a {@link PortLoad} read back through the API, for the node-loss tests and benchmark. */
final class AckedReadBack {
    private static final int READ_BACK_THREADS = 4;

    private AckedReadBack() {}

    /**
     * Every acknowledged op's port read back ({@code GET /v1/ports/{id}} through any node): bound to the host and on
     * the VLAN its bind was answered with. The mismatches, each said in a line, in the ops' order. The reads go
     * {@value #READ_BACK_THREADS} at a time: one after the other, the thousand ports of a rolling restart took a
     * minute of round trips.
     */
    static List<String> mismatches(ControllerNodes nodes, List<PortLoad.Op> ops) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(READ_BACK_THREADS);
        try {
            List<Future<String>> reads = new ArrayList<>();
            for (PortLoad.Op op : ops) {
                if (op.acked) {
                    reads.add(pool.submit(() -> readBack(nodes, op)));
                }
            }
            List<String> out = new ArrayList<>();
            for (Future<String> r : reads) {
                String wrong = r.get();
                if (wrong != null) {
                    out.add(wrong);
                }
            }
            return out;
        } catch (ExecutionException e) {
            throw new IllegalStateException("a read-back failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** One acknowledged op's port read back (bounded: 10 s of tries); null when it reads as acknowledged. */
    private static String readBack(ControllerNodes nodes, PortLoad.Op op) {
        try {
            JsonNode p = Nodes.callAny(nodes.apis(), n -> n.get("/v1/ports/" + op.port), Duration.ofSeconds(10));
            if (!op.target.host().equals(p.path("host").asText())
                    || p.path("vlan").asInt(-2) != op.vlan) {
                return op.port + ": acknowledged on " + op.target.host() + " VLAN " + op.vlan + ", reads " + p;
            }
            return null;
        } catch (Exception | AssertionError e) {
            return op.port + ": acknowledged on " + op.target.host() + " VLAN " + op.vlan + ", not read back: "
                    + e.getMessage();
        }
    }
}
