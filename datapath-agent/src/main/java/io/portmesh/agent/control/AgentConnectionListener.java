package io.portmesh.agent.control;

import io.portmesh.openflow.OfConnection;
import io.portmesh.openflow.OfMessageListener;
import java.net.SocketAddress;
import java.util.function.Consumer;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an agent does with the events of its OpenFlow connections: each message is handled on the control thread, in
 * arrival order, under the read gate (which stops reading a connection the agent is behind on). One per kind of
 * connection: they differ in how a new connection joins the {@link RoleTable}, and in what a lost one sets off (a
 * controller connection: a new lookup of the controller names, the node may have moved).
 */
final class AgentConnectionListener implements OfMessageListener {
    private static final Logger log = LoggerFactory.getLogger(DatapathAgent.class); // the agent's lines, as before

    private final AgentTls tls;
    private final ReadGate readGate;
    private final ControlThread control;
    private final SwitchProtocol protocol;
    private final RoleTable roles;
    private final Consumer<OfConnection> join;
    private final Runnable lost;

    AgentConnectionListener(
            AgentTls tls,
            ReadGate readGate,
            ControlThread control,
            SwitchProtocol protocol,
            RoleTable roles,
            Consumer<OfConnection> join,
            Runnable lost) {
        this.tls = tls;
        this.readGate = readGate;
        this.control = control;
        this.protocol = protocol;
        this.roles = roles;
        this.join = join;
        this.lost = lost;
    }

    @Override
    public void onConnected(OfConnection c) {
        tls.connected(c.remoteAddress());
        control.run(() -> join.accept(c));
    }

    @Override
    public void onHandshakeFailed(SocketAddress remote, Throwable cause) {
        tls.handshakeFailed(remote, cause);
    }

    @Override
    public void onMessage(OfConnection c, OFMessage m) {
        handleInTurn(c, m.getType().toString(), () -> protocol.handle(c, m));
    }

    @Override
    public void onWireMessage(OfConnection c, Object m) {
        handleInTurn(c, "a wire message", () -> protocol.handleWire(c, m));
    }

    /** On the control thread, under the read gate; a message that fails is logged and the next one goes on. */
    private void handleInTurn(OfConnection c, String what, Runnable handle) {
        readGate.received(c);
        control.run(() -> {
            try {
                handle.run();
            } catch (RuntimeException e) {
                log.warn("could not handle {} from {}: {}", what, c.remoteAddress(), e.toString());
            } finally {
                readGate.handled(c);
            }
        });
    }

    @Override
    public void onWritabilityChanged(OfConnection c) {
        readGate.writabilityChanged(c);
    }

    @Override
    public void onDisconnected(OfConnection c, Throwable cause) {
        readGate.closed(c);
        control.run(() -> roles.remove(c));
        if (cause != null) {
            lost.run();
        }
        log.info(
                "controller connection {} closed: {}", c.remoteAddress(), cause == null ? "locally" : cause.toString());
    }
}
