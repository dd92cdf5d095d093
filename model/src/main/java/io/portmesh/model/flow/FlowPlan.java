package io.portmesh.model.flow;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A switch's desired (or installed) flows and groups, keyed the way OpenFlow identifies them. */
public record FlowPlan(Map<FlowEntry.FlowKey, FlowEntry> flows, Map<Integer, GroupEntry> groups) {
    public static final FlowPlan EMPTY = new FlowPlan(Map.of(), Map.of());

    public FlowPlan {
        flows = Map.copyOf(flows);
        groups = Map.copyOf(groups);
    }

    public static FlowPlan of(Collection<FlowEntry> flows, Collection<GroupEntry> groups) {
        Map<FlowEntry.FlowKey, FlowEntry> f = new LinkedHashMap<>();
        for (FlowEntry e : flows) {
            if (f.put(e.key(), e) != null) {
                throw new IllegalArgumentException("two flows with the same table, priority and match: " + e.key());
            }
        }
        Map<Integer, GroupEntry> g = new LinkedHashMap<>();
        for (GroupEntry e : groups) {
            if (g.put(e.groupId(), e) != null) {
                throw new IllegalArgumentException("two groups with id " + e.groupId());
            }
        }
        return new FlowPlan(f, g);
    }

    /**
     * The plan made of disjoint parts, such as the per-VNI slices of one host's plan (every flow and group of the
     * pipeline belongs to exactly one VNI, see {@link HostView#slice}). Overlapping parts are a bug: refused.
     */
    public static FlowPlan union(Collection<FlowPlan> parts) {
        List<FlowEntry> flows = new ArrayList<>();
        List<GroupEntry> groups = new ArrayList<>();
        for (FlowPlan p : parts) {
            flows.addAll(p.flows.values());
            groups.addAll(p.groups.values());
        }
        return of(flows, groups);
    }

    /**
     * What must be sent to a switch that has {@code installed} so that it has this plan. Only differences are sent:
     * this is what makes a controller restart cost zero flow-mods when nothing changed.
     */
    public FlowDiff diffFrom(FlowPlan installed) {
        return diff(flows, groups, installed.flows, installed.groups);
    }

    /** What brings {@code have} to {@code want}: {@link #diffFrom} on plain maps (a {@link PlanSlice}'s). */
    static FlowDiff diff(
            Map<FlowEntry.FlowKey, FlowEntry> wantFlows,
            Map<Integer, GroupEntry> wantGroups,
            Map<FlowEntry.FlowKey, FlowEntry> haveFlows,
            Map<Integer, GroupEntry> haveGroups) {
        List<FlowEntry> addFlows = new ArrayList<>();
        List<FlowEntry> modifyFlows = new ArrayList<>();
        List<FlowEntry.FlowKey> deleteFlows = new ArrayList<>();
        wantFlows.forEach((key, want) -> {
            FlowEntry have = haveFlows.get(key);
            if (have == null) {
                addFlows.add(want);
            } else if (!have.equals(want)) {
                modifyFlows.add(want);
            }
        });
        haveFlows.keySet().stream().filter(k -> !wantFlows.containsKey(k)).forEach(deleteFlows::add);

        List<GroupEntry> addGroups = new ArrayList<>();
        List<GroupEntry> modifyGroups = new ArrayList<>();
        List<Integer> deleteGroups = new ArrayList<>();
        wantGroups.forEach((id, want) -> {
            GroupEntry have = haveGroups.get(id);
            if (have == null) {
                addGroups.add(want);
            } else if (!have.equals(want)) {
                modifyGroups.add(want);
            }
        });
        haveGroups.keySet().stream().filter(id -> !wantGroups.containsKey(id)).forEach(deleteGroups::add);
        return new FlowDiff(addGroups, modifyGroups, addFlows, modifyFlows, deleteFlows, deleteGroups);
    }
}
