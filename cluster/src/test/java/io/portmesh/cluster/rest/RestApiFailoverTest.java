package io.portmesh.cluster.rest;

import static io.portmesh.cluster.rest.RestTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.cluster.NodeScrape;
import io.portmesh.sharding.service.UnavailableException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A host's switch VMs over real HTTP (docs/architecture.md section 7.2): {@code GET /v1/hosts/{id}} shows the active
 * slot and every slot, {@code POST /v1/hosts/{id}/failover} switches over to the standby; status codes, bodies, the
 * exact calls the service received, and every refusal as a JSON error.
 */
class RestApiFailoverTest {
    private static final List<String> HOST_FIELDS = List.of(
            "id",
            "tunnelIp",
            "agents",
            "vlansUsed",
            "flowsDesired",
            "flowsInstalled",
            "masterGeneration",
            "realized",
            "flowModsSent",
            "activeSlot",
            "slots",
            "pins");
    private static final List<String> SLOT_FIELDS =
            List.of("slot", "tunnelIp", "active", "trunk", "connections", "holdsPlan");

    @RegisterExtension
    static final RestServerExtension rest = new RestServerExtension("rest-failover-test", RestSettings.DEFAULTS);

    private static HttpResponse<String> send(String method, String path, String body) {
        return rest.server().send(method, path, body);
    }

    /** Host esx-1 (10.0.0.1), its standby in slot b (10.0.0.2) ready when {@code standby}; the call log cleared. */
    private static void seedHost(boolean standby) {
        assertThat(send("POST", "/v1/hosts", "{\"name\":\"esx-1\",\"tunnelIp\":\"10.0.0.1\"}")
                        .statusCode())
                .isEqualTo(201);
        if (standby) {
            rest.fake().standbyReady("esx-1", "10.0.0.2");
        }
        rest.fake().clearCalls();
    }

