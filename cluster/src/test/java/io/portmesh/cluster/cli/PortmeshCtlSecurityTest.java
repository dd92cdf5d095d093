package io.portmesh.cluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.cluster.pki.Pki;
import io.portmesh.cluster.rest.AuthTokens;
import io.portmesh.cluster.rest.BearerTokens;
import io.portmesh.cluster.rest.RestTestServer;
import io.portmesh.cluster.rest.RestTls;
import io.portmesh.cluster.rest.Role;
import io.portmesh.openflow.tls.OfTlsFiles;
import io.portmesh.openflow.tls.PemIdentity;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.KeyManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** portmeshctl against an API with tokens over HTTPS: --token and $PORTMESH_TOKEN, --cacert, and the token maker. */
class PortmeshCtlSecurityTest {
    @TempDir
    static Path dir;

    private static OfTlsFiles node;
    private static RestTestServer server;

    record Result(int exit, String out, String err) {}

    @BeforeAll
    static void start() throws Exception {
        Pki.init(dir);
        node = Pki.issueNode(dir, "ctl-node", List.of("127.0.0.1"));
        KeyManager[] keys = PemIdentity.load(node.certificate(), node.key()).keyManagers();
        server = new RestTestServer(
                "ctl-security-test",
                AuthTokens.settings(Set.of()).withTls(RestTls.of(PemIdentity.context(keys, null))),
                PemIdentity.context(null, PemIdentity.trustManagers(node.ca())));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static Result ctl(Map<String, String> extraEnv, String... args) {
        Map<String, String> env = new HashMap<>(Map.of(
                "PORTMESH_URL",
                server.baseUri().toString(),
                "PORTMESH_CACERT",
                node.ca().toString()));
        env.putAll(extraEnv);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = PortmeshCtl.run(args, new PrintWriter(out), new PrintWriter(err), env);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void theTokenOfTheEnvironmentIsSentOverHttps() {
        Result r = ctl(Map.of("PORTMESH_TOKEN", AuthTokens.ADMIN), "switch", "create", "blue");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(server.fake.calls()).contains("createSwitch(blue, Optional.empty)");
    }

    @Test
    void withoutATokenTheRefusalSaysHowToGiveOne() {
        Result r = ctl(Map.of(), "switch", "list");
        assertThat(r.exit()).isEqualTo(PortmeshCtl.REFUSED);
        assertThat(r.err())
                .contains("(unauthorized, HTTP 401)", "needs a token: give it with $PORTMESH_TOKEN or --token");
    }

    @Test
    void theTokenOptionWinsOverTheEnvironmentAndAReadOnlyTokenCannotChange() {
        Result r = ctl(
                Map.of("PORTMESH_TOKEN", AuthTokens.ADMIN), "--token", AuthTokens.READ_ONLY, "switch", "create", "red");
        assertThat(r.exit()).isEqualTo(PortmeshCtl.REFUSED);
        assertThat(r.err()).contains("(forbidden, HTTP 403)", "read-only role");
        assertThat(ctl(Map.of(), "--token", AuthTokens.READ_ONLY, "switch", "list")
                        .exit())
                .isZero();
    }

    @Test
    void withoutTheCaTheHandshakeFailsAndSaysWhy() {
        Map<String, String> env = new HashMap<>();
        env.put("PORTMESH_CACERT", "");
        Result r = ctl(env, "--token", AuthTokens.READ_ONLY, "switch", "list");
        assertThat(r.exit()).isEqualTo(PortmeshCtl.FAILED);
        assertThat(r.err()).contains("TLS failed", "--cacert");
    }

    @Test
    void aTokenSentOverPlainHttpToANonLoopbackAddressIsWarnedOf() {
        // 0.0.0.0 is not a loopback name but connects to this machine (nothing listens on port 1): no other address
        Result plain =
                ctl(Map.of("PORTMESH_URL", "http://0.0.0.0:1"), "--token", AuthTokens.READ_ONLY, "switch", "list");
        assertThat(plain.err()).contains("warning: the API token goes in clear text to http://0.0.0.0:1");
        Result local =
                ctl(Map.of("PORTMESH_URL", "http://127.0.0.1:1"), "--token", AuthTokens.READ_ONLY, "switch", "list");
        assertThat(local.err()).doesNotContain("clear text");
        Result https = ctl(Map.of(), "--token", AuthTokens.READ_ONLY, "switch", "list");
        assertThat(https.err()).doesNotContain("clear text");
    }

    @Test
    void aTokenWithASpaceIsABadCommandLine() {
        Result r = ctl(Map.of(), "--token", "two words", "switch", "list");
        assertThat(r.exit()).isEqualTo(PortmeshCtl.USAGE);
        assertThat(r.err()).contains("--token: a token has no spaces");
    }

    @Test
    void theTokenCommandPrintsATokenAndTheFileLineThatAcceptsIt() {
        Result a = ctl(Map.of(), "token", "--role", "admin");
        Result b = ctl(Map.of(), "token");
        assertThat(a.exit()).as(a.err()).isZero();
        String[] lines = a.out().strip().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[1]).matches("[A-Za-z0-9_-]{43}");
        assertThat(lines[0]).isEqualTo(BearerTokens.fileLine(Role.ADMIN, lines[1]));
        String[] other = b.out().strip().split("\n");
        assertThat(other[0]).startsWith("read-only sha256:");
        assertThat(other[1]).isNotEqualTo(lines[1]);
        assertThat(ctl(Map.of(), "token", "--role", "root").err()).contains("--role: unknown role 'root'");
    }
}
