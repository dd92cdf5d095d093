package io.portmesh.agent.control;

import io.netty.handler.ssl.SslContext;
import io.portmesh.openflow.OfConnection;
import io.portmesh.openflow.tls.CertifiedAgent;
import io.portmesh.openflow.tls.CertifiedNode;
import io.portmesh.openflow.tls.ControllerTrustManager;
import io.portmesh.openflow.tls.OfTlsFiles;
import io.portmesh.openflow.tls.TlsRefusal;
import java.io.IOException;
import java.net.SocketAddress;
import java.security.cert.CertificateException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's OpenFlow TLS ({@code portmesh.agent.openflow.tls}): one client context for every controller connection,
 * one server context for the listen port (mutual there too), or none of them for plain TCP. Loaded once at start, so
 * that unusable files stop the agent before it connects anywhere.
 */
final class AgentTls {
    private static final Logger log = LoggerFactory.getLogger(AgentTls.class);
    private static final java.util.concurrent.atomic.AtomicBoolean PLAIN_WARNED =
            new java.util.concurrent.atomic.AtomicBoolean();

    private final String agent;
    private final SslContext client;
    private final SslContext server;
    /**
     * The last TLS failure logged per peer IP address: a controller the agent retries every 2 s warns once, not always.
     * Keyed by address without the port (a listen port's clients come from a new port each time) and bounded, so that
     * failed handshakes on the listen port cannot grow it.
     */
    private final Map<Object, String> lastFailure = new ConcurrentHashMap<>();

    private static final int MAX_REMEMBERED_FAILURES = 256;

    /** Refusals of non-node certificates on the listen port so far: the first few warn, then one in 1,000. */
    private final java.util.concurrent.atomic.AtomicLong agentsRefused = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Controllers refused because their certificate, though of the CA and naming their address, is no controller
     * node's ({@link TlsRefusal#NOT_A_CONTROLLER_NODE}: an agent's key posing as a controller).
     */
    private final java.util.concurrent.atomic.LongAdder controllersNotNodes =
            new java.util.concurrent.atomic.LongAdder();

    private AgentTls(String agent, SslContext client, SslContext server) {
        this.agent = agent;
        this.client = client;
        this.server = server;
    }

    static AgentTls of(AgentSettings s) {
        String agent = s.host() + "/" + s.slot();
        if (s.tls().isEmpty()) {
            // a warning once per JVM (the scale run starts two thousand agents in one), then a debug line per agent
            boolean first = PLAIN_WARNED.compareAndSet(false, true);
            String line = "agent {}: OpenFlow is plain TCP: controllers are not authenticated and the controllers trust"
                    + " this agent's word for its host (portmesh.agent.openflow.tls, README 'OpenFlow TLS')"
                    + (first ? "; said once for every agent of this process" : "");
            if (first) {
                log.warn(line, agent);
            } else {
                log.debug(line, agent);
            }
            return new AgentTls(agent, null, null);
        }
        OfTlsFiles files = s.tls().get();
        requireOwnIdentity(s, files);
        log.info("agent {}: OpenFlow TLS on ({})", agent, files);
        return new AgentTls(agent, files.clientContext(), s.listen().isPresent() ? files.serverContext() : null);
    }

    /**
     * The certificate must name this agent's host and slot: the controllers take the certificate's word for who an
     * agent is and refuse a description that says otherwise, so an agent started with another's certificate (a copied
     * configuration) would retry for ever, refused, or, worse, with its description left out, stand for another host.
     */
    static void requireOwnIdentity(AgentSettings s, OfTlsFiles files) {
        CertifiedAgent own = CertifiedAgent.of(s.host(), s.slot());
        Optional<CertifiedAgent> named;
        try {
            named = CertifiedAgent.ofCertificateFile(files.certificate());
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException(
                    "agent " + own + ": cannot read its certificate " + files.certificate() + ": " + e.getMessage(), e);
        }
        if (!named.equals(Optional.of(own))) {
            throw new IllegalArgumentException("agent host " + s.host() + " slot " + s.slot() + ": its certificate "
                    + files.certificate() + " names "
                    + named.map(CertifiedAgent::uri).orElse("no agent")
                    + ", not " + own.uri() + "; every controller would refuse it. Issue its own with 'portmeshctl pki"
                    + " agent --host " + s.host() + " --slot " + s.slot() + "'");
        }
    }

    /** For the connections to the controllers; null: plain TCP. */
    SslContext client() {
        return client;
    }

    /** For the listen port; null: plain TCP (or no listen port). */
    SslContext server() {
        return server;
    }

    /**
     * A handshake that failed: a TLS failure (the controller's certificate not of the CA, not naming its address or no
     * controller node's, or the controller refusing this agent's) is logged at warning once per peer until it
     * changes, then at debug. A controller whose certificate is no node's is counted too, and its line names the
     * certificate and why ({@link ControllerTrustManager.NotAControllerNode}'s message).
     */
    void handshakeFailed(SocketAddress peer, Throwable cause) {
        TlsRefusal.of(cause).ifPresent(reason -> {
            String text = reason.label() + ": " + cause;
            if (reason == TlsRefusal.NOT_A_CONTROLLER_NODE) {
                controllersNotNodes.increment();
                text = reason.label() + ": " + notANode(cause);
            }
            if (lastFailure.size() >= MAX_REMEMBERED_FAILURES) {
                lastFailure.clear(); // a flood of peers: warn afresh rather than remember without bound
            }
            if (!text.equals(lastFailure.put(ip(peer), text))) {
                log.warn("agent {}: TLS handshake with {} failed ({})", agent, peer, text);
            } else {
                log.debug("agent {}: TLS handshake with {} failed again ({})", agent, peer, text);
            }
        });
    }

    /** The message of the refusal in {@code cause}'s chain: which certificate, and why it is no node's. */
    private static String notANode(Throwable cause) {
        Throwable t = cause;
        for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) { // bounded: a chain may loop
            if (t instanceof ControllerTrustManager.NotAControllerNode) {
                return t.getMessage();
            }
        }
        return String.valueOf(cause);
    }

    /** Controllers refused so far because their certificate is no controller node's. */
    long controllersNotNodes() {
        return controllersNotNodes.sum();
    }

    /** A handshake with {@code peer} succeeded: its next failure warns again. */
    void connected(SocketAddress peer) {
        lastFailure.remove(ip(peer));
    }

    /**
     * Whether a connection accepted on the listen port must be closed: with TLS on, one whose client certificate is
     * no controller node's ({@link CertifiedNode}): the deployment CA signs every agent, and one host's key must not
     * read or write another host's switch (docs/architecture.md 13.1), nor may any other certificate of the CA (a REST
     * server's, one made outside the PKI tool). Operators read the port with a node certificate (README).
     */
    boolean refusesOnListenPort(OfConnection c) {
        if (server == null) {
            return false;
        }
        Optional<String> why = c.peerCertificate().map(CertifiedNode::refusal).orElse(Optional.of("no certificate"));
        if (why.isPresent()) {
            long n = agentsRefused.incrementAndGet();
            if (n <= 3 || n % 1_000 == 0) {
                log.warn(
                        "agent {}: refused {} on the listen port: {} ({} such refusals)",
                        agent,
                        c.remoteAddress(),
                        why.get(),
                        n);
            }
        }
        return why.isPresent();
    }

    private static Object ip(SocketAddress peer) {
        return peer instanceof java.net.InetSocketAddress a && a.getAddress() != null ? a.getAddress() : peer;
    }
}
