package io.portmesh.cluster.rest;

import io.portmesh.sharding.metrics.NodeMetrics;
import io.portmesh.sharding.service.NetworkService;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.CollectionConverters;

/** Binds the REST API. The caller owns the returned binding (unbind it, or add it to coordinated shutdown). */
public final class RestServer {
    private static final Logger log = LoggerFactory.getLogger(RestServer.class);

    private RestServer() {}

    /** Port 0 picks a free port, read it from the binding. */
    public static CompletionStage<ServerBinding> start(
            ActorSystem<?> system,
            String host,
            int port,
            NetworkService svc,
            RestSettings settings,
            NodeHealth health) {
        warnOfWhatIsOpen(settings, host, port);
        ServerBuilder server = Http.get(system).newServerAt(host, port).withSettings(serverSettings(system));
        if (settings.tls().enabled()) {
            server = server.enableHttps(
                    ConnectionContext.httpsServer(settings.tls().context()));
        }
        return server.bind(RestApi.routes(svc, settings, NodeMetrics.get(system)::scrape, health))
                .whenComplete((binding, failure) -> {
                    if (failure != null) {
                        log.error("REST API could not bind {}:{}", host, port, failure);
                    } else {
                        log.info(
                                "REST API listening on {} ({})",
                                binding.localAddress(),
                                settings.tls().enabled() ? "HTTPS" : "plain HTTP");
                    }
                });
    }

    /** Says at start what anyone who reaches the port can do, so that an open API is never a surprise. */
    private static void warnOfWhatIsOpen(RestSettings settings, String host, int port) {
        if (!settings.auth().enabled()) {
            log.warn(
                    "REST API on {}:{} is unauthenticated: anyone who reaches it can read and change the network;"
                            + " turn on portmesh.rest.auth (README \"Securing the REST API\")",
                    host,
                    port);
        } else if (!settings.tls().enabled()) {
            log.warn(
                    "REST API on {}:{} takes bearer tokens over plain HTTP: anyone on the path can read them;"
                            + " turn on portmesh.rest.tls",
                    host,
                    port);
        }
        if (settings.auth().enabled() && !settings.auth().openPaths().isEmpty()) {
            log.info(
                    "REST API paths open without a token: {}",
                    new java.util.TreeSet<>(settings.auth().openPaths()));
        }
    }

    /**
     * The HTTP layer's own refusals in the API's JSON too: those of the request parser (before any route runs) and
     * the answer to requests still running when the node shuts down. Set here for this binding only, not in the
     * system's configuration, which other HTTP servers of the node (cluster management) share.
     */
    private static ServerSettings serverSettings(ActorSystem<?> system) {
        ServerSettings defaults = ServerSettings.create(system.classicSystem());
        return defaults.withParsingErrorHandler(JsonParsingErrorHandler.class.getName())
                // every method the API serves is one Pekko knows by name; with the default limit of 16 the parser
                // waits for up to 16 bytes of an unknown method, so a short garbage line got no answer until the
                // idle timeout (see JsonParsingErrorHandler)
                .withParserSettings(defaults.getParserSettings()
                        .withMaxMethodLength(1)
                        // Pekko warns of a header it cannot parse with the header's value, and an Authorization
                        // that is a valid token with something after it (a typo, a paste) would put the token in
                        // the log; such a header is kept raw all the same, so AccessControl refuses it (401)
                        .withIgnoreIllegalHeaderFor(CollectionConverters.asScala(List.of("authorization"))
                                .toList()))
                .withTerminationDeadlineExceededResponse(JsonCodec.error(
                        503,
                        "unavailable",
                        "this node is shutting down and did not finish the request; it may or may not have been"
                                + " applied: read the state, then retry on another node"));
    }
}
