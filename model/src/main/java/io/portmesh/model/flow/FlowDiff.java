package io.portmesh.model.flow;

import java.util.Comparator;
import java.util.List;

/**
 * The changes that bring a switch from its installed plan to the desired one, in the order they must be sent:
 * groups before the flows that point at them, and flows removed before the groups they pointed at.
 *
 * <p>Flows added or modified go in {@link #INSTALL_ORDER}: later tables first (a flow is there before the flow of an
 * earlier table that leads to it), and in a table higher priorities first. A switch applies flow-mods one at a time
 * and its data path sees each as it lands (OpenFlow 1.3 has no atomic batch; neither has the agent), so a flow that
 * overrides another must be in place before the one it overrides changes: a live move's let-go adds the straggler
 * flow (priority 105: from the tunnel, on to the destination) and replaces the port's unicast flow by a remote
 * member's (100, which drops what came from the tunnel); in the other order the frames of the gap between the two
 * were dropped (StragglerAgentTest lost 2 of 6,000 in a CI run: the order was a hash map's, salted per JVM).
 */
public record FlowDiff(
        List<GroupEntry> addGroups,
        List<GroupEntry> modifyGroups,
        List<FlowEntry> addFlows,
        List<FlowEntry> modifyFlows,
        List<FlowEntry.FlowKey> deleteFlows,
        List<Integer> deleteGroups) {

    /**
     * The order flows are installed in: table descending, then priority descending, then cookie and match (a fixed
     * order, the same in every JVM).
     */
    public static final Comparator<FlowEntry> INSTALL_ORDER = Comparator.comparingInt(FlowEntry::tableId)
            .reversed()
            .thenComparing(Comparator.comparingInt(FlowEntry::priority).reversed())
            .thenComparingLong(FlowEntry::cookie)
            .thenComparing(e -> e.match().toString());

    public static final FlowDiff NONE = new FlowDiff(List.of(), List.of(), List.of(), List.of(), List.of(), List.of());

    public FlowDiff {
        addGroups = List.copyOf(addGroups);
        modifyGroups = List.copyOf(modifyGroups);
        addFlows = addFlows.stream().sorted(INSTALL_ORDER).toList();
        modifyFlows = modifyFlows.stream().sorted(INSTALL_ORDER).toList();
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
