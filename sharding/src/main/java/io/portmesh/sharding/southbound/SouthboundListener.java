package io.portmesh.sharding.southbound;

import io.portmesh.openflow.OfConnection;
import io.portmesh.openflow.session.AgentListener;
import io.portmesh.openflow.session.AgentMessage;
import io.portmesh.openflow.session.AgentMessages;
import io.portmesh.openflow.tls.PublicKeySha256;
import io.portmesh.openflow.tls.TlsRefusal;
import io.portmesh.sharding.host.HostEntity;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seam between Netty and the actors: every agent connection that finished its handshake on this node gets a
 * {@link SouthboundSession}; its messages and its end are forwarded to that actor, nothing is handled here.
 */
public final class SouthboundListener extends AgentListener {
    private static final Logger log = LoggerFactory.getLogger(SouthboundListener.class);
    private final ActorSystem<?> system;
    private final Duration announceInterval;
    private final String node;
    private final AgentAdmission admission;
    private final OpenFlowRefusals refusals;

    /**
     * @param certificatesRequired the OpenFlow server runs TLS requiring client certificates: an agent's identity is
     *     its certificate's ({@link AgentAdmission})
     */
    public SouthboundListener(ActorSystem<?> system, Duration announceInterval, boolean certificatesRequired) {
        this.system = system;
        this.announceInterval = announceInterval;
        this.node = Cluster.get(system).selfMember().address().toString();
        this.admission = new AgentAdmission(certificatesRequired);
        this.refusals = OpenFlowRefusals.get(system);
    }

    @Override
    public void onConnected(OfConnection conn) {
        String dpDesc = AgentMessages.dpDesc(conn);
        AgentAdmission.Verdict verdict = admission.admit(dpDesc, conn.peerCertificate());
        if (verdict.identity().isEmpty()) {
            refusals.refused(conn.remoteAddress(), verdict.refusal().label(), verdict.why());
            conn.close();
            return;
        }
        AgentIdentity id = verdict.identity().get();
        var host = ClusterSharding.get(system)
                .entityRefFor(HostEntity.TYPE_KEY, id.host().value());
        ActorRef<SessionCommand> session = system.systemActorOf(
                SouthboundSession.create(
                        conn,
                        id,
                        conn.peerCertificate().map(PublicKeySha256::of).orElse(null),
                        host,
                        node,
                        announceInterval),
                "of-session-" + conn.id(),
                Props.empty());
        conn.attach(session);
    }

    /** A TLS handshake that failed is counted and logged like a refused identity; other failures are not refusals. */
    @Override
    public void onHandshakeFailed(SocketAddress remoteAddress, Throwable cause) {
        TlsRefusal.of(cause)
                .ifPresent(r -> refusals.refused(remoteAddress, r.label(), "TLS handshake failed: " + cause));
    }

    /**
     * What the agent sends on its own, and the role status a stock Open vSwitch sends when another controller took
     * this connection's role (the agent itself never does).
     */
    @Override
    protected void onAgentMessage(OfConnection conn, AgentMessage message) {
        session(conn).ifPresent(s -> s.tell(new SouthboundSession.Inbound(message)));
    }

    @Override
    public void onDisconnected(OfConnection conn, Throwable cause) {
        log.info("agent connection {} closed: {}", conn.remoteAddress(), cause == null ? "locally" : cause.toString());
        session(conn).ifPresent(s -> s.tell(new SouthboundSession.Disconnected(String.valueOf(cause))));
    }

    @SuppressWarnings("unchecked")
    private static Optional<ActorRef<SessionCommand>> session(OfConnection conn) {
        return Optional.ofNullable((ActorRef<SessionCommand>) conn.attachment());
    }
}
