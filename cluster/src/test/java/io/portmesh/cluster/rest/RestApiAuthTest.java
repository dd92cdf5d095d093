package io.portmesh.cluster.rest;

import static io.portmesh.cluster.rest.RestTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bearer tokens and roles on every route the OpenAPI document lists (OpenApiDocumentTest proves it lists them all):
 * 401 without a token, 403 for a change with a read-only one, through with an admin one; the open paths.
 */
class RestApiAuthTest {
    private static final Set<String> HEALTH_AND_METRICS = Set.of("/alive", "/health", "/ready", "/metrics");

    @RegisterExtension
    static final RestServerExtension rest =
            new RestServerExtension("rest-auth-test", AuthTokens.settings(HEALTH_AND_METRICS));

    @RegisterExtension
    static final RestServerExtension closed =
            new RestServerExtension("rest-auth-closed-test", AuthTokens.settings(Set.of()));

    private static HttpResponse<String> call(RestServerExtension server, String op, String... headers) {
        String method = OpenApiOperations.method(op);
        String body = method.equals("POST") || method.equals("PUT") ? "{}" : null;
        return server.server()
                .sendWithHeaders(method, OpenApiOperations.concretePath(op), body, "application/json", headers);
    }

    private static List<String> guardedOperations() {
        return OpenApiOperations.operations().stream()
                .filter(op -> !HEALTH_AND_METRICS.contains(OpenApiOperations.concretePath(op)))
                .toList();
    }

