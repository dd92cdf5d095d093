package io.portmesh.cluster.rest;

import static io.portmesh.cluster.rest.RestTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.model.ValidationException;
import io.portmesh.sharding.service.UnavailableException;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.pattern.AskTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every error path: the status, the JSON error code, a message that names the field, and no call on bad input. */
class RestApiErrorsTest {
    @RegisterExtension
    static final RestServerExtension rest = new RestServerExtension("rest-errors-test", RestSettings.DEFAULTS);

    /** Asserts the error shape and returns its message. */
    private static String assertError(HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = json(r);
        assertThat(body.get("error").asText()).isEqualTo(code);
        assertThat(body.size()).isEqualTo(2);
        return body.get("message").asText();
    }

    private static void assertRefusedBeforeTheService(
            String method, String path, String body, int status, String code, String field) {
        HttpResponse<String> r = rest.server().send(method, path, body);
        String message = assertError(r, status, code);
        assertThat(message).as("message names the field").startsWith(field + ":");
        assertThat(rest.fake().calls())
                .as("bad input must not reach the service")
                .isEmpty();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(delimiter = '|', textBlock = """
            POST | /v1/switches             | {"name":"a","colour":"red"}            | colour
            POST | /v1/hosts                | {"name":"h","tunnelIp":"10.0.0.1","x":1} | x
            POST | /v1/switches/s/ports     | {"mac":"52:54:00:00:00:01","vlan":3}   | vlan
            PUT  | /v1/ports/p/binding      | {"host":"h","force":true}              | force
            """)
    void unknownFieldIsRefusedByName(String method, String path, String body, String field) {
        assertRefusedBeforeTheService(method, path, body, 400, "unknown_field", field);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(delimiter = '|', textBlock = """
            POST | /v1/switches         | {"vni":5}                    | name
            POST | /v1/switches         | {"name":null}                | name
            POST | /v1/hosts            | {"name":"h"}                 | tunnelIp
            POST | /v1/hosts            | {"tunnelIp":"10.0.0.1"}      | name
            POST | /v1/switches/s/ports | {"ips":["10.0.0.1"]}         | mac
            POST | /v1/switches/s/ports | {"mac":"52:54:00:00:00:01","ips":["10.0.0.1",null]} | ips[1]
            PUT  | /v1/ports/p/binding  | {}                           | host
            """)
    void missingRequiredFieldIsNamed(String method, String path, String body, String field) {
        assertRefusedBeforeTheService(method, path, body, 400, "missing_field", field);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(delimiter = '|', textBlock = """
            POST   | /v1/switches                 | {"name":"bad name!"}                       | name
            POST   | /v1/switches                 | {"name":"a","vni":0}                       | vni
            POST   | /v1/switches                 | {"name":"a","vni":16777216}                | vni
            POST   | /v1/switches                 | {"name":"a","vni":"5"}                     | vni
            POST   | /v1/switches                 | {"name":"a","vni":1.5}                     | vni
            POST   | /v1/switches                 | {"name":5}                                 | name
            POST   | /v1/hosts                    | {"name":"h","tunnelIp":"10.0.0"}           | tunnelIp
            POST   | /v1/hosts                    | {"name":"h","tunnelIp":"224.0.0.1"}        | tunnelIp
            POST   | /v1/hosts                    | {"name":"-h","tunnelIp":"10.0.0.1"}        | name
            POST   | /v1/switches/s/ports         | {"mac":"52:54:00:00:00"}                   | mac
            POST   | /v1/switches/s/ports         | {"mac":"01:00:5e:00:00:01"}                | mac
            POST   | /v1/switches/s/ports         | {"mac":"ff:ff:ff:ff:ff:ff"}                | mac
            POST   | /v1/switches/s/ports         | {"mac":"52:54:00:00:00:01","ips":["10.0.0.1","10.0.0.300"]} | ips[1]
            POST   | /v1/switches/s/ports         | {"mac":"52:54:00:00:00:01","ips":["10.0.0.1","10.0.0.1"]}   | ips[1]
            POST   | /v1/switches/s/ports         | {"mac":"52:54:00:00:00:01","ips":[1]}      | ips[0]
            POST   | /v1/switches/s/ports         | {"mac":"52:54:00:00:00:01","ips":"10.0.0.1"} | ips
            POST   | /v1/switches/s/ports         | {"mac":"52:54:00:00:00:01","name":" "}     | name
            POST   | /v1/switches/bad!id/ports    | {"mac":"52:54:00:00:00:01"}                | switchId
            PUT    | /v1/ports/p/binding          | {"host":"no/such"}                         | host
            PUT    | /v1/ports/p/binding?wait=yes | {"host":"h"}                               | wait
            DELETE | /v1/ports/p?wait=hv          |                                            | wait
            DELETE | /v1/ports/p/binding?wait=1   |                                            | wait
            DELETE | /v1/switches/s?wait=no       |                                            | wait
            GET    | /v1/ports/bad!id             |                                            | portId
            GET    | /v1/hosts/bad!id             |                                            | hostId
            GET    | /v1/switches/bad!id          |                                            | switchId
            DELETE | /v1/ports/bad!id             |                                            | portId
            """)
    void invalidValueIsNamed(String method, String path, String body, String field) {
        assertRefusedBeforeTheService(method, path, body, 400, "invalid", field);
    }

    /**
     * The spellings the API refuses instead of normalising (see the OpenAPI document): each answers 400 naming the
     * field and the reason.
     */
    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(delimiter = '|', textBlock = """
            POST | /v1/switches/s/ports | {"mac":" 52:54:00:00:00:01"}                   | mac      | has whitespace around it
            POST | /v1/switches/s/ports | {"mac":"52:54:00:00:00:01\\t"}                | mac      | has whitespace around it
            POST | /v1/switches/s/ports | {"mac":"52-54-00-00-00-01"}                    | mac      | uses '-' separators
            POST | /v1/switches/s/ports | {"mac":"5254.0000.0001"}                       | mac      | uses '.' separators
            POST | /v1/switches/s/ports | {"mac":"52:54:0:0:0:1"}                        | mac      | not six two-digit hex octets
            POST | /v1/switches/s/ports | {"mac":"52:54:00:00:00:01","ips":["010.0.0.1"]} | ips[0]  | leading zeros, which are ambiguous (octal in some tools)
            POST | /v1/switches/s/ports | {"mac":"52:54:00:00:00:01","ips":[" 10.0.0.1"]} | ips[0]  | has whitespace around it
            POST | /v1/switches/s/ports | {"mac":"52:54:00:00:00:01","name":" vm1"}      | name     | has whitespace around it
            POST | /v1/hosts            | {"name":"h","tunnelIp":" 10.0.0.1"}            | tunnelIp | has whitespace around it
            POST | /v1/hosts            | {"name":"h","tunnelIp":"010.001.002.003"}      | tunnelIp | leading zeros, which are ambiguous (octal in some tools)
            POST | /v1/hosts            | {"name":"h ","tunnelIp":"10.0.0.1"}            | name     | has whitespace around it
            POST | /v1/switches         | {"name":"\\tblue"}                            | name     | has whitespace around it
            PUT  | /v1/ports/p/binding  | {"host":" h"}                                  | host     | has whitespace around it
            GET  | /v1/ports/%20p       |                                                | portId   | has whitespace around it
            GET  | /v1/hosts/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa |   | hostId | is 65 characters long; an id has 1-64 characters
            """)
    void aSpellingTheApiDoesNotAcceptIsRefusedWithTheReason(
            String method, String path, String body, String field, String reason) {
        HttpResponse<String> r = rest.server().send(method, path, body);
        String message = assertError(r, 400, "invalid");
        assertThat(message).startsWith(field + ": ").contains(reason);
        assertThat(rest.fake().calls())
                .as("bad input must not reach the service")
                .isEmpty();
    }

    @Test
    void waitOnASwitchDeleteIsRefusedSayingWhy() {
        String message =
                assertError(rest.server().send("DELETE", "/v1/switches/s?wait=realized", null), 400, "invalid");
        assertThat(message).startsWith("wait: not supported here: a switch is deleted only once it has no ports");
        assertThat(rest.fake().calls()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            {"name":
            {bad json}
            [{"name":"a"}]
            null
            {"name":"a"} trailing
            {"name":"a","name":"b"}
            """)
    void malformedJsonIsBadJson(String body) {
        HttpResponse<String> r = rest.server().send("POST", "/v1/switches", body);
        assertThat(assertError(r, 400, "bad_json")).isNotBlank();
        assertThat(rest.fake().calls()).isEmpty();
    }

    @Test
    void emptyBodyIsBadJson() {
        HttpResponse<String> r = rest.server().send("POST", "/v1/switches", "");
        assertThat(assertError(r, 400, "bad_json")).contains("empty");
        HttpResponse<String> noType = rest.server().send("POST", "/v1/hosts", null);
        assertThat(assertError(noType, 400, "bad_json")).contains("empty");
        assertThat(rest.fake().calls()).isEmpty();
    }

    @Test
    void wrongContentTypeIs415() {
        HttpResponse<String> r = rest.server().send("POST", "/v1/switches", "{\"name\":\"a\"}", "text/plain");
        assertThat(assertError(r, 415, "unsupported_media_type")).contains("application/json");
        assertThat(rest.fake().calls()).isEmpty();
    }

    @Test
    void unknownRouteIs404Json() {
        assertError(rest.server().send("GET", "/v2/switches", null), 404, "not_found");
        assertError(rest.server().send("GET", "/v1/switches/a/nonsense", null), 404, "not_found");
        assertError(rest.server().send("GET", "/", null), 404, "not_found");
        assertThat(rest.fake().calls()).isEmpty();
    }

    @Test
    void wrongMethodIs405JsonWithAllow() {
        HttpResponse<String> r = rest.server().send("PATCH", "/v1/switches", "{}");
        assertThat(assertError(r, 405, "method_not_allowed")).contains("GET").contains("POST");
        assertThat(r.headers().firstValue("Allow"))
                .hasValueSatisfying(a -> assertThat(a).contains("GET", "POST"));
        assertError(rest.server().send("POST", "/v1/cluster", "{}"), 405, "method_not_allowed");
        assertError(rest.server().send("PUT", "/v1/hosts/h", "{}"), 405, "method_not_allowed");
        assertThat(rest.fake().calls()).isEmpty();
    }

    @Test
    void notFoundFromTheServiceIs404() {
        String message = assertError(rest.server().send("GET", "/v1/switches/nope", null), 404, "not_found");
        assertThat(message).contains("nope");
        assertError(rest.server().send("PUT", "/v1/ports/nope/binding", "{\"host\":\"h\"}"), 404, "not_found");
        assertThat(rest.fake().calls()).containsExactly("getSwitch(nope)", "bindPort(nope, h, false)");
    }

    @Test
    void conflictFromTheServiceIs409() {
        assertThat(rest.server()
                        .send("POST", "/v1/switches", "{\"name\":\"a\"}")
                        .statusCode())
                .isEqualTo(201);
        String message =
                assertError(rest.server().send("POST", "/v1/switches", "{\"name\":\"a\",\"vni\":77}"), 409, "conflict");
        assertThat(message).contains("already exists");
    }

    @Test
    void aTakenTunnelIpIs409NamingTheFieldAndTheOtherHost() {
        assertThat(rest.server()
                        .send("POST", "/v1/hosts", "{\"name\":\"esx-1\",\"tunnelIp\":\"10.0.0.1\"}")
                        .statusCode())
                .isEqualTo(201);
        String message = assertError(
                rest.server().send("POST", "/v1/hosts", "{\"name\":\"esx-2\",\"tunnelIp\":\"10.0.0.1\"}"),
                409,
                "conflict");
        assertThat(message).startsWith("tunnelIp: ").contains("esx-1");
    }

    @Test
    void validationFromTheServiceIs400Invalid() {
        rest.fake().failNext(new ValidationException("vlan", "no free access VLAN on esx-1"));
        String message = assertError(rest.server().send("GET", "/v1/hosts", null), 400, "invalid");
        assertThat(message).startsWith("vlan:");
    }

    @Test
    void unavailableAndTimeoutsAre503() {
        rest.fake().failNext(new UnavailableException("host entity esx-1 did not answer"));
        assertThat(assertError(rest.server().send("GET", "/v1/switches", null), 503, "unavailable"))
                .contains("esx-1");

        rest.fake()
                .failNext(new CompletionException(new AskTimeoutException(
                        "Ask timed out on [EntityRef(EntityTypeKey[io.portmesh.sharding.host.HostEntity$Command](Host),"
                                + " esx-1)] after [5000 ms]")));
        HttpResponse<String> timedOut = rest.server().send("GET", "/v1/hosts", null);
        assertThat(assertError(timedOut, 503, "unavailable"))
                .isEqualTo("the controller did not answer in time; a change it asked for may or may not have been"
                        + " applied: read the state back before retrying; retry after 2 s");
        assertThat(timedOut.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(timedOut.body()).doesNotContain("Exception", "pekko", "io.portmesh", "EntityRef");

        rest.fake().failNext(new TimeoutException("timed out"));
        assertError(rest.server().send("GET", "/v1/cluster", null), 503, "unavailable");

        rest.fake().failNext(new CompletionException(new TimeoutException("timed out")));
        assertError(rest.server().send("DELETE", "/v1/ports/p?wait=realized", null), 503, "unavailable");
    }

    @Test
    void unexpectedFailureIs500WithoutInternals() {
        rest.fake().failNext(new IllegalStateException("secret internal detail"));
        HttpResponse<String> r = rest.server().send("GET", "/v1/switches", null);
        String message = assertError(r, 500, "internal");
        assertThat(r.body()).doesNotContain("secret", "IllegalStateException", "at io.portmesh");
        assertThat(message).contains("log");
    }

    @Test
    void bodyOverTheLimitIs413() {
        String huge = "{\"name\":\"a\",\"pad\":\"" + "x".repeat((int) RestSettings.DEFAULTS.maxBodyBytes()) + "\"}";
        HttpResponse<String> r = rest.server().send("POST", "/v1/switches", huge);
        assertError(r, 413, "too_large");
        assertThat(rest.fake().calls()).isEmpty();
    }
}
