package io.portmesh.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/cluster} from a loopback server answering as a controller does (openapi.yaml's example). */
class RestClusterEndpointTest {
    private static final String EXAMPLE = """
            {"selfAddress":"pekko://portmesh@10.244.0.1:2551","leader":"pekko://portmesh@10.244.0.1:2551",
             "members":[
               {"address":"pekko://portmesh@10.244.0.1:2551","status":"Up","reachable":true,"roles":["dc-default"],
                "shards":{"Host":{"shards":3,"entities":3}}},
               {"address":"pekko://portmesh@10.244.0.2:2551","status":"Leaving","reachable":false,"roles":["dc-default"],
                "shards":{}}],
             "unreachable":["pekko://portmesh@10.244.0.2:2551"],"shardStats":"partial"}
            """;

    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicReference<String> body = new AtomicReference<>(EXAMPLE);
    private final AtomicReference<String> path = new AtomicReference<>();
    private HttpServer server;
    private RestClusterEndpoint endpoint;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            path.set(exchange.getRequestURI().getPath());
            byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status.get(), bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/cluster");
        endpoint = new RestClusterEndpoint(c -> uri);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void readsEveryMemberWithItsStatusAndReachability() throws IOException {
        assertThat(endpoint.members(new PortmeshCluster()))
                .containsExactly(
                        new ClusterEndpoint.Member("pekko://portmesh@10.244.0.1:2551", "Up", true),
                        new ClusterEndpoint.Member("pekko://portmesh@10.244.0.2:2551", "Leaving", false));
        assertThat(path.get()).isEqualTo("/v1/cluster");
    }

    @Test
    void anErrorAnswerIsAnIoExceptionNamingTheStatus() {
        status.set(503);
        body.set("{\"error\":\"unavailable\"}");
        assertThatThrownBy(() -> endpoint.members(new PortmeshCluster()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("503");
    }

    @Test
    void anAnswerWithoutMembersIsRefused() {
        body.set("{\"selfAddress\":\"x\"}");
        assertThatThrownBy(() -> endpoint.members(new PortmeshCluster()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("without a members array");
    }

    @Test
    void theMemberHostIsThePodIp() {
        assertThat(new ClusterEndpoint.Member("pekko://portmesh@10.244.0.7:2551", "Up", true).host())
                .isEqualTo("10.244.0.7");
        assertThatThrownBy(() -> new ClusterEndpoint.Member("10.244.0.7", "Up", true).host())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a Pekko member address");
    }
}
