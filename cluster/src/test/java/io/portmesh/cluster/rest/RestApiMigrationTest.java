package io.portmesh.cluster.rest;

import static io.portmesh.cluster.rest.RestTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.sharding.service.UnavailableException;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The live-move routes ({@code /v1/ports/{id}/migration}, {@code .../migration/complete}) and the port's history over
 * real HTTP: status codes, bodies, the exact calls the service received, and every refusal as a JSON error.
 */
class RestApiMigrationTest {
    private static final List<String> MIGRATION_FIELDS = List.of(
            "port",
            "state",
            "from",
            "to",
            "fromVlan",
            "toVlan",
            "activatedBy",
            "startedAt",
            "deadline",
            "activatedAt",
            "endedAt",
            "realization",
            "repointedAt");

    @RegisterExtension
    static final RestServerExtension rest = new RestServerExtension("rest-migration-test", RestSettings.DEFAULTS);

    private static HttpResponse<String> send(String method, String path, String body) {
        return rest.server().send(method, path, body);
    }

    /** A switch, hosts esx-1 and esx-2, one port bound to esx-1 (VLAN 100), with the call log cleared; its id. */
    private static String seedBound() {
        String port = seedUnbound();
        assertThat(send("PUT", "/v1/ports/" + port + "/binding", "{\"host\":\"esx-1\"}")
                        .statusCode())
                .isEqualTo(200);
        rest.fake().clearCalls();
        return port;
    }

    /** As {@link #seedBound()}, the port left unbound. */
    private static String seedUnbound() {
        assertThat(send("POST", "/v1/switches", "{\"name\":\"blue\"}").statusCode())
                .isEqualTo(201);
        for (int i = 1; i <= 2; i++) {
            String host = "{\"name\":\"esx-" + i + "\",\"tunnelIp\":\"10.0.0." + i + "\"}";
            assertThat(send("POST", "/v1/hosts", host).statusCode()).isEqualTo(201);
        }
        HttpResponse<String> port = send("POST", "/v1/switches/blue/ports", "{\"mac\":\"52:54:00:00:00:01\"}");
        assertThat(port.statusCode()).isEqualTo(201);
        rest.fake().clearCalls();
        return json(port).get("id").asText();
    }

