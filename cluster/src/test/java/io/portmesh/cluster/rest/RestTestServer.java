package io.portmesh.cluster.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.portmesh.sharding.metrics.NodeMetrics;
import io.portmesh.sharding.service.MeteredNetworkService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * One actor system, the REST API bound on 127.0.0.1:0 over a {@link FakeNetworkService} (metered, as a node's service
 * is), and a client for it.
 */
public final class RestTestServer implements AutoCloseable {
    private final ActorSystem<Void> system;
    private final ServerBinding binding;
    /**
     * Each request gets a client of its own, so a connection of its own: a pooled connection that the server closes
     * after an answer (Pekko HTTP closes one after a request-timeout 503) could be picked for the next request before
     * the client saw the close, and a POST on it fails with "header parser received no bytes" (seen in CI:
     * RestApiLimitsTest's 413 test after its timeout test).
     */
    private final HttpClient.Builder clients;

    private final boolean https;
    public final FakeNetworkService fake = new FakeNetworkService();
    public final FakeNodeHealth health = new FakeNodeHealth();

    public RestTestServer(String name, RestSettings settings) throws Exception {
        this(name, settings, null);
    }

    /** {@code clientTls}: what the client trusts when the settings turn HTTPS on (null: the JDK's default). */
    public RestTestServer(String name, RestSettings settings, SSLContext clientTls) throws Exception {
        this(name, settings, clientTls, "WARNING");
    }

    /**
     * {@code pekkoLogLevel}: what Pekko logs (a node logs from INFO; the tests from WARNING, unless they check what a
     * node would log).
     */
    public RestTestServer(String name, RestSettings settings, SSLContext clientTls, String pekkoLogLevel)
            throws Exception {
        HttpClient.Builder cb = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        clients = clientTls == null ? cb : cb.sslContext(clientTls);
        https = settings.tls().enabled();
        system = ActorSystem.create(
                Behaviors.empty(),
                name,
                ConfigFactory.parseString("pekko.actor.provider = local\npekko.loglevel = " + pekkoLogLevel)
                        .withFallback(ConfigFactory.load()));
        binding = RestServer.start(
                        system,
                        "127.0.0.1",
                        0,
                        new MeteredNetworkService(fake, NodeMetrics.get(system)),
                        settings,
                        health)
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    public URI baseUri() {
        InetSocketAddress a = binding.localAddress();
        return URI.create((https ? "https" : "http") + "://127.0.0.1:" + a.getPort());
    }

    public HttpResponse<String> send(String method, String path, String json) {
        return send(method, path, json, "application/json");
    }

    public HttpResponse<String> send(String method, String path, String body, String contentType) {
        return sendWithHeaders(method, path, body, contentType);
    }

    /** {@code headers}: names and values, alternating ({@code "Authorization", "Bearer ..."}). */
    public HttpResponse<String> sendWithHeaders(
            String method, String path, String body, String contentType, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(baseUri().resolve(path)).timeout(Duration.ofSeconds(10));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.method(method, HttpRequest.BodyPublishers.ofString(body));
            if (contentType != null) {
                b.header("Content-Type", contentType);
            }
        }
        try {
            return clients.build().send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode json(HttpResponse<String> r) {
        try {
            return JsonCodec.mapper().readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (HTTP " + r.statusCode() + "): " + r.body(), e);
        }
    }

    @Override
    public void close() throws Exception {
        binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
