package io.portmesh.model.flow;

import java.util.List;

/** The OpenFlow 1.3 instructions the Portmesh pipeline uses. */
public sealed interface Instruction {
    record ApplyActions(List<Action> actions) implements Instruction {
        public ApplyActions {
            actions = List.copyOf(actions);
        }
    }

    record WriteMetadata(long value, long mask) implements Instruction {}

    record GotoTable(int tableId) implements Instruction {}

    static ApplyActions apply(Action... actions) {
        return new ApplyActions(List.of(actions));
    }
}
