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

    private static LocalCluster node(Config cassandra) {
        int[] ports = LocalPorts.freeTcpPorts(2);
        Config overrides = ConfigFactory.parseString("""
                        portmesh.controller.ask-timeout = 2s
                        portmesh.controller.warm-port-ids = 0
                        pekko.loglevel = INFO
                        """).withFallback(cassandra);
        return LocalCluster.start(new int[] {ports[0]}, new int[] {ports[1]}, overrides, Duration.ofSeconds(60));
    }

    private static HttpResponse<String> get(LocalCluster c, String path) throws IOException, InterruptedException {
        URI uri =
                URI.create("http://127.0.0.1:" + c.nodes().get(0).httpAddress().getPort() + path);
        return http.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The first answer of {@code path} that {@code done} accepts, within 60 s. */
    private static HttpResponse<String> await(
            LocalCluster c, String path, java.util.function.Predicate<HttpResponse<String>> done)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            HttpResponse<String> r = get(c, path);
            if (done.test(r)) {
                return r;
            }
            assertThat(System.nanoTime() - deadline)
                    .as("%s still answers %s", path, r.body())
                    .isNegative();
            TestCluster.sleep(200);
        }
    }

    @Test
    void aNodeOnAWorkingCassandraIsAliveAndReadyAndAnswersTheClusterWithinOneSecond(TestCassandra cassandra)
            throws Exception {
        try (LocalCluster c = node(cassandra.config())) {
            HttpResponse<String> ready = await(c, "/ready", r -> r.statusCode() == 200);
            assertThat(ready.body())
                    .isEqualTo("{\"status\":\"ready\",\"checks\":{\"member\":\"Up\",\"cassandra\":\"ok\","
                            + "\"openflow\":\"bound\"}}");

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
            assertThat(info.get("shardStats").asText()).isEqualTo("complete");
            assertThat(info.get("unreachable")).isEmpty();
            JsonNode self = info.get("members").get(0);
            assertThat(self.get("address").asText())
                    .isEqualTo(info.get("selfAddress").asText());
            assertThat(self.get("status").asText()).isEqualTo("Up");
            assertThat(self.get("reachable").asBoolean()).isTrue();
            assertThat(self.get("shards").has("LogicalPort")).isTrue();

            assertThat(NodeScrape.sum(NodeScrape.metrics(c.nodes().get(0)), "portmesh_journal_up", ""))
                    .isEqualTo(1.0);
        }
    }

    @Test
    void aNodeWhoseCassandraDoesNotAnswerIsAliveButNotReadyAndIts503sBlameTheJournal() throws Exception {
        int closed = LocalPorts.freeTcpPorts(1)[0]; // nothing listens there
        TestCassandra nowhere = new TestCassandra(
                new InetSocketAddress("127.0.0.1", closed), CassandraExtension.LOCAL_DATACENTER, false);
        try (LocalCluster c = node(nowhere.config())) {
            // the first probe may not have ended yet when the node is up
            HttpResponse<String> ready = await(
                    c,
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
        }
    }
}
