package io.portmesh.cluster.tls;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.remote.artery.tcp.SSLEngineProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * Artery's TLS engines from the PEM files of {@code portmesh.cluster.tls} ({@link ClusterTls}): TLS 1.3 only (both
 * ends are controller nodes of one version), a client certificate required, and after the handshake a peer whose
 * certificate is not a controller node's (no {@code portmesh:node:} URI, an agent's, or one outside
 * peer-name-pattern) refused. Host names are not verified: nodes find each other by IP address and a Kubernetes pod's
 * changes with every restart; the CA and the node URI are what make a peer a member. Pekko creates it by class name with the actor system, hence public.
 */
public class ClusterTlsEngineProvider implements SSLEngineProvider {
    private static final Logger log = LoggerFactory.getLogger(ClusterTlsEngineProvider.class);
    private static final String[] PROTOCOLS = {"TLSv1.3"};

    private final ClusterTls tls;

    public ClusterTlsEngineProvider(ActorSystem system) {
        this(ClusterTls.fromConfig(system.settings().config()));
    }

    /** With {@code tls} as given (not final for this: a test's impostor node is one with an unchecked certificate). */
    ClusterTlsEngineProvider(ClusterTls tls) {
        this.tls = tls;
        log.info("cluster remoting uses mutual TLS (portmesh.cluster.tls)");
    }

    @Override
    public SSLEngine createServerSSLEngine(String hostname, int port) {
        SSLEngine engine = engine(hostname, port, false);
        engine.setNeedClientAuth(true);
        return engine;
    }

    @Override
    public SSLEngine createClientSSLEngine(String hostname, int port) {
        return engine(hostname, port, true);
    }

    private SSLEngine engine(String hostname, int port, boolean client) {
        SSLEngine engine = tls.context().createSSLEngine(hostname, port);
        engine.setUseClientMode(client);
        engine.setEnabledProtocols(PROTOCOLS);
        return engine;
    }

    /** Called on this node's outbound connections (this end is the TLS client): checks the node connected to. */
    @Override
    public Option<Throwable> verifyClientSession(String hostname, SSLSession session) {
        return verify("the node at " + hostname, session);
    }

    /**
     * Called on this node's inbound connections (this end is the TLS server; {@code hostname} is its own bind
     * address): checks the node that connected; a refusal fails the connection's stream, and with it the
     * association.
     */
    @Override
    public Option<Throwable> verifyServerSession(String hostname, SSLSession session) {
        return verify("a node connecting to " + hostname, session);
    }

    private Option<Throwable> verify(String who, SSLSession session) {
        Optional<String> refusal;
        try {
            Certificate[] chain = session.getPeerCertificates();
            refusal = chain.length > 0 && chain[0] instanceof X509Certificate peer
                    ? tls.refusal(peer)
                    : Optional.of("it presented no X.509 certificate");
        } catch (SSLPeerUnverifiedException e) {
            refusal = Optional.of("it presented no certificate");
        }
        if (refusal.isEmpty()) {
            return Option.empty();
        }
        String message = "refused " + who + " as a cluster member: " + refusal.get();
        log.warn(message);
        return Option.apply(new SSLPeerUnverifiedException(message));
    }
}
