package io.portmesh.agent.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.projectfloodlight.openflow.protocol.OFPacketInReason;
import org.projectfloodlight.openflow.protocol.match.Match;

/** A {@link PortOutput} that keeps a copy of everything the pipeline sends. */
final class RecordingOutput implements PortOutput {
    record Sent(int port, int inPort, byte[] frame, long tunnelId, int tunnelDstIp) {}

    record PacketIn(OFPacketInReason reason, int tableId, long cookie, Match match, byte[] frame) {}

    final List<Sent> sent = new ArrayList<>();
    final List<PacketIn> packetIns = new ArrayList<>();

    @Override
    public void output(int port, int inPort, byte[] frame, int off, int len, long tunnelId, int tunnelDstIp) {
        sent.add(new Sent(port, inPort, Arrays.copyOfRange(frame, off, off + len), tunnelId, tunnelDstIp));
    }

    @Override
    public void toController(
            OFPacketInReason reason, int tableId, long cookie, Match match, byte[] frame, int off, int len) {
        packetIns.add(new PacketIn(reason, tableId, cookie, match, Arrays.copyOfRange(frame, off, off + len)));
    }

    @Override
    public Iterable<Integer> allPorts() {
        return List.of(1, 2);
    }

    void clear() {
        sent.clear();
        packetIns.clear();
    }
}
