package io.portmesh.agent.pipeline;

import org.projectfloodlight.openflow.protocol.OFPacketInReason;
import org.projectfloodlight.openflow.protocol.match.Match;

/** Where the pipeline sends frames: the port I/O layer and the controller connection. */
public interface PortOutput {
    /**
     * Sends a frame out of a physical port (1 trunk, 2 tunnel, ...). {@code tunnelId} and {@code
     * tunnelDstIp} only mean something for the tunnel port. The bytes may be reused by the caller
     * after return: copy them if you keep them.
     */
    void output(int port, int inPort, byte[] frame, int off, int len, long tunnelId, int tunnelDstIp);

    /**
     * Sends a frame to the controller as a PACKET_IN. {@code match} carries in_port, and tunnel_id
     * and metadata when set. The bytes may be reused after return.
     */
    void toController(OFPacketInReason reason, int tableId, long cookie, Match match, byte[] frame, int off, int len);

    /** Every physical port, for the FLOOD and ALL reserved ports. */
    Iterable<Integer> allPorts();
}
