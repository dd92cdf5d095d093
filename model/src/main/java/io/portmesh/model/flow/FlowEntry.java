package io.portmesh.model.flow;

import java.util.List;

/** One flow of a host's plan. Its identity on the switch is {@link #key()}: OpenFlow's (table, priority, match). */
public record FlowEntry(int tableId, int priority, long cookie, FlowMatch match, List<Instruction> instructions) {
    public FlowEntry {
        instructions = List.copyOf(instructions);
    }

    public FlowKey key() {
        return new FlowKey(tableId, priority, match);
    }

    /** What a strict flow-mod identifies a flow by. */
    public record FlowKey(int tableId, int priority, FlowMatch match) {}
}
