package io.portmesh.model.flow;

import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.Vni;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One VNI's part of a host's plan, kept up to date change by change: what {@link FlowCompiler#compile} makes of the
 * host's local ports in the VNI and the VNI's remote members, without compiling it again for every member change.
 *
 * <p>A binding in a switch that spans N hosts changes one member on each of them. Recompiling the slice there costs
 * O(members) flows built, compared and mostly thrown away, on every host, for every binding: with 50-port switches it
 * was a third of the controller's allocation and a sixth of its CPU. A remote member touches only its own unicast flow
 * and, when its host joins or leaves the VNI, the flood-to-tunnel groups (and, if their number changes, the flood
 * flows that name them); those are all {@link #putRemote}/{@link #removeRemote} rebuild. Everything that depends on
 * the local ports is rebuilt whole by {@link #reset}, which a local binding change calls: that is once per binding,
 * on one host.
 *
 * <p>Entries that did not change keep their instances, so the garbage collector copies only what changed. Not
 * thread-safe: one Host entity owns it.
 */
public final class PlanSlice {
    private final HostId host;
    private final Vni vni;
    private List<HostView.LocalPort> locals = List.of();
    private final Map<PortId, HostView.RemotePort> remotes = new HashMap<>();
    /** Remote members per MAC: a MAC is one flow, so two members (or a member and a local port) may not share it. */
    private final Map<Mac, PortId> remoteByMac = new HashMap<>();
    /** Remote members per tunnel endpoint, in the order of the flood-to-tunnel groups' buckets. */
    private final TreeMap<Ipv4, Integer> remoteHosts = new TreeMap<>(FlowCompiler.TUNNEL_ORDER);

    private final Map<FlowEntry.FlowKey, FlowEntry> flows = new HashMap<>();
    private final Map<Integer, GroupEntry> groups = new HashMap<>();
    private List<Integer> tunnelGroupIds = List.of();

    public PlanSlice(HostId host, Vni vni) {
        this.host = host;
        this.vni = vni;
    }

    public Vni vni() {
        return vni;
    }

    /** Nothing to install: no local port in the VNI (remote members alone make no flow). */
    public boolean isEmpty() {
        return flows.isEmpty() && groups.isEmpty();
    }

    public int flowCount() {
        return flows.size();
    }

    /** An immutable copy of the slice as a plan (for a whole-plan push; the change path never needs it). */
    public FlowPlan plan() {
        return new FlowPlan(flows, groups);
    }

    /**
     * The local ports and remote members of this VNI, all of them: the slice is compiled again from scratch.
     *
     * @throws IllegalArgumentException as {@link FlowCompiler#compile} does (two ports with one MAC, any port of
     *     another VNI); the slice is unchanged then
     */
    public FlowDiff reset(List<HostView.LocalPort> newLocals, Collection<HostView.RemotePort> newRemotes) {
        for (HostView.LocalPort l : newLocals) {
            requireVni(l.vni());
        }
        Map<Mac, PortId> byMac = new HashMap<>();
        for (HostView.RemotePort r : newRemotes) {
            requireVni(r.vni());
            PortId other = byMac.put(r.mac(), r.port());
            if (other != null && !other.equals(r.port())) {
                throw duplicateMac(r, other.value());
            }
        }
        FlowPlan fresh = FlowCompiler.compile(new HostView(host, newLocals, List.copyOf(newRemotes)));
        FlowDiff diff = FlowPlan.diff(fresh.flows(), fresh.groups(), flows, groups);

        locals = List.copyOf(newLocals);
        remotes.clear();
        remoteByMac.clear();
        remoteHosts.clear();
        newRemotes.forEach(this::remember);
        adopt(flows, fresh.flows());
        adopt(groups, fresh.groups());
        tunnelGroupIds = FlowCompiler.tunnelGroupIds(vni, remoteHosts.size());
        return diff;
    }

    /**
     * A remote member was added, or changed its MAC or host.
     *
     * @throws IllegalArgumentException when the MAC is another member's or a local port's (a switch keeps its MACs
     *     unique, so this is a bug upstream), or the member is of another VNI; the slice is unchanged then
     */
    public FlowDiff putRemote(HostView.RemotePort r) {
        requireVni(r.vni());
        PortId macOwner = remoteByMac.get(r.mac());
        if ((macOwner != null && !macOwner.equals(r.port()))
                || locals.stream().anyMatch(l -> l.mac().equals(r.mac()))) {
            throw duplicateMac(r, macOwner != null ? macOwner.value() : "a local port");
        }
        HostView.RemotePort old = remotes.get(r.port());
        if (r.equals(old)) {
            return FlowDiff.NONE;
        }
        Changes changes = new Changes();
        boolean hostsChanged = false;
        if (old != null) {
            hostsChanged = forget(old);
            if (!locals.isEmpty() && !old.mac().equals(r.mac())) {
                changes.deleteFlow(FlowCompiler.remote(old).key());
            }
        }
        hostsChanged |= remember(r);
        if (!locals.isEmpty()) {
            changes.putFlow(FlowCompiler.remote(r));
            if (hostsChanged) {
                floodToTunnelChanged(changes);
            }
        }
        return changes.diff();
    }

    /** A remote member left (unbound, bound here, or deleted). Unknown members change nothing. */
    public FlowDiff removeRemote(PortId port) {
        HostView.RemotePort old = remotes.get(port);
        if (old == null) {
            return FlowDiff.NONE;
        }
        boolean hostsChanged = forget(old);
        if (locals.isEmpty()) {
            return FlowDiff.NONE;
        }
        Changes changes = new Changes();
        changes.deleteFlow(FlowCompiler.remote(old).key());
        if (hostsChanged) {
            floodToTunnelChanged(changes);
        }
        return changes.diff();
    }

    /** The flood-to-tunnel groups after the set of remote hosts may have changed, and the flows that name them. */
    private void floodToTunnelChanged(Changes changes) {
        List<GroupEntry> wanted = FlowCompiler.tunnelGroups(vni, List.copyOf(remoteHosts.keySet()));
        List<Integer> ids = new ArrayList<>(wanted.size());
        for (GroupEntry g : wanted) {
            changes.putGroup(g);
            ids.add(g.groupId());
        }
        for (Integer id : tunnelGroupIds) {
            if (!ids.contains(id)) {
                changes.deleteGroup(id);
            }
        }
        if (!ids.equals(tunnelGroupIds)) {
            for (HostView.LocalPort src : locals) {
                changes.putFlow(FlowCompiler.floodFromTrunk(src, ids));
            }
        }
        tunnelGroupIds = List.copyOf(ids);
    }

    /** @return whether the member's host is new to the VNI */
    private boolean remember(HostView.RemotePort r) {
        remotes.put(r.port(), r);
        remoteByMac.put(r.mac(), r.port());
        return remoteHosts.merge(r.tunnelIp(), 1, Integer::sum) == 1;
    }

    /** @return whether the member was its host's last in the VNI */
    private boolean forget(HostView.RemotePort r) {
        remotes.remove(r.port());
        remoteByMac.remove(r.mac());
        return remoteHosts.computeIfPresent(r.tunnelIp(), (ip, n) -> n == 1 ? null : n - 1) == null;
    }

    private IllegalArgumentException duplicateMac(HostView.RemotePort r, String other) {
        return new IllegalArgumentException("two ports with MAC " + r.mac() + " in VNI " + vni.value() + ": "
                + r.port().value() + " and " + other);
    }

    private void requireVni(Vni other) {
        if (!vni.equals(other)) {
            throw new IllegalArgumentException(
                    "a port of VNI " + other.value() + " in the slice of VNI " + vni.value());
        }
    }

    /** {@code current} becomes {@code fresh}, keeping its own instance of every entry that is equal in both. */
    private static <K, V> void adopt(Map<K, V> current, Map<K, V> fresh) {
        current.keySet().retainAll(fresh.keySet());
        fresh.forEach((k, v) -> {
            V have = current.get(k);
            if (!v.equals(have)) {
                current.put(k, v);
            }
        });
    }

    /** Applies entries to the slice one by one and collects what the switch must be sent for them. */
    private final class Changes {
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
}
