package io.portmesh.openflow.tls;

import com.typesafe.config.Config;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * One end's TLS files for OpenFlow, in PEM, as {@code portmeshctl pki} writes them, and the Netty contexts made of
 * them. Both ends are mutual: a server (the controller's OpenFlow port, an agent's listen port) requires a client
 * certificate signed by {@code ca}; a client (an agent) presents its certificate and accepts a server only with a
 * controller node's certificate ({@link CertifiedNode}: URI {@code portmesh:node:<name>}) signed by {@code ca} that
 * names the address it connected to (a DNS or IP subject alternative name: the name or IP the agent's
 * {@code controllers} entry gives).
 *
 * @param certificate this end's certificate, followed by the chain up to (not necessarily including) the CA
 * @param key its private key, unencrypted: PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 or SEC1 ({@link PemFiles})
 * @param ca the deployment CA's certificate: the only one the peer's certificate may be signed by
 */
public record OfTlsFiles(Path certificate, Path key, Path ca) {
    /**
     * TLS 1.3 only. An end reads its peer's certificate from the live session after the handshake and admits the
     * connection by it ({@code AgentAdmission}, the agent's listen port); TLS 1.2 renegotiation could change that
     * certificate afterwards on the same connection, TLS 1.3 has no renegotiation. Open vSwitch speaks TLS 1.3 since
     * OpenSSL 1.1.1 (architecture section 13.1).
     */
    static final String[] PROTOCOLS = {"TLSv1.3"};

    public OfTlsFiles {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(ca, "ca");
    }

    /**
     * The {@code tls} section at {@code path} of {@code root}: {@code enabled}, and when on, the three files
     * {@code certificate}, {@code key}, {@code ca}. Empty when off.
     *
     * @throws IllegalArgumentException when on and a file is not named or not readable (the message names the key)
     */
    public static Optional<OfTlsFiles> fromConfig(Config root, String path) {
        Config c = root.getConfig(path);
        if (!c.getBoolean("enabled")) {
            return Optional.empty();
        }
        return Optional.of(
                new OfTlsFiles(readable(c, path, "certificate"), readable(c, path, "key"), readable(c, path, "ca")));
    }

    private static Path readable(Config c, String path, String key) {
        String value = c.getString(key).strip();
        if (value.isEmpty()) {
            throw new IllegalArgumentException(path + "." + key + " is empty: with " + path
                    + ".enabled = on, certificate, key and ca name PEM files (portmeshctl pki makes them)");
        }
        Path file = Path.of(value);
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException(path + "." + key + ": cannot read " + file.toAbsolutePath());
        }
        return file;
    }

    /**
     * For a server: presents {@link #certificate}, requires a client certificate signed by {@link #ca}. The files are
     * read here: a key that is not the certificate's stops the start with a message naming both.
     */
    public SslContext serverContext() {
        try {
            PemIdentity identity = PemIdentity.load(certificate, key);
            return pinned(SslContextBuilder.forServer(
                                    identity.key(), identity.chain().toArray(X509Certificate[]::new))
                            .trustManager(PemFiles.certificates(ca).toArray(X509Certificate[]::new))
                            .clientAuth(ClientAuth.REQUIRE))
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw unusable(e);
        }
    }

    /**
     * For a client, an agent connecting to a controller: presents {@link #certificate}, accepts a controller node's
     * certificate of {@link #ca} for its address and no other ({@link ControllerTrustManager}). The files are read
     * here, as for {@link #serverContext}.
     */
    public SslContext clientContext() {
        try {
            PemIdentity identity = PemIdentity.load(certificate, key);
            return pinned(SslContextBuilder.forClient()
                            .keyManager(identity.key(), identity.chain().toArray(X509Certificate[]::new))
                            .trustManager(ControllerTrustManager.of(ca))
                            .endpointIdentificationAlgorithm("HTTPS"))
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw unusable(e);
        }
    }

    /**
     * What both ends share (besides trusting {@link #ca} only): the JDK's TLS (not whichever provider Netty finds
     * first: with netty-tcnative on the class path it would pick OpenSSL, whose session and certificate handling differ
     * from what was tested), TLS 1.3 only.
     */
    private static SslContextBuilder pinned(SslContextBuilder builder) {
        return builder.sslProvider(SslProvider.JDK).protocols(PROTOCOLS);
    }

    private IllegalArgumentException unusable(Exception e) {
        return new IllegalArgumentException(
                "cannot use the TLS files " + this + ": " + e.getMessage()
                        + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : ""),
                e);
    }

    @Override
    public String toString() {
        return "certificate=" + certificate + " key=" + key + " ca=" + ca;
    }
}
