package io.portmesh.cluster.rest;

import java.util.Map;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/** The answers of {@code /alive} (and of its old name {@code /health}) and {@code /ready}. */
final class HealthResponses {
    private HealthResponses() {}

    record Alive(String status) {}

    record Ready(String status, Map<String, String> checks) {}

    /** {@link ApiError}'s shape with the checks added, so that clients that read errors read this one too. */
    record NotReady(String error, String message, Map<String, String> checks) {}

    /** 200 {@code {"status":"ok"}} (what {@code /health} always answered), or 503 {@code not_alive} saying why. */
    static HttpResponse alive(NodeHealth health) {
        return health.notAlive()
                .map(why -> JsonCodec.error(503, "not_alive", why))
                .orElseGet(() -> JsonCodec.response(200, new Alive("ok")));
    }

    static HttpResponse ready(NodeHealth health) {
        NodeHealth.Readiness r = health.readiness();
        return r.ready()
                ? JsonCodec.response(200, new Ready("ready", r.checks()))
                : JsonCodec.response(503, new NotReady("not_ready", "not ready: " + r.problem(), r.checks()));
    }
}
