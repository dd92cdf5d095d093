package io.portmesh.cluster;

import static io.portmesh.cluster.rest.RestTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.portmesh.persistence.testkit.CassandraExtension;
import io.portmesh.persistence.testkit.TestCassandra;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The health endpoints of a real controller node over HTTP: one on the test Cassandra (ready), one whose Cassandra
 * contact point is a closed port (alive, not ready, and its 503s blame the journal). The checks are the real ones:
 * the journal probe asks through the journal plugin's own session.
 */
@ExtendWith(CassandraExtension.class)
class HealthIntegrationTest {
    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** {@code n} controller nodes on {@code cassandra}. */
    private static LocalCluster nodes(Config cassandra, int n) {
        int[] ports = LocalPorts.freeTcpPorts(2 * n);
        Config overrides = ConfigFactory.parseString("""
                        portmesh.controller.ask-timeout = 2s
                        portmesh.controller.warm-port-ids = 0
                        pekko.loglevel = INFO
                        """).withFallback(cassandra);
        return LocalCluster.start(
                Arrays.copyOfRange(ports, 0, n),
                Arrays.copyOfRange(ports, n, 2 * n),
                overrides,
                Duration.ofSeconds(60));
    }

    private static HttpResponse<String> get(LocalCluster c, String path) throws IOException, InterruptedException {
        return get(c, 0, path);
    }

    private static HttpResponse<String> get(LocalCluster c, int node, String path)
            throws IOException, InterruptedException {
        URI uri = URI.create(
                "http://127.0.0.1:" + c.nodes().get(node).httpAddress().getPort() + path);
        return http.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The first answer of {@code path} on {@code node} that {@code done} accepts, within 60 s. */
    private static HttpResponse<String> await(
            LocalCluster c, int node, String path, Predicate<HttpResponse<String>> done)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            HttpResponse<String> r = get(c, node, path);
            if (done.test(r)) {
                return r;
            }
            assertThat(System.nanoTime() - deadline)
                    .as("%s still answers %s", path, r.body())
                    .isNegative();
            TestCluster.sleep(200);
        }
    }

    /** Two nodes, so that the shard counts of /v1/cluster come from a region on the other node too. */
    @Test
    void nodesOnAWorkingCassandraAreAliveAndReadyAndAnswerTheClusterWithinOneSecond(TestCassandra cassandra)
            throws Exception {
        try (LocalCluster c = nodes(cassandra.config(), 2)) {
            for (int node = 0; node < 2; node++) {
                HttpResponse<String> ready = await(c, node, "/ready", r -> r.statusCode() == 200);
                assertThat(ready.body())
                        .isEqualTo(
                                "{\"status\":\"ready\",\"checks\":{\"member\":\"Up\",\"majority\":\"reachable\",\"cassandra\":\"ok\","
                                        + "\"openflow\":\"bound\"}}");
            }

            for (String path : new String[] {"/alive", "/health"}) {
                HttpResponse<String> alive = get(c, path);
                assertThat(alive.statusCode()).as(path).isEqualTo(200);
                assertThat(alive.body()).as(path).isEqualTo("{\"status\":\"ok\"}");
            }

            long start = System.nanoTime();
            HttpResponse<String> cluster = get(c, "/v1/cluster");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(cluster.statusCode()).isEqualTo(200);
            assertThat(took).isLessThan(Duration.ofSeconds(1));
            JsonNode info = json(cluster);
            assertThat(info.get("shardStats").asText()).as(cluster.body()).isEqualTo("complete");
            assertThat(info.get("unreachable")).isEmpty();
            assertThat(info.get("members")).hasSize(2);
            for (JsonNode m : info.get("members")) {
                assertThat(m.get("status").asText()).as("%s", m).isEqualTo("Up");
                assertThat(m.get("reachable").asBoolean()).as("%s", m).isTrue();
                // every node runs a region of every type: the other node's regions answered across the cluster
                assertThat(m.get("shards").has("Host")).as("%s", m).isTrue();
                assertThat(m.get("shards").has("LogicalSwitch")).as("%s", m).isTrue();
                assertThat(m.get("shards").has("LogicalPort")).as("%s", m).isTrue();
            }

            assertThat(NodeScrape.sum(NodeScrape.metrics(c.nodes().get(0)), "portmesh_journal_up", ""))
                    .isEqualTo(1.0);
        }
    }

    @Test
    void aNodeWhoseCassandraDoesNotAnswerIsAliveButNotReadyAndIts503sBlameTheJournal() throws Exception {
        int closed = LocalPorts.freeTcpPorts(1)[0]; // nothing listens there
        TestCassandra nowhere = new TestCassandra(
                new InetSocketAddress("127.0.0.1", closed), CassandraExtension.LOCAL_DATACENTER, false);
        try (LocalCluster c = nodes(nowhere.config(), 1)) {
            // the first probe may not have ended yet when the node is up
            HttpResponse<String> ready = await(
                    c,
                    0,
                    "/ready",
                    r -> !json(r).path("checks").path("cassandra").asText().equals("not probed yet"));
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.headers().firstValue("Retry-After")).hasValue("2");
            JsonNode body = json(ready);
            assertThat(body.get("error").asText()).isEqualTo("not_ready");
            assertThat(body.get("checks").get("member").asText()).isEqualTo("Up");
            assertThat(body.get("checks").get("openflow").asText()).isEqualTo("bound");
            String cassandraCheck = body.get("checks").get("cassandra").asText();
            assertThat(cassandraCheck).isNotEqualTo("ok").contains("127.0.0.1:" + closed);
            assertThat(body.get("message").asText())
                    .isEqualTo("not ready: the journal (Cassandra) does not answer: " + cassandraCheck);

            // it stays so: every probe asks again, none answers
            TestCluster.sleep(2500);
            assertThat(get(c, "/ready").statusCode()).isEqualTo(503);
            assertThat(get(c, "/alive").statusCode()).isEqualTo(200);
            assertThat(NodeScrape.sum(NodeScrape.metrics(c.nodes().get(0)), "portmesh_journal_up", ""))
                    .isEqualTo(0.0);

            // an entity cannot recover without its journal: the read times out, and the 503 says why
            HttpResponse<String> read = get(c, "/v1/switches/blue");
            assertThat(read.statusCode()).isEqualTo(503);
            assertThat(read.headers().firstValue("Retry-After")).hasValue("2");
            assertThat(json(read).get("message").asText())
                    .startsWith("the journal (Cassandra) does not answer (" + cassandraCheck + "); switch blue did not"
                            + " answer in time (waited 2 s)")
                    .endsWith("; retry after 2 s");
            assertThat(read.body()).doesNotContain("Exception", "org.apache");

            // the probes failed for over two seconds: a change is refused at once instead of timing out
            URI create = URI.create(
                    "http://127.0.0.1:" + c.nodes().get(0).httpAddress().getPort() + "/v1/switches");
            HttpResponse<String> change = http.send(
                    HttpRequest.newBuilder(create)
                            .timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"green\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(change.statusCode()).isEqualTo(503);
            assertThat(json(change).get("message").asText())
                    .startsWith("the journal (Cassandra) does not answer (")
                    .contains("changes are refused until it answers again: nothing was changed"); // asked no entity
        }
    }
}
