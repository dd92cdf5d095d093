package io.portmesh.cluster.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.portmesh.cluster.pki.Pki;
import io.portmesh.openflow.tls.OfTlsFiles;
import io.portmesh.openflow.tls.PemFiles;
import io.portmesh.openflow.tls.PemIdentity;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REST API over HTTPS with a node certificate that {@code portmeshctl pki} makes (its code: {@link Pki}). */
class RestApiHttpsTest {
    @TempDir
    static Path dir;

    private static OfTlsFiles node;
    private static RestTestServer server;

    @BeforeAll
    static void start() throws Exception {
        Pki.init(dir);
        node = Pki.issueNode(dir, "rest-node", List.of("127.0.0.1"));
        RestTls tls = RestTls.fromConfig(pem(node.certificate(), node.key()));
        server = new RestTestServer(
                "rest-https-test", AuthTokens.settings(Set.of("/alive")).withTls(tls), trusting(node.ca()));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    /** HTTPS on with {@code certificate} and {@code key}. */
    private static Config pem(Path certificate, Path key) {
        return tlsConfig(Map.of("enabled", true, "cert-file", certificate.toString(), "key-file", key.toString()));
    }

    static Config tlsConfig(Map<String, Object> values) {
        return ConfigFactory.parseMap(values).withFallback(ConfigFactory.load().getConfig("portmesh.rest.tls"));
    }

    static SSLContext trusting(Path ca) {
        return PemIdentity.context(null, PemIdentity.trustManagers(ca));
    }

    private static HttpResponse<String> get(HttpClient client, URI uri, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anHttpsRequestWithTheCaTrustedIsServedAndStillNeedsItsToken() {
        assertThat(server.baseUri().getScheme()).isEqualTo("https");
        HttpResponse<String> noToken = server.send("GET", "/v1/switches", null);
        assertThat(noToken.statusCode()).isEqualTo(401);
        assertThat(RestTestServer.json(noToken).get("error").asText()).isEqualTo("unauthorized");
        HttpResponse<String> read =
                server.sendWithHeaders("GET", "/v1/switches", null, null, AuthTokens.bearer(AuthTokens.READ_ONLY));
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(server.send("GET", "/alive", null).statusCode()).isEqualTo(200);
    }

    @Test
    void plainHttpToTheHttpsPortFails() {
        URI plain = URI.create("http://127.0.0.1:" + server.baseUri().getPort() + "/alive");
        assertThatThrownBy(() -> get(HttpClient.newHttpClient(), plain)).isInstanceOf(IOException.class);
    }

    @Test
    void aClientThatDoesNotTrustTheCaIsRefusedTheHandshake() throws Exception {
        Path otherCa = Files.createDirectories(dir.resolve("other"));
        Pki.init(otherCa);
        HttpClient client = HttpClient.newBuilder()
                .sslContext(trusting(otherCa.resolve(Pki.CA_CERTIFICATE)))
                .build();
        assertThatThrownBy(() -> get(client, server.baseUri().resolve("/alive")))
                .isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void aPkcs12KeyStoreServesHttpsToo() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] password = "store-pass".toCharArray();
        List<X509Certificate> chain = PemFiles.certificates(node.certificate());
        ks.setKeyEntry("rest", PemFiles.privateKey(node.key()), password, chain.toArray(new X509Certificate[0]));
        Path store = dir.resolve("rest.p12");
        try (OutputStream out = Files.newOutputStream(store)) {
            ks.store(out, password);
        }
        RestTls tls = RestTls.fromConfig(
                tlsConfig(Map.of("enabled", true, "key-store", store.toString(), "key-store-password", "store-pass")));
        try (RestTestServer p12 =
                new RestTestServer("rest-p12-test", RestSettings.DEFAULTS.withTls(tls), trusting(node.ca()))) {
            assertThat(p12.send("GET", "/alive", null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void misconfiguredFilesStopTheStartWithAMessageNamingThem() throws Exception {
        OfTlsFiles other = Pki.issueNode(dir, "other-node", List.of("127.0.0.1"));
        assertThatThrownBy(() -> RestTls.fromConfig(pem(node.certificate(), other.key())))
                .hasMessageContaining("does not belong to the first certificate")
                .hasMessageContaining(other.key().toString());
        Path encrypted = dir.resolve("encrypted.pem");
        Files.writeString(
                encrypted, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertThatThrownBy(() -> RestTls.fromConfig(pem(node.certificate(), encrypted)))
                .hasMessageContaining(encrypted.toString())
                .hasMessageContaining("an encrypted key")
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
        assertThatThrownBy(() -> RestTls.fromConfig(tlsConfig(
                        Map.of("enabled", true, "cert-file", node.certificate().toString()))))
                .hasMessageContaining("set both cert-file and key-file");
        assertThatThrownBy(() -> RestTls.fromConfig(tlsConfig(Map.of("enabled", true))))
                .hasMessageContaining("neither cert-file and key-file");
        assertThat(RestTls.fromConfig(ConfigFactory.load().getConfig("portmesh.rest.tls"))
                        .enabled())
                .isFalse();
    }
}