    private static HttpResponse<String> startMove(String port, String query) {
        return send("POST", "/v1/ports/" + port + "/migration" + query, "{\"to\":\"esx-2\"}");
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

    @Test
    void startAnswers202WithTheMoveAndItsVlanOnTheDestination() {
        String port = seedBound();
        HttpResponse<String> r = startMove(port, "");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode m = json(r);
        assertThat(fieldNames(m)).containsExactlyElementsOf(MIGRATION_FIELDS);
        assertThat(m.get("port").asText()).isEqualTo(port);
        assertThat(m.get("state").asText()).isEqualTo("MIGRATING");
        assertThat(m.get("from").asText()).isEqualTo("esx-1");
        assertThat(m.get("to").asText()).isEqualTo("esx-2");
        assertThat(m.get("fromVlan").asInt()).isEqualTo(100);
        assertThat(m.get("toVlan").asInt()).isEqualTo(101);
        assertThat(m.get("activatedBy").isNull()).isTrue();
        assertThat(m.get("activatedAt").isNull()).isTrue();
        assertThat(m.get("endedAt").isNull()).isTrue();
        Instant started = Instant.parse(m.get("startedAt").asText());
        assertThat(Instant.parse(m.get("deadline").asText())).isEqualTo(started.plus(FakeNetworkService.MOVE_TIMEOUT));
        assertThat(m.get("realization").get("waited").asBoolean()).isFalse();
        assertThat(rest.fake().calls()).containsExactly("startMigration(" + port + ", esx-2, false)");
    }

    @Test
    void waitedStartThatRealizedAnswers200() {
        String port = seedBound();
        HttpResponse<String> r = startMove(port, "?wait=realized");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).get("realization").get("realized").asBoolean()).isTrue();
        assertThat(rest.fake().calls()).containsExactly("startMigration(" + port + ", esx-2, true)");
    }

    @Test
    void waitedStartNotRealizedAnswers202NamingThePendingHosts() {
        String port = seedBound();
        rest.fake().pendingHosts(List.of("esx-3"));
        HttpResponse<String> r = startMove(port, "?wait=realized");
        assertThat(r.statusCode()).isEqualTo(202);
        JsonNode realization = json(r).get("realization");
        assertThat(realization.get("waited").asBoolean()).isTrue();
        assertThat(realization.get("realized").asBoolean()).isFalse();
        assertThat(realization.get("pendingHosts")).extracting(JsonNode::asText).containsExactly("esx-3");
    }

    @Test
    void getAnswersTheMoveUnderWay() {
        String port = seedBound();
        JsonNode started = json(startMove(port, ""));
        HttpResponse<String> r = send("GET", "/v1/ports/" + port + "/migration", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r)).isEqualTo(started);
        assertThat(rest.fake().calls()).endsWith("getMigration(" + port + ")");
    }

    @Test
    void getOfAPortThatNeverMovedIs404() {
        String port = seedBound();
        assertThat(assertError(send("GET", "/v1/ports/" + port + "/migration", null), 404, "not_found"))
                .contains("never moved");
        assertThat(assertError(send("GET", "/v1/ports/nope/migration", null), 404, "not_found"))
                .contains("nope");
    }

    @Test
    void cancelAnswers200WithTheCancelledMoveAndTheSourceKeepsThePort() {
        String port = seedBound();
        startMove(port, "");
        HttpResponse<String> r = send("DELETE", "/v1/ports/" + port + "/migration", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode m = json(r);
        assertThat(fieldNames(m)).containsExactlyElementsOf(MIGRATION_FIELDS);
        assertThat(m.get("state").asText()).isEqualTo("CANCELLED");
        assertThat(m.get("endedAt").isNull()).isFalse();
        assertThat(m.get("activatedBy").isNull()).isTrue();
        assertThat(json(send("GET", "/v1/ports/" + port, null)).get("host").asText())
                .isEqualTo("esx-1");
        assertThat(json(send("GET", "/v1/ports/" + port + "/migration", null))
                        .get("state")
                        .asText())
                .isEqualTo("CANCELLED");
        assertThat(rest.fake().calls()).contains("cancelMigration(" + port + ", false)");
    }

    @Test
    void waitedCancelPassesTheWaitAndAnswers202WhilePending() {
        String port = seedBound();
        startMove(port, "");
        rest.fake().pendingHosts(List.of("esx-2"));
        HttpResponse<String> r = send("DELETE", "/v1/ports/" + port + "/migration?wait=realized", null);
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(json(r).get("realization").get("pendingHosts"))
                .extracting(JsonNode::asText)
                .containsExactly("esx-2");
        assertThat(rest.fake().calls()).last().isEqualTo("cancelMigration(" + port + ", true)");
    }

    @Test
    void cancelOrCompleteWithoutAMoveUnderWayIs409() {
        String port = seedBound();
        assertThat(assertError(send("DELETE", "/v1/ports/" + port + "/migration", null), 409, "conflict"))
                .contains("no move under way");
        assertThat(assertError(send("POST", "/v1/ports/" + port + "/migration/complete", null), 409, "conflict"))
                .contains("no move under way");
        startMove(port, "");
        send("DELETE", "/v1/ports/" + port + "/migration", null);
        assertError(send("DELETE", "/v1/ports/" + port + "/migration", null), 409, "conflict");
        assertThat(rest.fake().calls())
                .containsExactly(
                        "cancelMigration(" + port + ", false)",
                        "completeMigration(" + port + ", false)",
                        "startMigration(" + port + ", esx-2, false)",
                        "cancelMigration(" + port + ", false)",
                        "cancelMigration(" + port + ", false)");
    }

    @Test
    void completeWithoutABodyAnswers200AndTheDestinationHasThePort() {
        String port = seedBound();
        startMove(port, "");
        HttpResponse<String> r = send("POST", "/v1/ports/" + port + "/migration/complete", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode m = json(r);
        assertThat(m.get("state").asText()).isEqualTo("COMPLETED");
        assertThat(m.get("activatedBy").asText()).isEqualTo("API");
        assertThat(m.get("activatedAt").isNull()).isFalse();
        assertThat(m.get("endedAt").isNull()).isFalse();
        JsonNode p = json(send("GET", "/v1/ports/" + port, null));
        assertThat(p.get("host").asText()).isEqualTo("esx-2");
        assertThat(p.get("vlan").asInt()).isEqualTo(101);
        assertThat(rest.fake().calls()).contains("completeMigration(" + port + ", false)");
    }

    @Test
    void completeAcceptsAnEmptyObjectAnEmptyJsonBodyAndTheWait() {
        String port = seedBound();
        startMove(port, "");
        HttpResponse<String> r = send("POST", "/v1/ports/" + port + "/migration/complete?wait=realized", "{}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).get("realization").get("realized").asBoolean()).isTrue();

        // a move back, completed with an empty body sent as application/json
        send("PUT", "/v1/ports/" + port + "/binding", "{\"host\":\"esx-1\"}");
        HttpResponse<String> empty = send("POST", "/v1/ports/" + port + "/migration/complete", "");
        assertThat(empty.statusCode()).as(empty.body()).isEqualTo(200);
        assertThat(json(empty).get("to").asText()).isEqualTo("esx-1");
        assertThat(rest.fake().calls())
                .contains("completeMigration(" + port + ", true)", "completeMigration(" + port + ", false)");
    }

    @Test
    void aBindingToAnotherHostStartsAMoveAndAnswersTheVlanThere() {
        String port = seedBound();
        HttpResponse<String> r = send("PUT", "/v1/ports/" + port + "/binding", "{\"host\":\"esx-2\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).get("host").asText()).isEqualTo("esx-2");
        assertThat(json(r).get("vlan").asInt()).isEqualTo(101);
        JsonNode m = json(send("GET", "/v1/ports/" + port + "/migration", null));
        assertThat(m.get("state").asText()).isEqualTo("MIGRATING");
        assertThat(m.get("toVlan").asInt()).isEqualTo(101);
    }

    @Test
    void historyListsThePortsJournalOldestFirst() {
        String port = seedBound();
        startMove(port, "");
        send("POST", "/v1/ports/" + port + "/migration/complete", null);
        rest.fake().clearCalls();

        HttpResponse<String> r = send("GET", "/v1/ports/" + port + "/history", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(fieldNames(body)).containsExactly("port", "events");
        assertThat(body.get("port").asText()).isEqualTo(port);
        JsonNode events = body.get("events");
        assertThat(events.findValuesAsText("event"))
                .containsExactly("Created", "Bound", "MoveStarted", "MoveActivated", "MoveCompleted");
        assertThat(events.findValuesAsText("seq")).containsExactly("1", "2", "3", "4", "5");
        JsonNode started = events.get(2);
        assertThat(fieldNames(started)).containsExactly("seq", "at", "event", "detail");
        assertThat(Instant.parse(started.get("at").asText()))
                .isAfter(Instant.parse(events.get(1).get("at").asText()));
        assertThat(started.get("detail").get("from").asText()).isEqualTo("esx-1");
        assertThat(started.get("detail").get("to").asText()).isEqualTo("esx-2");
        assertThat(started.get("detail").get("toVlan").asInt()).isEqualTo(101);
        assertThat(rest.fake().calls()).containsExactly("portHistory(" + port + ")");
    }

    @Test
    void historyOfAnUnknownPortIs404() {
        assertThat(assertError(send("GET", "/v1/ports/nope/history", null), 404, "not_found"))
                .contains("nope");
        assertThat(rest.fake().calls()).containsExactly("portHistory(nope)");
    }

    @Test
    void theServicesRefusalsOfAStartKeepTheirStatus() {
        String port = seedUnbound();
        assertThat(assertError(startMove(port, ""), 400, "invalid")).startsWith("port: ");
        assertThat(assertError(startMove("nope", ""), 404, "not_found")).contains("nope");
        assertThat(assertError(
                        send("POST", "/v1/ports/" + port + "/migration", "{\"to\":\"esx-9\"}"), 404, "not_found"))
                .contains("esx-9");
        rest.fake().failNext(new UnavailableException("port entity " + port + " did not answer"));
        assertThat(assertError(startMove(port, ""), 503, "unavailable")).contains(port);
        assertThat(rest.fake().calls())
                .containsExactly(
                        "startMigration(" + port + ", esx-2, false)",
                        "startMigration(nope, esx-2, false)",
                        "startMigration(" + port + ", esx-9, false)",
                        "startMigration(" + port + ", esx-2, false)");
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(delimiter = '|', textBlock = """
            POST   | /v1/ports/p/migration                  | {}                       | missing_field | to
            POST   | /v1/ports/p/migration                  | {"to":null}              | missing_field | to
            POST   | /v1/ports/p/migration                  | {"to":5}                 | invalid       | to
            POST   | /v1/ports/p/migration                  | {"to":["esx-2"]}         | invalid       | to
            POST   | /v1/ports/p/migration                  | {"to":"esx-2","now":1}   | unknown_field | now
            POST   | /v1/ports/p/migration                  | {"host":"esx-2"}         | unknown_field | host
            POST   | /v1/ports/p/migration                  | {"to":"no/such"}         | invalid       | to
            POST   | /v1/ports/p/migration                  | {"to":" esx-2"}          | invalid       | to
            POST   | /v1/ports/p/migration?wait=yes         | {"to":"esx-2"}           | invalid       | wait
            POST   | /v1/ports/bad!id/migration             | {"to":"esx-2"}           | invalid       | portId
            GET    | /v1/ports/bad!id/migration             |                          | invalid       | portId
            DELETE | /v1/ports/p/migration?wait=1           |                          | invalid       | wait
            DELETE | /v1/ports/bad!id/migration             |                          | invalid       | portId
            POST   | /v1/ports/p/migration/complete         | {"force":true}           | unknown_field | force
            POST   | /v1/ports/p/migration/complete?wait=no |                          | invalid       | wait
            POST   | /v1/ports/bad!id/migration/complete    |                          | invalid       | portId
            GET    | /v1/ports/bad!id/history               |                          | invalid       | portId
            """)
    void badInputIsRefusedByNameBeforeTheService(String method, String path, String body, String code, String field) {
        String message = assertError(send(method, path, body), 400, code);
        assertThat(message).as("message names the field").startsWith(field + ":");
        assertThat(rest.fake().calls())
                .as("bad input must not reach the service")
                .isEmpty();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /v1/ports/p/migration          | {"to":
            /v1/ports/p/migration          | {"to":"esx-2"} trailing
            /v1/ports/p/migration          | {"to":"esx-2","to":"esx-1"}
            /v1/ports/p/migration          | null
            /v1/ports/p/migration          | ["esx-2"]
            /v1/ports/p/migration/complete | {
            /v1/ports/p/migration/complete | null
            """)
    void malformedJsonIsBadJson(String path, String body) {
        assertThat(assertError(send("POST", path, body), 400, "bad_json")).isNotBlank();
        assertThat(rest.fake().calls()).isEmpty();
    }

    @Test
    void anEmptyBodyToStartAMoveIsBadJson() {
        assertThat(assertError(send("POST", "/v1/ports/p/migration", ""), 400, "bad_json"))
                .contains("empty");
        assertThat(assertError(send("POST", "/v1/ports/p/migration", null), 400, "bad_json"))
                .contains("empty");
        assertThat(rest.fake().calls()).isEmpty();
    }

    @Test
    void aBodyThatIsNotJsonIs415() {
        assertError(
                rest.server().send("POST", "/v1/ports/p/migration", "{\"to\":\"esx-2\"}", "text/plain"),
                415,
                "unsupported_media_type");
        assertError(
                rest.server().send("POST", "/v1/ports/p/migration/complete", "{}", "text/plain"),
                415,
                "unsupported_media_type");
        assertThat(rest.fake().calls()).isEmpty();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            PUT    | /v1/ports/p/migration          | GET,POST,DELETE
            PATCH  | /v1/ports/p/migration          | GET,POST,DELETE
            GET    | /v1/ports/p/migration/complete | POST
            DELETE | /v1/ports/p/migration/complete | POST
            POST   | /v1/ports/p/history            | GET
            DELETE | /v1/ports/p/history            | GET
            """)
    void aMethodThePathDoesNotServeIs405JsonWithAllow(String method, String path, String allowed) {
        HttpResponse<String> r = send(method, path, method.equals("PUT") || method.equals("PATCH") ? "{}" : null);
        String message = assertError(r, 405, "method_not_allowed");
        String[] methods = allowed.split(",");
        assertThat(message).contains(methods);
        assertThat(r.headers().firstValue("Allow"))
                .hasValueSatisfying(a -> assertThat(a).contains(methods));
        assertThat(rest.fake().calls()).isEmpty();
    }

    @Test
    void unknownPathsUnderAPortAre404Json() {
        assertError(send("GET", "/v1/ports/p/migration/nonsense", null), 404, "not_found");
        assertError(send("GET", "/v1/ports/p/migrations", null), 404, "not_found");
        assertError(send("GET", "/v1/ports/p/history/1", null), 404, "not_found");
        assertThat(rest.fake().calls()).isEmpty();
    }
}
