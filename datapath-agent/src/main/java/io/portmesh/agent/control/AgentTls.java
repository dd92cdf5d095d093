package io.portmesh.agent.control;

import io.netty.handler.ssl.SslContext;
import io.portmesh.openflow.tls.OfTlsFiles;
import io.portmesh.openflow.tls.TlsRefusal;
import java.net.SocketAddress;
import java.util.Map;
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

    private final String agent;
    private final SslContext client;
    private final SslContext server;
    /** The last TLS failure logged per peer address: a controller the agent retries every 2 s warns once, not always. */
    private final Map<SocketAddress, String> lastFailure = new ConcurrentHashMap<>();

    private AgentTls(String agent, SslContext client, SslContext server) {
        this.agent = agent;
        this.client = client;
        this.server = server;
    }

    static AgentTls of(AgentSettings s) {
        String agent = s.host() + "/" + s.slot();
        if (s.tls().isEmpty()) {
            log.warn(
                    "agent {}: OpenFlow is plain TCP: controllers are not authenticated and the controllers trust this"
                            + " agent's word for its host (portmesh.agent.openflow.tls, README 'OpenFlow TLS')",
                    agent);
            return new AgentTls(agent, null, null);
        }
        OfTlsFiles files = s.tls().get();
        log.info("agent {}: OpenFlow TLS on ({})", agent, files);
        return new AgentTls(agent, files.clientContext(), s.listen().isPresent() ? files.serverContext() : null);
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
     * A handshake that failed: a TLS failure (the controller's certificate not of the CA or not naming its address,
     * or the controller refusing this agent's) is logged at warning once per peer until it changes, then at debug.
     */
    void handshakeFailed(SocketAddress peer, Throwable cause) {
        TlsRefusal.of(cause).ifPresent(reason -> {
            String text = reason.label() + ": " + cause;
            if (!text.equals(lastFailure.put(peer, text))) {
                log.warn("agent {}: TLS handshake with {} failed ({})", agent, peer, text);
            } else {
                log.debug("agent {}: TLS handshake with {} failed again ({})", agent, peer, text);
            }
        });
    }

    /** A handshake with {@code peer} succeeded: its next failure warns again. */
    void connected(SocketAddress peer) {
        lastFailure.remove(peer);
    }
}
