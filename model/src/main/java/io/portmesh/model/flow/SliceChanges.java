package io.portmesh.model.flow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Applies entries to a {@link PlanSlice}'s flows and groups one by one and collects what the switch must be sent for
 * them: the change path of the slice, which never compiles it whole.
 */
final class SliceChanges {
    private final Map<FlowEntry.FlowKey, FlowEntry> flows;
    private final Map<Integer, GroupEntry> groups;

    SliceChanges(Map<FlowEntry.FlowKey, FlowEntry> flows, Map<Integer, GroupEntry> groups) {
        this.flows = flows;
        this.groups = groups;
    }

    private final List<GroupEntry> addGroups = new ArrayList<>(1);
    private final List<GroupEntry> modifyGroups = new ArrayList<>(1);
    private final List<FlowEntry> addFlows = new ArrayList<>(1);
    private final List<FlowEntry> modifyFlows = new ArrayList<>(1);
    private final List<FlowEntry.FlowKey> deleteFlows = new ArrayList<>(1);
    private final List<Integer> deleteGroups = new ArrayList<>(1);

    void putFlow(FlowEntry f) {
        put(flows, f.key(), f, addFlows, modifyFlows);
    }

    void deleteFlow(FlowEntry.FlowKey key) {
        if (flows.remove(key) != null) {
            deleteFlows.add(key);
        }
    }

    void putGroup(GroupEntry g) {
        put(groups, g.groupId(), g, addGroups, modifyGroups);
    }

    void deleteGroup(int id) {
        if (groups.remove(id) != null) {
            deleteGroups.add(id);
        }
    }

    /** An entry unknown to the switch is added, a different one modified, an equal one left alone. */
    private static <K, V> void put(Map<K, V> entries, K key, V entry, List<V> added, List<V> modified) {
        V have = entries.get(key);
        if (have == null) {
            added.add(entry);
        } else if (!have.equals(entry)) {
            modified.add(entry);
        } else {
            return;
        }
        entries.put(key, entry);
    }

    FlowDiff diff() {
        return new FlowDiff(addGroups, modifyGroups, addFlows, modifyFlows, deleteFlows, deleteGroups);
    }
}
