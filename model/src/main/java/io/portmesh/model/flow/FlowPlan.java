package io.portmesh.model.flow;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** A switch's desired (or installed) flows and groups, keyed the way OpenFlow identifies them. */
public record FlowPlan(Map<FlowEntry.FlowKey, FlowEntry> flows, Map<Integer, GroupEntry> groups) {
    public static final FlowPlan EMPTY = new FlowPlan(Map.of(), Map.of());

    /**
     * Which of two flows with one key a plan keeps: the smaller cookie (unsigned), then the smaller text of the
     * instructions. Only ever compared on a collision, so its cost does not matter; it depends on the entries alone,
     * never on their order.
     */
    public static final Comparator<FlowEntry> FLOW_ORDER = Comparator.comparing(
                    FlowEntry::cookie, Long::compareUnsigned)
            .thenComparing(e -> e.instructions().toString());

    /** Which of two groups with one id a plan keeps: the one with the smaller text of the buckets. */
    public static final Comparator<GroupEntry> GROUP_ORDER =
            Comparator.comparing(e -> e.buckets().toString());

    public FlowPlan {
        flows = Map.copyOf(flows);
        groups = Map.copyOf(groups);
    }

    /**
     * The plan of these entries. Total: when two different entries have the same key (a flow's table, priority and
     * match, a group's id), the one that sorts first in {@link #FLOW_ORDER} or {@link #GROUP_ORDER} is kept and the
     * others are left out, whatever order they come in; equal entries are one entry. The compiler never makes two
     * entries with one key (see {@link FlowCompiler}); a switch's readback or a union of overlapping parts may.
     */
    public static FlowPlan of(Collection<FlowEntry> flows, Collection<GroupEntry> groups) {
        return of(flows, groups, leftOut -> {});
    }

    /**
     * {@link #of(Collection, Collection)}, telling {@code leftOut} every entry (a {@link FlowEntry} or a
     * {@link GroupEntry}) it left out because another entry with the same key was kept.
     */
    public static FlowPlan of(Collection<FlowEntry> flows, Collection<GroupEntry> groups, Consumer<Object> leftOut) {
        Map<FlowEntry.FlowKey, FlowEntry> f = new LinkedHashMap<>();
        for (FlowEntry e : flows) {
            keep(f, e.key(), e, FLOW_ORDER, leftOut);
        }
        Map<Integer, GroupEntry> g = new LinkedHashMap<>();
        for (GroupEntry e : groups) {
            keep(g, e.groupId(), e, GROUP_ORDER, leftOut);
        }
        return new FlowPlan(f, g);
    }

    /**
     * The plan made of disjoint parts, such as the per-VNI slices of one host's plan (every flow and group of the
     * pipeline belongs to exactly one VNI, see {@link HostView#slice}). Parts that overlap are resolved as in
     * {@link #of(Collection, Collection)}: per key, the entry that sorts first is kept.
     */
    public static FlowPlan union(Collection<FlowPlan> parts) {
        return union(parts, leftOut -> {});
    }

    /** {@link #union(Collection)}, telling {@code leftOut} every entry left out as {@link #of} does. */
    public static FlowPlan union(Collection<FlowPlan> parts, Consumer<Object> leftOut) {
        List<FlowEntry> flows = new ArrayList<>();
        List<GroupEntry> groups = new ArrayList<>();
        for (FlowPlan p : parts) {
            flows.addAll(p.flows.values());
            groups.addAll(p.groups.values());
        }
        return of(flows, groups, leftOut);
    }

    private static <K, V> void keep(Map<K, V> entries, K key, V e, Comparator<V> order, Consumer<Object> leftOut) {
        V have = entries.putIfAbsent(key, e);
        if (have == null || have.equals(e)) {
            return;
        }
        if (order.compare(e, have) < 0) {
            entries.put(key, e);
            leftOut.accept(have);
        } else {
            leftOut.accept(e);
        }
    }

    /**
     * What must be sent to a switch that has {@code installed} so that it has this plan. Only differences are sent:
     * this is what makes a controller restart cost zero flow-mods when nothing changed.
     */
    public FlowDiff diffFrom(FlowPlan installed) {
        return diff(flows, groups, installed.flows, installed.groups);
    }

    /**
     * Whether {@code want} must replace {@code have} (same key) whole, by an add: a modify keeps the entry's cookie and
     * timeouts (OpenFlow 1.3, 6.4), so a flow whose cookie changed (a live move turns a MAC's unicast flow from local
     * to remote at the same key) or whose hard timeout did would keep the old ones on the switch, and every later
     * read of it would differ from the plan. An add of an existing key replaces it.
     */
    static boolean replaces(FlowEntry have, FlowEntry want) {
        return have.cookie() != want.cookie() || have.hardTimeout() != want.hardTimeout();
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
            if (have == null || replaces(have, want)) {
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
