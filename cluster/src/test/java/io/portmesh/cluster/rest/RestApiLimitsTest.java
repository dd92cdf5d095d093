package io.portmesh.cluster.rest;

import static io.portmesh.cluster.rest.RestTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The body size limit and the request timeout, with settings small enough to hit them. */
class RestApiLimitsTest {
    private static final RestSettings SMALL = new RestSettings(1024, Duration.ofSeconds(1));

    @RegisterExtension
    static final RestServerExtension rest = new RestServerExtension("rest-limits-test", SMALL);

    private static String bodyOf(int size) {
        String head = "{\"name\":\"a\",\"pad\":\"";
        return head + "x".repeat(size - head.length() - 2) + "\"}";
    }

    @Test
    void bodyOverTheLimitIs413NamingTheLimit() {
        HttpResponse<String> r = rest.server().send("POST", "/v1/switches", bodyOf(1025));
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(json(r).get("error").asText()).isEqualTo("too_large");
        assertThat(json(r).get("message").asText()).contains("1024 bytes");
        assertThat(rest.fake().calls()).isEmpty();
    }

    @Test
    void bodyAtTheLimitIsParsed() {
        HttpResponse<String> r = rest.server().send("POST", "/v1/switches", bodyOf(1024));
        // it reaches the parser, which refuses the extra field: proof that the size check let it through
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("error").asText()).isEqualTo("unknown_field");
    }

    @Test
    void chunkedBodyOverTheLimitIs413() throws Exception {
        byte[] body = bodyOf(4096).getBytes(StandardCharsets.UTF_8);
        HttpRequest req = HttpRequest.newBuilder(rest.server().baseUri().resolve("/v1/switches"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                // an input stream publisher has no length, so the client sends it chunked
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build();
        HttpResponse<String> r = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(json(r).get("error").asText()).isEqualTo("too_large");
        assertThat(rest.fake().calls()).isEmpty();
    }

    @Test
    void serviceThatNeverAnswersGets503Json() {
        rest.fake().hangNext();
        HttpResponse<String> r = rest.server().send("GET", "/v1/switches", null);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(json(r).get("error").asText()).isEqualTo("unavailable");
        assertThat(json(r).get("message").asText())
                .isEqualTo("the controller did not answer within 1 s; a change it asked for may or may not have been"
                        + " applied: read the state back before retrying; retry after 2 s");
        assertThat(rest.fake().calls()).containsExactly("listSwitches()");
    }

    @Test
    void theRequestTimeoutSaysWhenTheClusterIsReBalancing() {
        rest.health()
                .unavailableBecause(
                        "the cluster is re-balancing (member pekko://portmesh@127.0.0.1:2552 is" + " leaving)");
        rest.fake().hangNext();
        HttpResponse<String> r = rest.server().send("GET", "/v1/switches", null);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(json(r).get("message").asText())
                .isEqualTo("the cluster is re-balancing (member pekko://portmesh@127.0.0.1:2552 is leaving); the"
                        + " controller did not answer within 1 s; a change it asked for may or may not have been"
                        + " applied: read the state back before retrying; retry after 2 s");
    }
}
