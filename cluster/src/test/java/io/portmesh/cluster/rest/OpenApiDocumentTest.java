package io.portmesh.cluster.rest;

import static io.portmesh.cluster.rest.RestTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The OpenAPI document against the code: every operation it lists is served, every error code is listed. */
class OpenApiDocumentTest {
    @RegisterExtension
    static final RestServerExtension rest = new RestServerExtension("openapi-test", RestSettings.DEFAULTS);

    private static String document() {
        return OpenApiOperations.document();
    }

    private static List<String> operations() {
        return OpenApiOperations.operations();
    }

    @Test
    void everyOperationTheDocumentListsIsServed() {
        List<String> ops = operations();
        assertThat(ops)
                .containsExactlyInAnyOrder(
                        "GET /alive",
                        "GET /health",
                        "GET /ready",
                        "GET /metrics",
                        "POST /v1/switches",
                        "GET /v1/switches",
                        "GET /v1/switches/{switchId}",
                        "DELETE /v1/switches/{switchId}",
                        "POST /v1/switches/{switchId}/ports",
                        "GET /v1/switches/{switchId}/ports",
                        "POST /v1/hosts",
                        "GET /v1/hosts",
                        "GET /v1/hosts/{hostId}",
                        "POST /v1/hosts/{hostId}/failover",
                        "PUT /v1/hosts/{hostId}/pins",
                        "GET /v1/ports/{portId}",
                        "DELETE /v1/ports/{portId}",
                        "PUT /v1/ports/{portId}/binding",
                        "DELETE /v1/ports/{portId}/binding",
                        "POST /v1/ports/{portId}/migration",
                        "GET /v1/ports/{portId}/migration",
                        "DELETE /v1/ports/{portId}/migration",
                        "POST /v1/ports/{portId}/migration/complete",
                        "GET /v1/ports/{portId}/history",
                        "GET /v1/cluster",
                        "GET /v1/openapi.yaml");
        for (String op : ops) {
            String method = OpenApiOperations.method(op);
            String path = OpenApiOperations.concretePath(op);
            String body = method.equals("POST") || method.equals("PUT") ? "{}" : null;
            HttpResponse<String> r = rest.server().send(method, path, body);
            assertThat(r.statusCode()).as(op).isNotEqualTo(405);
            if (r.statusCode() == 404) {
                // the service's "does not exist", not the router's "no such resource"
                assertThat(json(r).get("message").asText()).as(op).contains(" x ");
            }
        }
    }

    @Test
    void everyErrorCodeTheApiAnswersIsListed() {
        String doc = document();
        List<String> codes = new ArrayList<>(List.of(
                "bad_json",
                "unknown_field",
                "missing_field",
                "invalid",
                "conflict",
                "unavailable",
                "internal",
                "not_ready",
                "not_alive",
                "unauthorized",
                "forbidden"));
        for (int status : new int[] {400, 404, 405, 406, 413, 414, 415, 431, 500, 505}) {
            codes.add(ErrorResponses.codeFor(status));
        }
        String enumLines = doc.substring(doc.indexOf("enum: [bad_json"), doc.indexOf("message: {type: string}"));
        for (String code : codes) {
            assertThat(enumLines).as(code).contains(code);
        }
    }

    /** The bearer scheme applies to the whole API; every operation may answer 401, every change 403 too. */
    @Test
    void theBearerSchemeIsDeclaredAndEveryOperationListsItsRefusals() {
        String doc = document();
        assertThat(doc)
                .contains(
                        "security:\n  - bearerAuth: []\npaths:",
                        "    bearerAuth:\n      type: http\n      scheme: bearer");
        List<String> ops = operations();
        long changes = ops.stream().filter(op -> !op.startsWith("GET ")).count();
        assertThat(count(doc, "\"401\": {$ref: \"#/components/responses/Unauthorized\"}"))
                .isEqualTo(ops.size());
        assertThat(count(doc, "\"403\": {$ref: \"#/components/responses/Forbidden\"}"))
                .isEqualTo(changes);
        // the paths that may be open say so: no token needed (an empty requirement), or the bearer one
        for (String open : List.of("/alive", "/health", "/ready", "/metrics")) {
            String block = doc.substring(doc.indexOf("  " + open + ":\n"));
            assertThat(block.substring(0, block.indexOf("responses:")))
                    .as(open)
                    .contains("security: [{}, {bearerAuth: []}]");
        }
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void theClusterSchemaListsEveryFieldTheApiAnswers() {
        String doc = document();
        String cluster = doc.substring(doc.indexOf("    ClusterInfo:"));
        for (var c : io.portmesh.sharding.service.ClusterInfo.class.getRecordComponents()) {
            assertThat(cluster).as(c.getName()).contains("        " + c.getName() + ":");
        }
        for (var c : io.portmesh.sharding.service.ClusterInfo.Member.class.getRecordComponents()) {
            assertThat(cluster).as(c.getName()).contains("              " + c.getName() + ":");
        }
    }

    /** Every change call the API serves has a row in the table of what a retry does. */
    @Test
    void theRetryTableCoversEveryChangeCall() {
        String doc = document();
        String table =
                doc.substring(doc.indexOf("| call | safe to retry |"), doc.indexOf("Refusals of the HTTP layer"));
        for (String op : operations()) {
            if (op.startsWith("GET ")) {
                continue;
            }
            assertThat(table).as(op).contains("`" + op);
        }
        assertThat(doc).contains("Retry-After: {$ref: \"#/components/headers/RetryAfter\"}");
    }

    @Test
    void theHostSchemaListsEveryFieldTheApiAnswersAndTheFailoverSaysWhenItAnswers() {
        String doc = document();
        String host = doc.substring(doc.indexOf("    HostInfo:"), doc.indexOf("    PortInfo:"));
        for (var c : io.portmesh.sharding.service.HostInfo.class.getRecordComponents()) {
            assertThat(host).as(c.getName()).contains("        " + c.getName() + ":");
        }
        String slot = host.substring(host.indexOf("    SlotInfo:"));
        for (var c : io.portmesh.sharding.service.HostInfo.SlotInfo.class.getRecordComponents()) {
            assertThat(slot).as(c.getName()).contains("        " + c.getName() + ":");
        }
        String failover =
                doc.substring(doc.indexOf("  /v1/hosts/{hostId}/failover:"), doc.indexOf("  /v1/ports/{portId}:"));
        assertThat(failover)
                .contains("No body, or `{}`", "realization timeout", "`?wait=realized` is accepted", "\"409\":");
    }

    @Test
    void theDocumentSaysWhatTheCodeDoesWithABindingElsewhereAndAWaitedSwitchDelete() {
        String doc = document();
        String bind =
                doc.substring(doc.indexOf("summary: Bind the port to a host"), doc.indexOf("summary: Unbind the port"));
        assertThat(bind)
                .contains(
                        "A binding to another host", "starts a live move there", "the VLAN the VM's NIC must use there")
                .doesNotContain("not supported", "unbind first");
        assertThat(doc).doesNotContain("live moves are not supported");
        String delete = doc.substring(
                doc.indexOf("summary: Delete a logical switch"), doc.indexOf("/v1/switches/{switchId}/ports:"));
        assertThat(delete).doesNotContain("parameters/wait").contains("`?wait` is refused here (400)");
    }
}
