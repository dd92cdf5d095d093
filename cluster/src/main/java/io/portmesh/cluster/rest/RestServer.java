package io.portmesh.cluster.rest;

import io.portmesh.sharding.metrics.NodeMetrics;
import io.portmesh.sharding.service.NetworkService;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Binds the REST API. The caller owns the returned binding (unbind it, or add it to coordinated shutdown). */
public final class RestServer {
    private static final Logger log = LoggerFactory.getLogger(RestServer.class);

    private RestServer() {}

    /** Binds with {@link RestSettings#DEFAULTS}; port 0 picks a free port, read it from the binding. */
    public static CompletionStage<ServerBinding> start(
            ActorSystem<?> system, String host, int port, NetworkService svc) {
        return start(system, host, port, svc, RestSettings.DEFAULTS);
    }

    public static CompletionStage<ServerBinding> start(
            ActorSystem<?> system, String host, int port, NetworkService svc, RestSettings settings) {
        return Http.get(system)
                .newServerAt(host, port)
                .bind(RestApi.routes(svc, settings, NodeMetrics.get(system)::scrape))
                .whenComplete((binding, failure) -> {
                    if (failure != null) {
                        log.error("REST API could not bind {}:{}", host, port, failure);
                    } else {
                        log.info("REST API listening on {}", binding.localAddress());
                    }
                });
    }
}
