package io.portmesh.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.portmesh.loadtest.demo.RestClient;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The during-run VLAN check's second reading ({@link LiveState#confirmedVlans}): against a loopback server that answers
 * {@code GET /v1/ports/{id}} as the ports are now, a double booking read across a move is not reported, and one that
 * still holds is.
 */
class ConfirmedVlansTest {
    private final Map<String, String> now = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
    private HttpServer server;
    private RestClient api;

    @BeforeEach
    void serve() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/ports/", ex -> {
            reads.incrementAndGet();
            String id = ex.getRequestURI().getPath().substring("/v1/ports/".length());
            String body = now.getOrDefault(id, "{\"error\":\"not_found\",\"message\":\"no port " + id + "\"}");
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(now.containsKey(id) ? 200 : 404, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        server.start();
        api = new RestClient("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void port(String id, String host, int vlan) {
        now.put(
                id,
                "{\"id\":\"" + id + "\",\"mac\":\"52:54:00:00:00:01\",\"host\":\"" + host + "\",\"vlan\":" + vlan
                        + "}");
    }

    /** As the sweep read them: p1 (a VM's port) on h6 VLAN 1 before its move, p2 bound there later with VLAN 1. */
    private static final List<Invariants.PortRow> SWEEP = List.of(
            new Invariants.PortRow("p1", "s1", "52:54:00:00:00:01", "h6", 1),
            new Invariants.PortRow("p2", "s2", "52:54:00:00:00:02", "h6", 1),
            new Invariants.PortRow("p3", "s2", "52:54:00:00:00:03", "h6", 2));

    @Test
    void aDoubleBookingReadAcrossAMoveIsNotReported() {
        port("p1", "h7", 4); // the move completed: p1 is on h7 now
        port("p2", "h6", 1);
        assertThat(Invariants.vlans(SWEEP, 116_600)).hasSize(1);
        assertThat(LiveState.confirmedVlans(List.of(api), SWEEP, 116_600)).isEmpty();
        assertThat(reads).hasValue(2); // p1 and p2 read again, p3 not
    }

    @Test
    void aDoubleBookingThatStillHoldsIsReportedWithTheSweepsTime() {
        port("p1", "h6", 1);
        port("p2", "h6", 1);
        assertThat(LiveState.confirmedVlans(List.of(api), SWEEP, 116_600))
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.invariant()).isEqualTo("vlan-once-per-host");
                    assertThat(v.where()).isEqualTo("h6 VLAN 1");
                    assertThat(v.what()).contains("p1", "p2").doesNotContain("p3");
                    assertThat(v.atMs()).isEqualTo(116_600);
                });
    }

    @Test
    void aCleanSweepIsNotReadAgain() {
        List<Invariants.PortRow> clean = List.of(SWEEP.get(0), SWEEP.get(2));
        port("p1", "h6", 1);
        assertThat(LiveState.confirmedVlans(List.of(api), clean, 1_000)).isEmpty();
        assertThat(reads).hasValue(0);
    }
}
