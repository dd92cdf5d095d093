package io.portmesh.loadtest.demo;

import io.portmesh.cluster.rest.BearerTokens;
import io.portmesh.cluster.rest.Role;
import io.portmesh.loadtest.LocalPki;
import io.portmesh.openflow.tls.OfTlsFiles;
import io.portmesh.openflow.tls.PemIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The demo's security (docs/architecture.md section 13): off, or, with {@code --tls}, everything on as an operator
 * would set it. A fresh PKI in the run's directory ({@link LocalPki}: a CA, a certificate per controller node and
 * per agent host and slot), a tokens file holding the SHA-256 of one admin token made for the run, and each node
 * started with OpenFlow mutual TLS, Artery TLS and the REST API over HTTPS with bearer-token authentication; the
 * demo's own REST calls then go over HTTPS trusting the CA, with the admin token.
 */
final class DemoSecurity {
    private final LocalPki pki;
    private final Path tokensFile;
    private final RestClient.Access access;
    /** Agent certificates issued so far, by host and slot: an agent started again presents the same one. */
    private final Map<String, OfTlsFiles> agents = new HashMap<>();

    private DemoSecurity(LocalPki pki, Path tokensFile, RestClient.Access access) {
        this.pki = pki;
        this.tokensFile = tokensFile;
        this.access = access;
    }

    /** Everything plain, as before: no PKI, no token. */
    static DemoSecurity off() {
        return new DemoSecurity(null, null, RestClient.Access.PLAIN);
    }

    /** A new CA and admin token in {@code dir} (an earlier run's are replaced). */
    static DemoSecurity on(Path dir) throws IOException {
        LocalPki pki = LocalPki.create(dir);
        String token = BearerTokens.newToken();
        Path tokens = dir.resolve("tokens");
        // only the digest goes to the file the nodes read; the token itself stays in this process
        Files.write(tokens, List.of(BearerTokens.fileLine(Role.ADMIN, token)));
        return new DemoSecurity(
                pki,
                tokens,
                new RestClient.Access(PemIdentity.context(null, PemIdentity.trustManagers(pki.ca())), token));
    }

    boolean enabled() {
        return pki != null;
    }

    /** How the demo's REST clients reach the nodes. */
    RestClient.Access access() {
        return access;
    }

    /**
     * What node {@code index} is launched with: nothing more when off; with TLS, its own certificate (issued now) for
     * OpenFlow, Artery and HTTPS, and the tokens file.
     */
    NodeProcess.Extras node(int index) throws IOException {
        if (!enabled()) {
            return NodeProcess.Extras.NONE;
        }
        OfTlsFiles cert = pki.node("ctl-" + index);
        List<String> options = new ArrayList<>(LocalPki.asJvmOptions(LocalPki.nodeTlsSettings(cert)));
        options.addAll(LocalPki.asJvmOptions(Map.of(
                "portmesh.rest.tls.enabled", "on",
                "portmesh.rest.tls.cert-file",
                        cert.certificate().toAbsolutePath().toString(),
                "portmesh.rest.tls.key-file", cert.key().toAbsolutePath().toString(),
                "portmesh.rest.auth.enabled", "on",
                "portmesh.rest.auth.tokens-file", tokensFile.toAbsolutePath().toString())));
        return new NodeProcess.Extras(OptionalInt.empty(), options, access);
    }

    /** The agent certificate of {@code host}'s {@code slot} (issued at its first use) when TLS is on; empty when off. */
    Optional<OfTlsFiles> agent(String host, String slot) throws IOException {
        if (!enabled()) {
            return Optional.empty();
        }
        String key = host + "/" + slot;
        OfTlsFiles files = agents.get(key);
        if (files == null) {
            files = pki.agent(host, slot);
            agents.put(key, files);
        }
        return Optional.of(files);
    }

    /**
     * That the API is really closed (TLS on): a request without a token answers 401, and plain HTTP to the port gets
     * no answer.
     */
    void checkClosed(NodeProcess node, DemoReport report) throws InterruptedException {
        String outcome;
        boolean ok;
        try {
            int noToken = new RestClient(node.url(), new RestClient.Access(access.tls(), null))
                    .get("/v1/cluster")
                    .status();
            boolean plainRefused;
            try {
                new RestClient("http://127.0.0.1:" + node.httpPort).statusOf("/alive");
                plainRefused = false;
            } catch (IOException expected) {
                plainRefused = true;
            }
            ok = noToken == 401 && plainRefused;
            outcome = "GET /v1/cluster without a token answered " + noToken + ", plain HTTP "
                    + (plainRefused ? "got no answer" : "was answered");
        } catch (IOException e) {
            ok = false;
            outcome = "HTTPS request failed: " + e;
        }
        report.check("REST API closed: " + outcome, ok);
    }

    /** For the report: what was on. */
    String describe(int nodes) {
        if (!enabled()) {
            return "TLS off (plain OpenFlow, HTTP and Artery; --tls turns it all on)";
        }
        return String.format(
                "TLS on: a new CA in %s (%d node certificates, %d agent certificates); OpenFlow mutual TLS (agents'"
                        + " identity from their certificates), cluster remoting over Artery tls-tcp, REST over"
                        + " HTTPS with bearer tokens (one admin token; its SHA-256 in %s)",
                pki.dir(), nodes, agents.size(), tokensFile.getFileName());
    }
}