    private static void assertUnauthorized(HttpResponse<String> r, String as) {
        assertThat(r.statusCode()).as(as).isEqualTo(401);
        JsonNode body = json(r);
        assertThat(body.get("error").asText()).as(as).isEqualTo("unauthorized");
        assertThat(body.get("message").asText()).as(as).isNotBlank();
        assertThat(r.headers().firstValue("WWW-Authenticate"))
                .as(as)
                .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer realm=\"portmesh\""));
    }

    @Test
    void everyRouteWithoutATokenIs401WithTheBearerChallengeAndReachesNothing() {
        assertThat(guardedOperations()).hasSizeGreaterThan(15);
        for (String op : guardedOperations()) {
            HttpResponse<String> r = call(rest, op);
            assertUnauthorized(r, op);
            assertThat(r.headers().firstValue("WWW-Authenticate"))
                    .hasValueSatisfying(v -> assertThat(v).doesNotContain("invalid_token"));
        }
        assertThat(rest.fake().calls()).isEmpty();
    }

    @Test
    void everyChangeWithAReadOnlyTokenIs403AndEveryReadIsServed() {
        for (String op : guardedOperations()) {
            HttpResponse<String> r = call(rest, op, AuthTokens.bearer(AuthTokens.READ_ONLY));
            if (op.startsWith("GET ")) {
                assertThat(r.statusCode()).as(op).isNotIn(401, 403, 405);
            } else {
                assertThat(r.statusCode()).as(op).isEqualTo(403);
                assertThat(json(r).get("error").asText()).as(op).isEqualTo("forbidden");
                assertThat(json(r).get("message").asText())
                        .as(op)
                        .contains("read-only role", OpenApiOperations.method(op), "admin role");
            }
        }
        assertThat(rest.fake().calls()).noneMatch(c -> c.startsWith("create") || c.startsWith("delete"));
    }

    @Test
    void everyRouteWithAnAdminTokenIsServed() {
        for (String op : guardedOperations()) {
            HttpResponse<String> r = call(rest, op, AuthTokens.bearer(AuthTokens.ADMIN));
            assertThat(r.statusCode()).as(op).isNotIn(401, 403, 405);
        }
        HttpResponse<String> created = rest.server()
                .sendWithHeaders(
                        "POST",
                        "/v1/switches",
                        "{\"name\":\"blue\"}",
                        "application/json",
                        AuthTokens.bearer(AuthTokens.ADMIN));
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(rest.fake().calls()).contains("createSwitch(blue, Optional.empty)");
    }

    @Test
    void anUnknownPathWithoutATokenIs401NotAHintThatItDoesNotExist() {
        assertUnauthorized(rest.server().send("GET", "/v1/nothing-here", null), "unknown path");
        assertThat(rest.server()
                        .sendWithHeaders("GET", "/v1/nothing-here", null, null, AuthTokens.bearer(AuthTokens.READ_ONLY))
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void openPathsAnswerWithoutATokenWhenConfiguredOpen() {
        for (String path : HEALTH_AND_METRICS) {
            assertThat(rest.server().send("GET", path, null).statusCode())
                    .as(path)
                    .isEqualTo(200);
        }
    }

    @Test
    void healthAndMetricsNeedATokenWhenNotConfiguredOpen() {
        for (String path : HEALTH_AND_METRICS) {
            assertUnauthorized(closed.server().send("GET", path, null), path);
            assertThat(closed.server()
                            .sendWithHeaders("GET", path, null, null, AuthTokens.bearer(AuthTokens.READ_ONLY))
                            .statusCode())
                    .as(path)
                    .isEqualTo(200);
        }
    }

    @Test
    void badAuthorizationHeadersAre401JsonSayingInvalidToken() {
        String admin = AuthTokens.ADMIN;
        List<String> values = List.of(
                "Basic YWRtaW46c2VjcmV0",
                "Bearer",
                "Bearer ",
                "",
                admin,
                "Bearer wrong-token-0123456789abcdef",
                "Bearer " + admin + " trailing",
                "Bearer " + admin.substring(1),
                "Bearer sha256:" + AuthTokens.digestOf(admin),
                "Bearer " + "A".repeat(7000),
                "Bearer \"" + admin + "\"",
                "Bearer " + admin + "\t",
                "Token " + admin);
        for (String v : values) {
            String as = "Authorization: " + (v.length() > 60 ? v.substring(0, 60) + "..." : v);
            HttpResponse<String> r = rest.server()
                    .sendWithHeaders(
                            "POST", "/v1/switches", "{\"name\":\"x\"}", "application/json", "Authorization", v);
            if (v.equals("Bearer " + admin + "\t")) {
                // trailing whitespace is not part of a header's value (RFC 9110): this is the admin token
                assertThat(r.statusCode()).as(as).isEqualTo(201);
                continue;
            }
            assertUnauthorized(r, as);
            assertThat(r.headers().firstValue("WWW-Authenticate"))
                    .as(as)
                    .hasValueSatisfying(h -> assertThat(h).containsPattern("error=\"?invalid_token"));
        }
        assertThat(rest.fake().calls()).containsExactly("createSwitch(x, Optional.empty)");
    }

    @Test
    void theSchemeIsCaseInsensitiveAndTwoAuthorizationHeadersAreRefused() {
        HttpResponse<String> lower = rest.server()
                .sendWithHeaders("GET", "/v1/switches", null, null, "Authorization", "bearer " + AuthTokens.READ_ONLY);
        assertThat(lower.statusCode()).isEqualTo(200);
        HttpResponse<String> two = rest.server()
                .sendWithHeaders(
                        "GET",
                        "/v1/switches",
                        null,
                        null,
                        "Authorization",
                        "Bearer " + AuthTokens.READ_ONLY,
                        "Authorization",
                        "Bearer " + AuthTokens.ADMIN);
        assertUnauthorized(two, "two headers");
    }

    /** Refused by the HTTP parser before any route (its header limit is 8 KiB), in the API's JSON too. */
    @Test
    void anAuthorizationHeaderOverTheHeaderLimitIs431Json() {
        HttpResponse<String> r = rest.server()
                .sendWithHeaders("GET", "/v1/switches", null, null, "Authorization", "Bearer " + "A".repeat(20_000));
        assertThat(r.statusCode()).isEqualTo(431);
        assertThat(json(r).get("error").asText()).isEqualTo("headers_too_large");
    }
}
