package io.portmesh.cluster.rest;

import static io.portmesh.cluster.rest.RestTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A host's pins over real HTTP (docs/architecture.md section 13.1): given at registration or replaced with
 * {@code PUT /v1/hosts/{id}/pins}, normalized, shown on the host, and every malformed one a 400 in the JSON error
 * format that names the field, with no call reaching the service.
 */
class RestApiPinsTest {
    private static final String KEY = "AB:CD:" + "0123456789abcdef".repeat(3) + "0123456789ab";
    private static final String ZZ = "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz";
    private static final String KEY_NORMALIZED = "abcd" + "0123456789abcdef".repeat(3) + "0123456789ab";

    @RegisterExtension
    static final RestServerExtension rest = new RestServerExtension("rest-pins-test", RestSettings.DEFAULTS);

    private static HttpResponse<String> send(String method, String path, String body) {
        return rest.server().send(method, path, body);
    }

    private static String assertError(HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = json(r);
        assertThat(body.get("error").asText()).isEqualTo(code);
        return body.get("message").asText();
    }

    @Test
    void aHostRegisteredWithPinsShowsThemNormalized() {
        HttpResponse<String> r = send(
                "POST",
                "/v1/hosts",
                "{\"name\":\"esx-1\",\"tunnelIp\":\"10.0.0.1\",\"pins\":{\"a\":{\"publicKeySha256\":\"" + KEY
                        + "\",\"dpid\":\"00:00:00:00:00:00:0A:01\"},\"b\":{\"dpid\":\"a02\"}}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode pins = json(r).get("pins");
        assertThat(pins.get("a").get("publicKeySha256").asText()).isEqualTo(KEY_NORMALIZED);
        assertThat(pins.get("a").get("dpid").asText()).isEqualTo("0000000000000a01");
        assertThat(pins.get("b").get("publicKeySha256").isNull()).isTrue();
        assertThat(pins.get("b").get("dpid").asText()).isEqualTo("0000000000000a02");
        assertThat(json(send("GET", "/v1/hosts/esx-1", null)).get("pins")).isEqualTo(pins);
        assertThat(rest.fake().calls()).hasSize(2);
        assertThat(rest.fake().calls().get(0)).startsWith("createHost(esx-1, 10.0.0.1, {a=AgentPin[");
    }

    @Test
    void putReplacesThePinsAndAnEmptyObjectRemovesThem() {
        assertThat(send("POST", "/v1/hosts", "{\"name\":\"esx-1\",\"tunnelIp\":\"10.0.0.1\"}")
                        .statusCode())
                .isEqualTo(201);
        assertThat(json(send("GET", "/v1/hosts/esx-1", null)).get("pins").size())
                .as("no pins")
                .isZero();
        HttpResponse<String> pinned =
                send("PUT", "/v1/hosts/esx-1/pins", "{\"a\":{\"publicKeySha256\":\"" + KEY_NORMALIZED + "\"}}");
        assertThat(pinned.statusCode()).as(pinned.body()).isEqualTo(200);
        assertThat(json(pinned).get("pins").get("a").get("publicKeySha256").asText())
                .isEqualTo(KEY_NORMALIZED);
        HttpResponse<String> unpinned = send("PUT", "/v1/hosts/esx-1/pins", "{}");
        assertThat(unpinned.statusCode()).as(unpinned.body()).isEqualTo(200);
        assertThat(json(unpinned).get("pins").size()).isZero();
        assertThat(rest.fake().calls()).contains("pinAgents(esx-1, {})");
    }

    @Test
    void pinsOfAnUnknownHostAre404() {
        assertThat(assertError(send("PUT", "/v1/hosts/esx-9/pins", "{\"a\":{\"dpid\":\"1\"}}"), 404, "not_found"))
                .contains("esx-9");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "a short key | {\"a\":{\"publicKeySha256\":\"abcd\"}} | a.publicKeySha256 | invalid",
                "a key that is no hex | {\"a\":{\"publicKeySha256\":\"" + ZZ + "\"}} | a.publicKeySha256 | invalid",
                "a dpid over 64 bits | {\"b\":{\"dpid\":\"00:00:00:00:00:00:00:00:01\"}} | b.dpid | invalid",
                "a dpid that is no hex | {\"a\":{\"dpid\":\"switch-1\"}} | a.dpid | invalid",
                "a pin with nothing | {\"a\":{}} | a.publicKeySha256 | invalid",
                "a slot c | {\"c\":{\"dpid\":\"1\"}} | c | unknown_field",
                "an unknown field | {\"a\":{\"dpid\":\"1\",\"certificate\":\"x\"}} | a.certificate | unknown_field",
                "a key that is a number | {\"a\":{\"publicKeySha256\":12}} | a.publicKeySha256 | invalid",
            })
    void aMalformedPinIs400NamingTheFieldAndReachesNoService(String what, String body, String field, String code) {
        assertThat(send("POST", "/v1/hosts", "{\"name\":\"esx-1\",\"tunnelIp\":\"10.0.0.1\"}")
                        .statusCode())
                .isEqualTo(201);
        rest.fake().clearCalls();
        String message = assertError(send("PUT", "/v1/hosts/esx-1/pins", body), 400, code);
        assertThat(message).as(what).startsWith(field + ":");
        String created = assertError(
                send("POST", "/v1/hosts", "{\"name\":\"esx-2\",\"tunnelIp\":\"10.0.0.2\",\"pins\":" + body + "}"),
                400,
                code);
        assertThat(created).as(what).startsWith("pins." + field + ":");
        assertThat(rest.fake().calls()).isEmpty();
    }
}
