package io.portmesh.model.flow;

import java.util.List;

/**
 * One flow of a host's plan. Its identity on the switch is {@link #key()}: OpenFlow's (table, priority, match).
 * {@code hardTimeout}: seconds after which the switch removes the flow by itself (OpenFlow's hard timeout), 0 for
 * never; only a flow that must not outlive its purpose on a switch cut off from every controller has one (the
 * straggler flow of a live move, {@link MoveFlows#straggler}).
 */
public record FlowEntry(
        int tableId, int priority, long cookie, FlowMatch match, List<Instruction> instructions, int hardTimeout) {
    public FlowEntry {
        instructions = List.copyOf(instructions);
        if (hardTimeout < 0 || hardTimeout > 0xFFFF) {
            throw new IllegalArgumentException("hard timeout " + hardTimeout + " s is not an OpenFlow u16");
        }
    }

    /** A flow the switch keeps until it is deleted. */
    public FlowEntry(int tableId, int priority, long cookie, FlowMatch match, List<Instruction> instructions) {
        this(tableId, priority, cookie, match, instructions, 0);
    }

    public FlowKey key() {
        return new FlowKey(tableId, priority, match);
    }

    /** What a strict flow-mod identifies a flow by. */
    public record FlowKey(int tableId, int priority, FlowMatch match) {}
}
