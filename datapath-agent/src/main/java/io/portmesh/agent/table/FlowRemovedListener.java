package io.portmesh.agent.table;

import org.projectfloodlight.openflow.protocol.OFFlowRemoved;

/**
 * Receives FLOW_REMOVED messages for flows installed with SEND_FLOW_REM. Called on the thread that
 * removed the flow, under the tables' writer lock: hand the message off, do not block.
 */
@FunctionalInterface
public interface FlowRemovedListener {
    void flowRemoved(OFFlowRemoved msg);
}
