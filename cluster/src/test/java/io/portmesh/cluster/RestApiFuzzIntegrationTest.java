package io.portmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.cluster.rest.JsonCodec;
import io.portmesh.persistence.testkit.CassandraExtension;
import io.portmesh.persistence.testkit.TestCassandra;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The REST API of a real controller node (on the real Cassandra) fed a few thousand hostile requests over HTTP:
 * malformed JSON, wrong types, huge bodies, unknown routes, wrong methods, bad path and query parameters, wrong
 * content types. No answer may be a 5xx, and every refusal must be the API's JSON error ({@code {"error":
 * "...", "message": "..."}}, nothing else) with the JSON content type; the node must still serve afterwards.
 *
 * <p>Seeded: {@code -Dportmesh.fuzz.seed=N} replays a run (the seed is printed); {@code
 * -Dportmesh.fuzz.rest.requests=N} changes the count.
 */
@ExtendWith(CassandraExtension.class)
class RestApiFuzzIntegrationTest {
    private static final long SEED = Long.getLong("portmesh.fuzz.seed", 20261207L);
    private static final int REQUESTS = Integer.getInteger("portmesh.fuzz.rest.requests", 3000);
    private static TestCluster cluster;

    @BeforeAll
    static void start(TestCassandra cassandra) {
        cluster = TestCluster.startServing(cassandra, 1);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void hostileRequestsGetNo5xxAndEveryRefusalIsAJsonError() throws Exception {
        RestFuzzRequests gen = new RestFuzzRequests(SEED);
        List<RestFuzzRequests.Request> requests = new ArrayList<>();
        requests.add(gen.huge(false));
        requests.add(gen.huge(true));
        for (int i = 0; i < REQUESTS; i++) {
            requests.add(gen.next());
        }
        requests.add(gen.huge(false));
        Map<String, Integer> byKind = new TreeMap<>();
        Map<Integer, Integer> byStatus = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        long start = System.nanoTime();
        for (RestFuzzRequests.Request r : requests) {
            RawHttp.Response response = send(r);
            byKind.merge(r.kind(), 1, Integer::sum);
            byStatus.merge(response.status(), 1, Integer::sum);
            String problem = problem(r.method(), response);
            if (problem != null && failures.size() < 20) {
                failures.add(problem + "\n    request: " + r.describe() + "\n    answer: " + response.status() + " "
                        + abbreviate(response.body()));
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf(
                "REST fuzz (seed %d): %d requests in %d ms; by kind %s; by status %s%n",
                SEED, requests.size(), millis, byKind, byStatus);
        assertThat(failures).as("requests answered wrongly").isEmpty();
        assertThat(get("/v1/switches/fuzz-after").status())
                .as("the node still serves")
                .isEqualTo(404);
        assertThat(get("/ready").status()).isEqualTo(200);
    }

    /**
     * What is wrong with the answer, or null: no 5xx; a refusal is exactly {error, message} as JSON (also for {@link
     * RestApiAuthFuzzTest}).
     */
    static String problem(String method, RawHttp.Response response) {
        int status = response.status();
        if (status >= 500) {
            return "a 5xx";
        }
        if (status < 400) {
            return null; // the request was acceptable after all (a GET of a real route, a well-formed creation)
        }
        if (method.equals("HEAD")) {
            return null;
        }
        if (!String.valueOf(response.headers().get("content-type")).startsWith("application/json")) {
            return "a refusal that is not JSON (" + response.headers().get("content-type") + ")";
        }
        try {
            JsonNode body = JsonCodec.mapper().readTree(response.body());
            boolean shape = body != null
                    && body.isObject()
                    && body.size() == 2
                    && body.path("error").isTextual()
                    && body.path("message").isTextual()
                    && !body.path("error").asText().isEmpty()
                    && !body.path("message").asText().isEmpty();
            return shape ? null : "a refusal not in the API's error shape";
        } catch (IOException e) {
            return "a refusal whose body is not JSON";
        }
    }

    private static RawHttp.Response send(RestFuzzRequests.Request r) throws Exception {
        String[] headers = r.contentType() == null ? new String[0] : new String[] {"Content-Type: " + r.contentType()};
        return RawHttp.send(port(), r.method(), r.target(), headers, r.body(), r.chunked());
    }

    private static RawHttp.Response get(String path) {
        try {
            return RawHttp.send(port(), "GET", path, new String[0], null, false);
        } catch (Exception e) {
            throw new AssertionError("GET " + path + " failed", e);
        }
    }

    private static int port() {
        return cluster.nodes.get(0).httpAddress().getPort();
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
