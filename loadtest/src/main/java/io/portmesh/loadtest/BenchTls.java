package io.portmesh.loadtest;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.netty.handler.ssl.SslContext;
import io.portmesh.cluster.pki.Pki;
import io.portmesh.openflow.tls.OfTlsFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * TLS for one half of a benchmark ({@link TlsMode}): off, or on with a fresh {@link LocalPki}, one certificate that
 * every in-process controller node presents (they all listen on 127.0.0.1), and an agent certificate per simulated
 * host (slot a), issued when the host is. The same switches as in production: OpenFlow mutual TLS between nodes and
 * agents ({@code portmesh.controller.openflow.tls}, the agents' {@code openflow.tls}) and Artery over TLS between the
 * nodes ({@code portmesh.cluster.tls}).
 */
public final class BenchTls {
    /** The slot of every simulated host's one agent. */
    public static final String SLOT = "a";

    private final LocalPki pki;
    private final OfTlsFiles node;

    private BenchTls(LocalPki pki, OfTlsFiles node) {
        this.pki = pki;
        this.node = node;
    }

    public static BenchTls off() {
        return new BenchTls(null, null);
    }

    /** A new CA and node certificate in {@code dir} (an earlier run's are replaced). */
    public static BenchTls on(Path dir) throws IOException {
        LocalPki pki = LocalPki.create(dir);
        return new BenchTls(pki, pki.node("bench-node"));
    }

    public boolean enabled() {
        return pki != null;
    }

    /** "TLS on" or "TLS off", for headings. */
    public String label() {
        return enabled() ? "TLS on" : "TLS off";
    }

    /** The PKI's directory when on: where another JVM finds the agents' certificates ({@link #agentFiles}). */
    public Optional<Path> dir() {
        return enabled() ? Optional.of(pki.dir()) : Optional.empty();
    }

    /** The controller nodes' settings: OpenFlow mutual TLS and Artery TLS when on; nothing when off. */
    public Config nodeConfig() {
        return enabled() ? ConfigFactory.parseMap(LocalPki.nodeTlsSettings(node)) : ConfigFactory.empty();
    }

    /** A bare controller-side OpenFlow server's context (requiring agents' certificates) when on. */
    public Optional<SslContext> serverContext() {
        return enabled() ? Optional.of(node.serverContext()) : Optional.empty();
    }

    /** Issues {@code host}'s agent certificate when on (empty when off). */
    public Optional<OfTlsFiles> agent(String host) throws IOException {
        return enabled() ? Optional.of(pki.agent(host, SLOT)) : Optional.empty();
    }

    /** The files {@link #agent} issued for {@code host} in the PKI at {@code dir} (for an agent in another JVM). */
    public static OfTlsFiles agentFiles(Path dir, String host) {
        return Pki.agentFiles(dir, host, SLOT);
    }
}
