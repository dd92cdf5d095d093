package io.portmesh.openflow.session;

import io.portmesh.openflow.OfConnection;
import io.portmesh.openflow.OfMessageListener;
import io.portmesh.openflow.OfRoleStatus;
import org.projectfloodlight.openflow.protocol.OFMessage;

/**
 * An {@link OfMessageListener} that hands on what agents send as {@link AgentMessage}s (read on the connection's event
 * loop, in order), for a controller that keeps OpenFlow out of its sessions.
 */
public abstract class AgentListener implements OfMessageListener {
    /** A message the agent sent on its own, or the switch's role status; same threading as {@link #onMessage}. */
    protected abstract void onAgentMessage(OfConnection connection, AgentMessage message);

    @Override
    public final void onMessage(OfConnection connection, OFMessage message) {
        onAgentMessage(connection, AgentMessages.read(message));
    }

    @Override
    public final void onRoleStatus(OfConnection connection, OfRoleStatus status) {
        onAgentMessage(connection, AgentMessages.read(status));
    }
}
