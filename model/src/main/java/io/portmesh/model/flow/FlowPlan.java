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
     * This plan, holding {@code previous}'s instances wherever an entry is equal to one there. A host recompiles a
     * VNI slice on every change of the switch and keeps the result until the next one; most of its entries are
     * unchanged, and keeping the old (long since tenured) objects instead of the fresh copies means the garbage
     * collector copies only what changed instead of every slice of every host that changed since the last collection.
     */
    public FlowPlan sharing(FlowPlan previous) {
        if (previous.flows.isEmpty() && previous.groups.isEmpty()) {
            return this;
        }
        Map<FlowEntry.FlowKey, FlowEntry> f = new LinkedHashMap<>();
        flows.forEach((key, want) -> {
            FlowEntry have = previous.flows.get(key);
            if (want.equals(have)) {
                f.put(have.key(), have);
            } else {
                f.put(key, want);
            }
        });
        Map<Integer, GroupEntry> g = new LinkedHashMap<>();
        groups.forEach((id, want) -> {
            GroupEntry have = previous.groups.get(id);
            g.put(id, want.equals(have) ? have : want);
        });
        return new FlowPlan(f, g);
    }

    /**
     * What must be sent to a switch that has {@code installed} so that it has this plan. Only differences are sent:
     * this is what makes a controller restart cost zero flow-mods when nothing changed.
     */
    public FlowDiff diffFrom(FlowPlan installed) {
        List<FlowEntry> addFlows = new ArrayList<>();
        List<FlowEntry> modifyFlows = new ArrayList<>();
        List<FlowEntry.FlowKey> deleteFlows = new ArrayList<>();
        flows.forEach((key, want) -> {
            FlowEntry have = installed.flows.get(key);
            if (have == null) {
                addFlows.add(want);
            } else if (!have.equals(want)) {
                modifyFlows.add(want);
            }
        });
        installed.flows.keySet().stream().filter(k -> !flows.containsKey(k)).forEach(deleteFlows::add);

        List<GroupEntry> addGroups = new ArrayList<>();
        List<GroupEntry> modifyGroups = new ArrayList<>();
        List<Integer> deleteGroups = new ArrayList<>();
        groups.forEach((id, want) -> {
            GroupEntry have = installed.groups.get(id);
            if (have == null) {
                addGroups.add(want);
            } else if (!have.equals(want)) {
                modifyGroups.add(want);
            }
        });
        installed.groups.keySet().stream().filter(id -> !groups.containsKey(id)).forEach(deleteGroups::add);
        return new FlowDiff(addGroups, modifyGroups, addFlows, modifyFlows, deleteFlows, deleteGroups);
    }
}
