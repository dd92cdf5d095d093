package io.portmesh.cluster.rest;

import static io.portmesh.cluster.rest.RestTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.cluster.NodeScrape;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every route's happy path over real HTTP: status code, body, and the exact call the service received. */
class RestApiRoutesTest {
    @RegisterExtension
    static final RestServerExtension rest = new RestServerExtension("rest-routes-test", RestSettings.DEFAULTS);

    private static HttpResponse<String> send(String method, String path, String body) {
        return rest.server().send(method, path, body);
    }

    /** A switch, a host and one port on the switch, with the call log cleared; returns the port id. */
    private static String seed() {
        assertThat(send("POST", "/v1/switches", "{\"name\":\"blue\",\"vni\":5001}")
                        .statusCode())
                .isEqualTo(201);
        assertThat(send("POST", "/v1/hosts", "{\"name\":\"esx-1\",\"tunnelIp\":\"10.0.0.1\"}")
                        .statusCode())
                .isEqualTo(201);
        HttpResponse<String> port = send("POST", "/v1/switches/blue/ports", "{\"mac\":\"52:54:00:00:00:01\"}");
        assertThat(port.statusCode()).isEqualTo(201);
        rest.fake().clearCalls();
        return json(port).get("id").asText();
    }

    @Test
    void healthAnswersOk() {
        HttpResponse<String> r = send("GET", "/health", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("status").asText()).isEqualTo("ok");
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    }

