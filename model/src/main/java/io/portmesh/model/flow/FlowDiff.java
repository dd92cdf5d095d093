package io.portmesh.model.flow;

import java.util.List;

/**
 * The changes that bring a switch from its installed plan to the desired one, in the order they must be sent:
 * groups before the flows that point at them, and flows removed before the groups they pointed at.
 */
public record FlowDiff(
        List<GroupEntry> addGroups,
        List<GroupEntry> modifyGroups,
        List<FlowEntry> addFlows,
        List<FlowEntry> modifyFlows,
        List<FlowEntry.FlowKey> deleteFlows,
        List<Integer> deleteGroups) {

    public static final FlowDiff NONE = new FlowDiff(List.of(), List.of(), List.of(), List.of(), List.of(), List.of());

    public FlowDiff {
        addGroups = List.copyOf(addGroups);
        modifyGroups = List.copyOf(modifyGroups);
        addFlows = List.copyOf(addFlows);
        modifyFlows = List.copyOf(modifyFlows);
        deleteFlows = List.copyOf(deleteFlows);
        deleteGroups = List.copyOf(deleteGroups);
    }

    /** The number of OpenFlow messages (flow-mods and group-mods) this diff costs. */
    public int size() {
        return addGroups.size()
                + modifyGroups.size()
                + addFlows.size()
                + modifyFlows.size()
                + deleteFlows.size()
                + deleteGroups.size();
    }

    public boolean isEmpty() {
        return size() == 0;
    }
}
