package io.portmesh.agent.control;

import io.netty.buffer.ByteBuf;
import io.portmesh.agent.table.FlowModWireDecoder;
import io.portmesh.openflow.OfWireDecoder;
import io.portmesh.openflow.plan.TrunkWire;

/**
 * The OpenFlow messages the agent reads from the wire itself, on the I/O thread: flow-mods (the hot path, without Loxi
 * objects) and Portmesh's activation experimenter (Loxi does not know it). Everything else goes through Loxi.
 */
final class AgentWireDecoder implements OfWireDecoder {
    static final AgentWireDecoder INSTANCE = new AgentWireDecoder();

    private final FlowModWireDecoder flowMods = new FlowModWireDecoder();

    private AgentWireDecoder() {}

    @Override
    public Object decode(ByteBuf frame) {
        Object mod = flowMods.decode(frame);
        return mod != null ? mod : TrunkWire.readActivation(frame);
    }
}
