package io.portmesh.cluster.rest;

import static io.portmesh.cluster.rest.RestTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.sharding.service.UnavailableException;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.pattern.AskTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code /alive}, {@code /health}, {@code /ready} and the 503s over real HTTP, with the node's health set by the test
 * ({@link FakeNodeHealth}); the real checks on a real node are in {@code HealthIntegrationTest}.
 */
class RestApiHealthTest {
    @RegisterExtension
    static final RestServerExtension rest = new RestServerExtension("rest-health-test", RestSettings.DEFAULTS);

    private static HttpResponse<String> get(String path) {
        return rest.server().send("GET", path, null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/alive", "/health"})
    void aliveAndItsOldNameAnswerOkWhileTheNodeRuns(String path) {
        HttpResponse<String> r = get(path);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(r.body()).isEqualTo("{\"status\":\"ok\"}");
        assertThat(rest.fake().calls()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/alive", "/health"})
    void aliveAndItsOldNameAnswer503WhenTheNodeShutsDown(String path) {
        rest.health().notAlive("this node is shutting down");
        HttpResponse<String> r = get(path);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("2");
        JsonNode body = json(r);
        assertThat(body.get("error").asText()).isEqualTo("not_alive");
        assertThat(body.get("message").asText()).isEqualTo("this node is shutting down");
    }

    @Test
    void readyAnswers200WithEveryCheck() {
        HttpResponse<String> r = get("/ready");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body())
                .isEqualTo("{\"status\":\"ready\",\"checks\":{\"member\":\"Up\",\"cassandra\":\"ok\","
                        + "\"openflow\":\"bound\"}}");
        assertThat(r.headers().firstValue("Retry-After")).isEmpty();
    }

    @Test
    void readyAnswers503InTheErrorShapeWithTheChecksAndWhatFailed() {
        rest.health().cassandra("no answer within 1 s");
        HttpResponse<String> r = get("/ready");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("2");
        JsonNode body = json(r);
        assertThat(body.get("error").asText()).isEqualTo("not_ready");
        assertThat(body.get("message").asText())
                .isEqualTo("not ready: the journal (Cassandra) does not answer: no answer within 1 s");
        assertThat(body.get("checks").get("cassandra").asText()).isEqualTo("no answer within 1 s");
        assertThat(body.get("checks").get("member").asText()).isEqualTo("Up");
        assertThat(body.get("checks").get("openflow").asText()).isEqualTo("bound");
    }

    /** Pekko's own timeouts carry class names and actor paths in their text; none of it reaches a client. */
    @ParameterizedTest
    @ValueSource(strings = {"ask", "ask-wrapped", "timeout", "timeout-wrapped"})
    void aRawTimeoutIs503WithoutAClassNameAndWithRetryAfter(String kind) {
        Throwable raw = switch (kind) {
            case "ask", "ask-wrapped" ->
                new AskTimeoutException(
                        "Ask timed out on [Actor[pekko://portmesh/system/sharding/Host#1]] after [700 ms]. Message"
                                + " of type [org.apache.pekko.cluster.sharding.ShardRegion$GetShardRegionStats$]."
                                + " A typical reason for `AskTimeoutException` is that the recipient actor"
                                + " didn't send a reply.");
            default -> new TimeoutException("java.util.concurrent.TimeoutException: org.apache.pekko timed out");
        };
        rest.fake().failNext(kind.endsWith("wrapped") ? new CompletionException(raw) : raw);

        HttpResponse<String> r = get("/v1/switches/blue");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(r.body()).doesNotContain("Exception", "org.apache", "pekko", "java.util");
        assertThat(json(r).get("message").asText())
                .isEqualTo("the controller did not answer in time; a change it asked for may or may not have been"
                        + " applied: read the state back before retrying; retry after 2 s");
    }

    @Test
    void aTimeoutWhileTheClusterReBalancesSaysSoAndKeepsWhatDidNotAnswer() {
        rest.health()
                .unavailableBecause(
                        "the cluster is re-balancing (member pekko://portmesh@127.0.0.1:2552 is unreachable)");
        rest.fake()
                .failNext(new UnavailableException("port p-1 did not answer to bind to host esx-1 in time (waited"
                        + " 10 s); the change may or may not have been applied: read port p-1 back before retrying"));

        HttpResponse<String> r = rest.server().send("PUT", "/v1/ports/p-1/binding", "{\"host\":\"esx-1\"}");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(json(r).get("error").asText()).isEqualTo("unavailable");
        assertThat(json(r).get("message").asText())
                .isEqualTo("the cluster is re-balancing (member pekko://portmesh@127.0.0.1:2552 is unreachable);"
                        + " port p-1 did not answer to bind to host esx-1 in time (waited 10 s); the change may or may"
                        + " not have been applied: read port p-1 back before retrying; retry after 2 s");
    }

    @Test
    void aTimeoutWhileTheJournalIsDownBlamesTheJournal() {
        rest.health().unavailableBecause("the journal (Cassandra) does not answer (no answer within 1 s)");
        rest.fake()
                .failNext(new UnavailableException("switch blue did not answer in time (waited 10 s); nothing was"
                        + " changed, and the request may be retried"));

        HttpResponse<String> r = get("/v1/switches/blue");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(json(r).get("message").asText())
                .startsWith("the journal (Cassandra) does not answer (no answer within 1 s); switch blue did not"
                        + " answer in time")
                .endsWith("; retry after 2 s");
    }

    @Test
    void whileTheNodeRefusesChangesAChangeIs503AtOnceAndReachesNoEntityButReadsAreServed() {
        rest.health().refuseChanges("the journal (Cassandra) does not answer (no answer within 1 s)");
        rest.fake().clearCalls();

        HttpResponse<String> put = rest.server().send("PUT", "/v1/ports/p-1/binding", "{\"host\":\"esx-1\"}");
        HttpResponse<String> post = rest.server().send("POST", "/v1/switches", "{\"name\":\"blue\"}");

        for (HttpResponse<String> r : java.util.List.of(put, post)) {
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.headers().firstValue("Retry-After")).hasValue("2");
            assertThat(json(r).get("message").asText())
                    .isEqualTo("the journal (Cassandra) does not answer (no answer within 1 s); changes are refused"
                            + " until it answers again: nothing was changed, and the request may be retried; retry"
                            + " after 2 s");
        }
        assertThat(rest.fake().calls()).as("no change reached the service").isEmpty();
        assertThat(get("/v1/cluster").statusCode()).isEqualTo(200);
    }
}
