package io.portmesh.agent.control;

import io.portmesh.agent.io.Ports;
import io.portmesh.agent.pipeline.PortOutput;
import org.projectfloodlight.openflow.protocol.OFPacketInReason;
import org.projectfloodlight.openflow.protocol.match.Match;

/** Where the pipeline's output goes: the agent's ports, and the controllers through the packet-in relay. */
final class AgentPortOutput implements PortOutput {
    private final Ports ports;
    private final PacketInRelay packetIns;

    AgentPortOutput(Ports ports, PacketInRelay packetIns) {
        this.ports = ports;
        this.packetIns = packetIns;
    }

    @Override
    public void output(int port, int inPort, byte[] frame, int off, int len, long tunnelId, int tunnelDstIp) {
        ports.output(port, inPort, frame, off, len, tunnelId, tunnelDstIp);
    }

    /** Never waits for a controller: {@link PacketInRelay}. */
    @Override
    public void toController(
            OFPacketInReason reason, int tableId, long cookie, Match match, byte[] frame, int off, int len) {
        packetIns.toController(reason, tableId, cookie, match, frame, off, len);
    }

    @Override
    public Iterable<Integer> allPorts() {
        return ports.numbers();
    }
}