    /** Asserts the error shape and returns its message. */
    private static String assertError(HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = json(r);
        assertThat(body.get("error").asText()).isEqualTo(code);
        assertThat(body.size()).isEqualTo(2);
        return body.get("message").asText();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** A slot as "slot tunnelIp active trunk connections holdsPlan". */
    private static List<String> slots(JsonNode host) {
        List<String> out = new ArrayList<>();
        for (JsonNode s : host.get("slots")) {
            assertThat(fieldNames(s)).containsExactlyElementsOf(SLOT_FIELDS);
            out.add(s.get("slot").asText() + " " + s.get("tunnelIp").asText() + " "
                    + s.get("active").asBoolean() + " " + s.get("trunk").asText() + " "
                    + s.get("connections").asInt() + " " + s.get("holdsPlan").asBoolean());
        }
        return out;
    }

    @Test
    void getShowsTheActiveSlotAndEverySlotNextToTheFieldsItHadBefore() {
        seedHost(false);
        JsonNode registered = json(send("GET", "/v1/hosts/esx-1", null));
        assertThat(fieldNames(registered)).containsExactlyElementsOf(HOST_FIELDS);
        assertThat(registered.get("activeSlot").asText()).isEqualTo("a");
        assertThat(slots(registered)).containsExactly("a 10.0.0.1 true unknown 0 false");

        rest.fake().standbyReady("esx-1", "10.0.0.2");
        HttpResponse<String> r = send("GET", "/v1/hosts/esx-1", null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode host = json(r);
        assertThat(fieldNames(host)).containsExactlyElementsOf(HOST_FIELDS);
        assertThat(host.get("tunnelIp").asText()).isEqualTo("10.0.0.1");
        assertThat(slots(host)).containsExactly("a 10.0.0.1 true up 1 true", "b 10.0.0.2 false down 1 true");
        assertThat(rest.fake().calls()).containsExactly("getHost(esx-1)", "getHost(esx-1)");
    }

    @Test
    void failoverWithoutABodyAnswers200WithTheHostOnItsStandby() {
        seedHost(true);
        HttpResponse<String> r = send("POST", "/v1/hosts/esx-1/failover", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode host = json(r);
        assertThat(fieldNames(host)).containsExactlyElementsOf(HOST_FIELDS);
        assertThat(host.get("id").asText()).isEqualTo("esx-1");
        assertThat(host.get("activeSlot").asText()).isEqualTo("b");
        assertThat(host.get("tunnelIp").asText())
                .as("the active slot's endpoint")
                .isEqualTo("10.0.0.2");
        assertThat(slots(host)).containsExactly("a 10.0.0.1 false down 1 true", "b 10.0.0.2 true up 1 true");
        assertThat(json(send("GET", "/v1/hosts/esx-1", null))).isEqualTo(host);
        assertThat(rest.fake().calls()).containsExactly("failover(esx-1)", "getHost(esx-1)");
    }

    @Test
    void failoverAcceptsAnEmptyObjectAnEmptyJsonBodyAndTheWait() {
        seedHost(true);
        HttpResponse<String> r = send("POST", "/v1/hosts/esx-1/failover", "{}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).get("activeSlot").asText()).isEqualTo("b");

        HttpResponse<String> back = send("POST", "/v1/hosts/esx-1/failover?wait=realized", "");
        assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
        assertThat(json(back).get("activeSlot").asText()).isEqualTo("a");
        assertThat(json(back).get("tunnelIp").asText()).isEqualTo("10.0.0.1");
        assertThat(rest.fake().calls()).containsExactly("failover(esx-1)", "failover(esx-1)");
    }

    @Test
    void failoverOfAnUnknownHostIs404() {
        assertThat(assertError(send("POST", "/v1/hosts/esx-9/failover", null), 404, "not_found"))
                .contains("esx-9");
        assertThat(rest.fake().calls()).containsExactly("failover(esx-9)");
    }

    @Test
    void failoverWithoutAReadyStandbyIs409AndChangesNothing() {
        seedHost(false);
        assertThat(assertError(send("POST", "/v1/hosts/esx-1/failover", "{}"), 409, "conflict"))
                .isEqualTo("host: cannot fail over: host esx-1 has no standby agent (slot b) connected");
        assertThat(json(send("GET", "/v1/hosts/esx-1", null)).get("activeSlot").asText())
                .isEqualTo("a");
        assertThat(rest.fake().calls()).containsExactly("failover(esx-1)", "getHost(esx-1)");
    }

    @Test
    void anEntityThatDidNotAnswerIs503() {
        seedHost(true);
        rest.fake().failNext(new UnavailableException("host esx-1 did not answer to fail over in time"));
        assertThat(assertError(send("POST", "/v1/hosts/esx-1/failover", null), 503, "unavailable"))
                .contains("esx-1");
    }

    @Test
    void failoversAreCountedByOutcome() {
        seedHost(false);
        String before = send("GET", "/metrics", null).body();
        send("POST", "/v1/hosts/esx-1/failover", null); // 409: no standby
        rest.fake().standbyReady("esx-1", "10.0.0.2");
        send("POST", "/v1/hosts/esx-1/failover", null);
        String after = send("GET", "/metrics", null).body();
        String ops = "portmesh_operations_total";
        assertThat(NodeScrape.sum(after, ops, "operation=\"failover_host\",outcome=\"ok\"")
                        - NodeScrape.sum(before, ops, "operation=\"failover_host\",outcome=\"ok\""))
                .isEqualTo(1);
        assertThat(NodeScrape.sum(after, ops, "operation=\"failover_host\",outcome=\"conflict\"")
                        - NodeScrape.sum(before, ops, "operation=\"failover_host\",outcome=\"conflict\""))
                .isEqualTo(1);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /v1/hosts/bad!id/failover          |                    | invalid       | hostId
            /v1/hosts/bad!id/failover          | {}                 | invalid       | hostId
            /v1/hosts/esx-1/failover           | {"slot":"b"}       | unknown_field | slot
            /v1/hosts/esx-1/failover?wait=yes  |                    | invalid       | wait
            /v1/hosts/esx-1/failover?wait=     | {}                 | invalid       | wait
            """)
    void badInputIsRefusedByNameBeforeTheService(String path, String body, String code, String field) {
        seedHost(true);
        String message = assertError(send("POST", path, body), 400, code);
        assertThat(message).as("message names the field").startsWith(field + ":");
        assertThat(rest.fake().calls())
                .as("bad input must not reach the service")
                .isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            {
            null
            []
            {} trailing
            """)
    void malformedJsonIsBadJson(String body) {
        assertThat(assertError(send("POST", "/v1/hosts/esx-1/failover", body), 400, "bad_json"))
                .isNotBlank();
        assertThat(rest.fake().calls()).isEmpty();
    }

    @Test
    void aBodyThatIsNotJsonIs415() {
        assertError(
                rest.server().send("POST", "/v1/hosts/esx-1/failover", "{}", "text/plain"),
                415,
                "unsupported_media_type");
        assertThat(rest.fake().calls()).isEmpty();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            GET    | /v1/hosts/esx-1/failover | POST
            PUT    | /v1/hosts/esx-1/failover | POST
            DELETE | /v1/hosts/esx-1/failover | POST
            POST   | /v1/hosts/esx-1          | GET
            """)
    void aMethodThePathDoesNotServeIs405JsonWithAllow(String method, String path, String allowed) {
        HttpResponse<String> r = send(method, path, method.equals("GET") || method.equals("DELETE") ? null : "{}");
        String message = assertError(r, 405, "method_not_allowed");
        assertThat(message).contains(allowed);
        assertThat(r.headers().firstValue("Allow"))
                .hasValueSatisfying(a -> assertThat(a).contains(allowed));
        assertThat(rest.fake().calls()).isEmpty();
    }

    @Test
    void unknownPathsUnderAHostAre404Json() {
        assertError(send("POST", "/v1/hosts/esx-1/failover/now", "{}"), 404, "not_found");
        assertError(send("POST", "/v1/hosts/esx-1/failovers", "{}"), 404, "not_found");
        assertError(send("GET", "/v1/hosts/esx-1/slots", null), 404, "not_found");
        assertThat(rest.fake().calls()).isEmpty();
    }
}