    @Test
    void metricsCountEveryOperationByOutcomeInPrometheusTextFormat() {
        String before = send("GET", "/metrics", null).body();
        String port = seed();
        send("POST", "/v1/switches", "{\"name\":\"blue\",\"vni\":5002}"); // 409: exists with vni 5001
        send("GET", "/v1/ports/p-nope", null); // 404
        send("PUT", "/v1/ports/" + port + "/binding?wait=realized", "{\"host\":\"esx-1\"}");
        rest.fake().pendingHosts(List.of("esx-2"));
        send("DELETE", "/v1/ports/" + port + "/binding?wait=realized", null);

        HttpResponse<String> r = send("GET", "/metrics", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        String after = r.body();
        assertThat(after).contains("# TYPE portmesh_operations_total counter", "# TYPE jvm_memory_used_bytes gauge");
        String ops = "portmesh_operations_total";
        assertThat(delta(before, after, ops, "operation=\"create_switch\",outcome=\"ok\""))
                .isEqualTo(1);
        assertThat(delta(before, after, ops, "operation=\"create_switch\",outcome=\"conflict\""))
                .isEqualTo(1);
        assertThat(delta(before, after, ops, "operation=\"get_port\",outcome=\"not_found\""))
                .isEqualTo(1);
        assertThat(delta(before, after, ops, "operation=\"bind_port\",outcome=\"realized\""))
                .isEqualTo(1);
        assertThat(delta(before, after, ops, "operation=\"unbind_port\",outcome=\"not_realized\""))
                .isEqualTo(1);
        assertThat(delta(before, after, "portmesh_operation_duration_seconds_count", "operation=\"bind_port\""))
                .isEqualTo(1);
    }

    private static double delta(String before, String after, String metric, String labels) {
        return NodeScrape.sum(after, metric, labels) - NodeScrape.sum(before, metric, labels);
    }

    @Test
    void createSwitchAnswers201WithLocationAndPassesTheVni() {
        HttpResponse<String> r = send("POST", "/v1/switches", "{\"name\":\"blue\",\"vni\":5001}");
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/v1/switches/blue"));
        JsonNode body = json(r);
        assertThat(body.get("id").asText()).isEqualTo("blue");
        assertThat(body.get("vni").asInt()).isEqualTo(5001);
        assertThat(rest.fake().calls()).containsExactly("createSwitch(blue, Optional[5001])");
    }

    /** A new switch has no ports, so it is realized when it exists: wait=realized is accepted and changes nothing. */
    @Test
    void createSwitchWithoutVniLetsTheServiceAllocateOne() {
        HttpResponse<String> r = send("POST", "/v1/switches?wait=realized", "{\"name\":\"red\"}");
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(rest.fake().calls()).containsExactly("createSwitch(red, Optional.empty)");
        assertThat(json(r).get("vni").asInt()).isEqualTo(1000);
    }

    @Test
    void listGetAndDeleteSwitch() {
        send("POST", "/v1/switches", "{\"name\":\"a\"}");
        send("POST", "/v1/switches", "{\"name\":\"b\"}");
        HttpResponse<String> list = send("GET", "/v1/switches", null);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(json(list).findValuesAsText("id")).containsExactly("a", "b");

        HttpResponse<String> get = send("GET", "/v1/switches/b", null);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(json(get).get("id").asText()).isEqualTo("b");

        HttpResponse<String> del = send("DELETE", "/v1/switches/a", null);
        assertThat(del.statusCode()).isEqualTo(204);
        assertThat(del.body()).isEmpty();
        assertThat(rest.fake().calls()).endsWith("getSwitch(b)", "deleteSwitch(a)");
    }

    @Test
    void createListAndGetHost() {
        HttpResponse<String> r = send("POST", "/v1/hosts", "{\"name\":\"esx-1\",\"tunnelIp\":\"10.0.0.1\"}");
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/v1/hosts/esx-1"));
        assertThat(json(r).get("tunnelIp").asText()).isEqualTo("10.0.0.1");

        HttpResponse<String> list = send("GET", "/v1/hosts", null);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(json(list).findValuesAsText("id")).containsExactly("esx-1");

        HttpResponse<String> get = send("GET", "/v1/hosts/esx-1", null);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(json(get).get("id").asText()).isEqualTo("esx-1");
        assertThat(rest.fake().calls()).containsExactly("createHost(esx-1, 10.0.0.1)", "listHosts()", "getHost(esx-1)");
    }

    @Test
    void createPortConvertsMacAndIpsBeforeTheCall() {
        send("POST", "/v1/switches", "{\"name\":\"blue\"}");
        HttpResponse<String> r = send(
                "POST",
                "/v1/switches/blue/ports",
                "{\"mac\":\"52:54:00:AB:CD:EF\",\"ips\":[\"192.168.1.10\",\"192.168.1.11\"],\"name\":\"vm1 eth0\"}");
        assertThat(r.statusCode()).isEqualTo(201);
        JsonNode body = json(r);
        assertThat(body.get("mac").asText()).isEqualTo("52:54:00:ab:cd:ef");
        assertThat(body.get("switchId").asText()).isEqualTo("blue");
        assertThat(body.get("host").isNull()).isTrue();
        assertThat(r.headers().firstValue("Location"))
                .hasValueSatisfying(l ->
                        assertThat(l).endsWith("/v1/ports/" + body.get("id").asText()));
        assertThat(rest.fake().calls())
                .endsWith("createPort(blue, 52:54:00:ab:cd:ef, [192.168.1.10, 192.168.1.11], Optional[vm1 eth0])");
    }

    @Test
    void listAndGetPorts() {
        String port = seed();
        HttpResponse<String> list = send("GET", "/v1/switches/blue/ports", null);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(json(list).findValuesAsText("id")).containsExactly(port);
        HttpResponse<String> get = send("GET", "/v1/ports/" + port, null);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(json(get).get("mac").asText()).isEqualTo("52:54:00:00:00:01");
        assertThat(rest.fake().calls()).endsWith("listPorts(blue)", "getPort(" + port + ")");
    }

    @Test
    void deletePortWithoutWaitAnswers204() {
        String port = seed();
        HttpResponse<String> r = send("DELETE", "/v1/ports/" + port, null);
        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(rest.fake().calls()).last().isEqualTo("deletePort(" + port + ", false)");
    }

    @Test
    void deletePortWithWaitAnswersTheRealization() {
        String port = seed();
        HttpResponse<String> r = send("DELETE", "/v1/ports/" + port + "?wait=realized", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("waited").asBoolean()).isTrue();
        assertThat(json(r).get("realized").asBoolean()).isTrue();
        assertThat(rest.fake().calls()).last().isEqualTo("deletePort(" + port + ", true)");
    }

    @Test
    void bindAndUnbind() {
        String port = seed();
        HttpResponse<String> bind = send("PUT", "/v1/ports/" + port + "/binding", "{\"host\":\"esx-1\"}");
        assertThat(bind.statusCode()).isEqualTo(200);
        JsonNode b = json(bind);
        assertThat(b.get("host").asText()).isEqualTo("esx-1");
        assertThat(b.get("vlan").asInt()).isEqualTo(100);
        assertThat(b.get("realization").get("waited").asBoolean()).isFalse();

        HttpResponse<String> unbind = send("DELETE", "/v1/ports/" + port + "/binding", null);
        assertThat(unbind.statusCode()).isEqualTo(200);
        assertThat(json(unbind).get("waited").asBoolean()).isFalse();
        assertThat(rest.fake().calls())
                .endsWith("bindPort(" + port + ", esx-1, false)", "unbindPort(" + port + ", false)");
    }

    @Test
    void waitedBindThatRealizedAnswers200() {
        String port = seed();
        HttpResponse<String> r = send("PUT", "/v1/ports/" + port + "/binding?wait=realized", "{\"host\":\"esx-1\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("realization").get("realized").asBoolean()).isTrue();
        assertThat(rest.fake().calls()).last().isEqualTo("bindPort(" + port + ", esx-1, true)");
    }

    @Test
    void unrealizedWaitsAnswer202NamingThePendingHosts() {
        String port = seed();
        rest.fake().pendingHosts(List.of("esx-2", "esx-3"));

        HttpResponse<String> bind = send("PUT", "/v1/ports/" + port + "/binding?wait=realized", "{\"host\":\"esx-1\"}");
        assertThat(bind.statusCode()).isEqualTo(202);
        assertThat(json(bind).get("realization").get("pendingHosts"))
                .extracting(JsonNode::asText)
                .containsExactly("esx-2", "esx-3");

        HttpResponse<String> unbind = send("DELETE", "/v1/ports/" + port + "/binding?wait=realized", null);
        assertThat(unbind.statusCode()).isEqualTo(202);
        assertThat(json(unbind).get("realized").asBoolean()).isFalse();

        HttpResponse<String> delete = send("DELETE", "/v1/ports/" + port + "?wait=realized", null);
        assertThat(delete.statusCode()).isEqualTo(202);
        assertThat(json(delete).get("pendingHosts"))
                .extracting(JsonNode::asText)
                .containsExactly("esx-2", "esx-3");
    }

    @Test
    void clusterInfo() {
        HttpResponse<String> r = send("GET", "/v1/cluster", null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.get("leader").asText()).isEqualTo(FakeNetworkService.CLUSTER.leader());
        assertThat(body.get("members")
                        .get(0)
                        .get("shards")
                        .get("LogicalPort")
                        .get("entities")
                        .asInt())
                .isEqualTo(7);
        assertThat(rest.fake().calls()).containsExactly("clusterInfo()");
    }

    @Test
    void openApiDocumentDescribesEveryRoute() {
        HttpResponse<String> r = send("GET", "/v1/openapi.yaml", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(ct -> assertThat(ct).startsWith("application/yaml"));
        assertThat(r.body())
                .startsWith("openapi: 3")
                .contains(
                        "/health:",
                        "/v1/switches:",
                        "/v1/switches/{switchId}:",
                        "/v1/switches/{switchId}/ports:",
                        "/v1/hosts:",
                        "/v1/hosts/{hostId}:",
                        "/v1/hosts/{hostId}/failover:",
                        "/v1/ports/{portId}:",
                        "/v1/ports/{portId}/binding:",
                        "/v1/ports/{portId}/migration:",
                        "/v1/ports/{portId}/migration/complete:",
                        "/v1/ports/{portId}/history:",
                        "/v1/cluster:");
        assertThat(rest.fake().calls()).isEmpty();
    }
}
