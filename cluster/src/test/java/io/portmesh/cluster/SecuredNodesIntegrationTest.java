package io.portmesh.cluster;

import static io.portmesh.cluster.rest.RestTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.portmesh.cluster.pki.Pki;
import io.portmesh.cluster.rest.AuthTokens;
import io.portmesh.cluster.rest.BearerTokens;
import io.portmesh.cluster.rest.Role;
import io.portmesh.openflow.tls.OfTlsFiles;
import io.portmesh.openflow.tls.PemIdentity;
import io.portmesh.persistence.testkit.CassandraExtension;
import io.portmesh.persistence.testkit.TestCassandra;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real controller nodes with everything of portmesh.rest and portmesh.cluster.tls on, as an operator sets it: the
 * nodes form their cluster over mutual TLS, the REST API answers HTTPS only, with tokens and roles, and a change made
 * on one node is read back on the other (entity messages over the TLS remoting).
 */
@ExtendWith(CassandraExtension.class)
class SecuredNodesIntegrationTest {
    @TempDir
    Path dir;

    private Config secured() throws IOException {
        Pki.init(dir);
        OfTlsFiles node = Pki.issueNode(dir, "ctl", List.of("127.0.0.1"));
        Path tokens = dir.resolve("tokens");
        Files.write(
                tokens,
                List.of(BearerTokens.fileLine(Role.ADMIN, AuthTokens.ADMIN), "read-only " + AuthTokens.READ_ONLY));
        return ConfigFactory.parseString(
                """
                portmesh.rest.auth { enabled = on, tokens-file = "%s" }
                portmesh.rest.tls { enabled = on, cert-file = "%s", key-file = "%s" }
                portmesh.cluster.tls { enabled = on, cert-file = "%s", key-file = "%s", ca-file = "%s" }
                portmesh.controller.warm-port-ids = 0
                """.formatted(tokens, node.certificate(), node.key(), node.certificate(), node.key(), node.ca()));
    }

    private static HttpResponse<String> send(
            HttpClient client, LocalCluster c, int node, String method, String path, String body, String token)
            throws IOException, InterruptedException {
        URI uri = URI.create(
                "https://127.0.0.1:" + c.nodes().get(node).httpAddress().getPort() + path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void securedNodesFormTheirClusterOverTlsAndServeHttpsWithTokensAndRoles(TestCassandra cassandra) throws Exception {
        Config overrides = secured().withFallback(cassandra.config());
        int[] ports = LocalPorts.freeTcpPorts(4);
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .sslContext(PemIdentity.context(null, PemIdentity.trustManagers(dir.resolve(Pki.CA_CERTIFICATE))))
                .build();
        try (LocalCluster c = LocalCluster.start(
                Arrays.copyOfRange(ports, 0, 2), Arrays.copyOfRange(ports, 2, 4), overrides, Duration.ofSeconds(90))) {
            // LocalCluster.start returned: both nodes see both Up, over Artery's TLS transport
            for (ControllerNode n : c.nodes()) {
                assertThat(n.system().settings().config().getString("pekko.remote.artery.transport"))
                        .isEqualTo("tls-tcp");
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (send(client, c, 1, "GET", "/ready", null, null).statusCode() != 200) {
                assertThat(System.nanoTime() - deadline).as("node 1 ready").isNegative();
                TestCluster.sleep(200);
            }

            assertThat(send(client, c, 0, "GET", "/v1/cluster", null, null).statusCode())
                    .isEqualTo(401);
            HttpResponse<String> cluster = send(client, c, 0, "GET", "/v1/cluster", null, AuthTokens.READ_ONLY);
            assertThat(cluster.statusCode()).isEqualTo(200);
            assertThat(json(cluster).get("members")).hasSize(2);

            // a name and VNI of this run: the suite's Cassandra holds other tests' switches ("blue", 5001 among them)
            String name = "sec-" + Long.toString(System.nanoTime() & 0xFFFFFF, 36);
            int vni = java.util.concurrent.ThreadLocalRandom.current().nextInt(1_000_000, 16_000_000);
            String blue = "{\"name\":\"" + name + "\",\"vni\":" + vni + "}";
            HttpResponse<String> refused = send(client, c, 0, "POST", "/v1/switches", blue, AuthTokens.READ_ONLY);
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(json(refused).get("error").asText()).isEqualTo("forbidden");
            assertThat(send(client, c, 0, "POST", "/v1/switches", blue, AuthTokens.ADMIN)
                            .statusCode())
                    .isEqualTo(201);
            HttpResponse<String> read = send(client, c, 1, "GET", "/v1/switches/" + name, null, AuthTokens.READ_ONLY);
            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(json(read).get("vni").asInt()).isEqualTo(vni);

            URI plain = URI.create(
                    "http://127.0.0.1:" + c.nodes().get(0).httpAddress().getPort() + "/alive");
            assertThatThrownBy(() -> HttpClient.newHttpClient()
                            .send(HttpRequest.newBuilder(plain).build(), HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(IOException.class);
        }
    }
}
