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
    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    public final FakeNetworkService fake = new FakeNetworkService();
    public final FakeNodeHealth health = new FakeNodeHealth();

    public RestTestServer(String name, RestSettings settings) throws Exception {
        system = ActorSystem.create(
                Behaviors.empty(),
                name,
                ConfigFactory.parseString("pekko.actor.provider = local\npekko.loglevel = WARNING")
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
        return URI.create("http://127.0.0.1:" + a.getPort());
    }

    public HttpResponse<String> send(String method, String path, String json) {
        return send(method, path, json, "application/json");
    }

    public HttpResponse<String> send(String method, String path, String body, String contentType) {
        HttpRequest.Builder b = HttpRequest.newBuilder(baseUri().resolve(path)).timeout(Duration.ofSeconds(10));
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.method(method, HttpRequest.BodyPublishers.ofString(body));
            if (contentType != null) {
                b.header("Content-Type", contentType);
            }
        }
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
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
