package io.portmesh.model.flow;

import io.portmesh.model.HostId;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.Vni;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * One VNI's part of a host's plan, kept up to date change by change: what {@link FlowCompiler#compile} makes of the
 * host's local ports in the VNI and the VNI's remote members, without compiling it again for every member change.
 *
 * <p>A binding in a switch that spans N hosts changes one member on each of them. Recompiling the slice there costs
 * O(members) flows built, compared and mostly thrown away, on every host, for every binding: with 50-port switches it
 * was a third of the controller's allocation and a sixth of its CPU. A remote member touches only its own unicast flow
 * and, when one of its hosts (two while it moves live) joins or leaves the VNI, the flood-to-tunnel groups (and, if
 * their number changes, the flood flows that name them); those are all {@link #putRemote}/{@link #removeRemote}
 * rebuild: a member that starts or stops moving is a put like any other. Everything that depends on
 * the local ports is rebuilt whole by {@link #reset}, which a local binding change calls: that is once per binding,
 * on one host.
 *
 * <p>No input makes it throw. Conflicting inputs are resolved by the rules of {@link FlowCompiler} (numbered there),
 * applied here change by change so that the slice always equals a compile from scratch of the same ports, conflicts
 * included:
 *
 * <ul>
 *   <li>local ports are only ever given whole, to {@link #reset}, which applies rules 1 and 2 as the compiler does
 *       (within this VNI: two local ports of different VNIs with one VLAN are in different slices, and only
 *       {@link FlowCompiler#compile} of the whole host sees them; the host's VLAN allocator never makes them);
 *   <li>remote members are held by port id, all of them, and a MAC is given to one of them: none when a local port
 *       has it (rule 5), else the smallest port id among those that have it (rule 6). A change of a member may hand
 *       a MAC from one member to another; only the members that hold a MAC have a flow and count for the flood
 *       groups, which flood to at most {@link FlowCompiler#MAX_FLOOD_HOSTS} hosts (rule 7);
 *   <li>a host is flooded to while a member there holds its MAC (by its {@code tunnelIp} or, moving, its
 *       {@code alsoTunnelIp}) or a local port names it as its twin (rule 8): the slice counts them per host. Local
 *       ports, and so twins, change only by {@link #reset};
 *   <li>{@link #reset} keeps one entry per remote port id (rule 4); a later {@link #putRemote} of the port replaces
 *       it, as any put replaces a member, and the conflict is gone;
 *   <li>a port of another VNI is ignored and listed as {@link Conflict.Kind#OTHER_VNI} until it is removed, put
 *       again in this VNI, or the slice is reset; a removal of an unknown member changes nothing.
 * </ul>
 *
 * <p>{@link #conflictCount} says how many inputs the slice leaves out, in constant time; {@link #conflicts} lists
 * them for a log line. Both are state, not history: a conflict that is resolved upstream disappears from them.
 *
 * <p>Entries that did not change keep their instances, so the garbage collector copies only what changed. Not
 * thread-safe: one Host entity owns it.
 */
public final class PlanSlice {
    private final HostId host;
    private final Vni vni;
    /** The local ports the plan keeps, in {@link LocalAdmission#LOCAL_ORDER}; empty when the host does not carry it. */
    private List<HostView.LocalPort> locals = List.of();
    /** The MACs of {@link #locals}: a remote member with one of them is left out. */
    private final Map<Mac, PortId> localMacs = new HashMap<>();
    /** The local ports {@link #reset} left out. */
    private List<Conflict> localConflicts = List.of();

    /** Every remote member, whether it holds its MAC or not. */
    private final Map<PortId, HostView.RemotePort> remotes = new HashMap<>();
    /** Per MAC of a remote member, the member with the smallest port id among those with it. */
    private final Map<Mac, PortId> remoteByMac = new HashMap<>();
    /** The MACs that two or more remote members share (rare): all of those members, the smallest first. */
    private final Map<Mac, TreeSet<PortId>> sharedMacs = new HashMap<>();
    /** The number of MACs that a remote member holds: its members have a flow, the others are left out. */
    private int heldRemoteMacs;
    /** Remote ports that {@link #reset} was given more than one entry for: how many it left out. */
    private final Map<PortId, Integer> givenTwice = new HashMap<>();
    /** Ports of another VNI given to this slice, and their VNI. */
    private final Map<PortId, Vni> otherVni = new HashMap<>();
    /** The remote hosts the VNI floods to, counted (see {@link FloodHosts}). */
    private final FloodHosts remoteHosts = new FloodHosts();

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

    /** Nothing to install: no local port in the VNI and no departed one (remote members alone make no flow). */
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
     * How many inputs the slice leaves out now: the size of {@link #conflicts}, without listing them. Remote members
     * conflict only while the host carries the VNI (has a local port in it), as in {@link FlowCompiler}.
     */
    public int conflictCount() {
        int n = localConflicts.size() + otherVni.size();
        if (!locals.isEmpty()) {
            n += remotes.size() - heldRemoteMacs;
            for (int twice : givenTwice.values()) {
                n += twice;
            }
            if (remoteHosts.size() > FlowCompiler.MAX_FLOOD_HOSTS) {
                n++;
            }
        }
        return n;
    }

    /**
     * The inputs the slice leaves out now and why, in {@link Conflict#ORDER}: what
     * {@link FlowCompiler#compileWithConflicts} lists for the same ports, and the ports of other VNIs it was given.
     */
    public List<Conflict> conflicts() {
        List<Conflict> all = new ArrayList<>(localConflicts);
        otherVni.forEach((port, v) -> all.add(new Conflict(Conflict.Kind.OTHER_VNI, v, port, null)));
        if (!locals.isEmpty()) {
            givenTwice.forEach((port, n) -> {
                for (int i = 0; i < n; i++) {
                    all.add(new Conflict(Conflict.Kind.REMOTE_PORT_TWICE, vni, port, port));
                }
            });
            localMacs.forEach((mac, local) -> membersWith(mac)
                    .forEach(port -> all.add(new Conflict(Conflict.Kind.REMOTE_MAC_LOCAL, vni, port, local))));
            sharedMacs.forEach((mac, ports) -> {
                if (!localMacs.containsKey(mac)) {
                    PortId winner = ports.first();
                    ports.tailSet(winner, false)
                            .forEach(port -> all.add(new Conflict(Conflict.Kind.REMOTE_MAC, vni, port, winner)));
                }
            });
            if (remoteHosts.size() > FlowCompiler.MAX_FLOOD_HOSTS) {
                all.add(new Conflict(Conflict.Kind.FLOOD_LIMIT, vni, null, null));
            }
        }
        all.sort(Conflict.ORDER);
        return all;
    }

    /** {@link #reset(List, Collection, List)} with no departed port. */
    public FlowDiff reset(List<HostView.LocalPort> newLocals, Collection<HostView.RemotePort> newRemotes) {
        return reset(newLocals, newRemotes, List.of());
    }

    /**
     * The local ports, remote members and departed ports of this VNI, all of them: the slice is compiled again from
     * scratch. Local and remote ports of other VNIs are ignored (and listed as conflicts until the next reset), as
     * are departed ports of other VNIs (not listed: they go with their grace time). Departed ports change only here.
     */
    public FlowDiff reset(
            List<HostView.LocalPort> newLocals,
            Collection<HostView.RemotePort> newRemotes,
            List<HostView.DepartedPort> departed) {
        Map<PortId, Vni> foreign = new HashMap<>();
        List<HostView.LocalPort> mine = new ArrayList<>(newLocals.size());
        for (HostView.LocalPort l : newLocals) {
            if (vni.equals(l.vni())) {
                mine.add(l);
            } else {
                foreign.put(l.port(), l.vni());
            }
        }
        RemoteMembers given = new RemoteMembers();
        for (HostView.RemotePort r : newRemotes) {
            if (vni.equals(r.vni())) {
                given.add(r);
            } else {
                foreign.put(r.port(), r.vni());
            }
        }
        Collection<HostView.RemotePort> members = given.byPort.values();
        List<Conflict> leftOut = new ArrayList<>();
        List<HostView.LocalPort> taken = LocalAdmission.admit(mine, leftOut);
        List<HostView.DepartedPort> mineDeparted =
                departed.stream().filter(d -> vni.equals(d.vni())).toList();
        FlowPlan fresh = FlowCompiler.compile(new HostView(host, taken, List.copyOf(members), mineDeparted));
        FlowDiff diff = FlowPlan.diff(fresh.flows(), fresh.groups(), flows, groups);

        locals = List.copyOf(taken);
        localMacs.clear();
        taken.forEach(l -> localMacs.put(l.mac(), l.port()));
        localConflicts = List.copyOf(leftOut);
        otherVni.clear();
        otherVni.putAll(foreign);
        givenTwice.clear();
        givenTwice.putAll(given.givenTwice());
        remotes.clear();
        remoteByMac.clear();
        sharedMacs.clear();
        remoteHosts.clear();
        heldRemoteMacs = 0;
        members.forEach(this::join);
        for (Mac mac : remoteByMac.keySet()) {
            HostView.RemotePort holder = holder(mac);
            if (holder != null) {
                heldRemoteMacs++;
                remoteHosts.joined(holder);
            }
        }
        for (HostView.LocalPort l : taken) {
            if (l.twin() != null) {
                remoteHosts.joined(l.twin());
            }
        }
        adopt(flows, fresh.flows());
        adopt(groups, fresh.groups());
        tunnelGroupIds = FlowCompiler.tunnelGroupIds(vni, remoteHosts.size());
        return diff;
    }

    /**
     * A remote member was added, or changed its MAC or host, or started or stopped moving. A member of another VNI is
     * ignored (see the class description).
     */
    public FlowDiff putRemote(HostView.RemotePort r) {
        if (!vni.equals(r.vni())) {
            otherVni.put(r.port(), r.vni());
            return FlowDiff.NONE;
        }
        forgetConflictsOf(r.port());
        HostView.RemotePort old = remotes.get(r.port());
        if (r.equals(old)) {
            return FlowDiff.NONE;
        }
        Mac oldMac = old == null || old.mac().equals(r.mac()) ? null : old.mac();
        HostView.RemotePort oldMacHolder = oldMac == null ? null : holder(oldMac);
        HostView.RemotePort newMacHolder = holder(r.mac());
        if (old != null) {
            leave(old);
        }
        join(r);
        SliceChanges changes = locals.isEmpty() ? null : new SliceChanges(flows, groups);
        boolean hostsChanged = oldMac != null && handOver(oldMac, oldMacHolder, holder(oldMac), changes);
        hostsChanged |= handOver(r.mac(), newMacHolder, holder(r.mac()), changes);
        return finish(changes, hostsChanged);
    }

    /** A remote member left (unbound, bound here, or deleted). Unknown members change nothing. */
    public FlowDiff removeRemote(PortId port) {
        forgetConflictsOf(port);
        HostView.RemotePort old = remotes.get(port);
        if (old == null) {
            return FlowDiff.NONE;
        }
        HostView.RemotePort before = holder(old.mac());
        leave(old);
        SliceChanges changes = locals.isEmpty() ? null : new SliceChanges(flows, groups);
        return finish(changes, handOver(old.mac(), before, holder(old.mac()), changes));
    }

    private FlowDiff finish(SliceChanges changes, boolean hostsChanged) {
        if (changes == null) {
            return FlowDiff.NONE; // no local port: no flow, and the flood groups are rebuilt by the next reset
        }
        if (hostsChanged) {
            floodToTunnelChanged(changes);
        }
        return changes.diff();
    }

    /** A member given again or removed is no longer given twice, nor of another VNI. */
    private void forgetConflictsOf(PortId port) {
        if (!givenTwice.isEmpty()) {
            givenTwice.remove(port);
        }
        if (!otherVni.isEmpty()) {
            otherVni.remove(port);
        }
    }

    /**
     * The member that holds {@code mac} (has the flow to it) changed from {@code before} to {@code after} (either
     * null when none does): moves the flow and the host counts, and records the change in {@code changes} (null when
     * the slice has no flow).
     *
     * @return whether a host joined or left the VNI's flood groups
     */
    private boolean handOver(Mac mac, HostView.RemotePort before, HostView.RemotePort after, SliceChanges changes) {
        if (Objects.equals(before, after)) {
            return false;
        }
        boolean hostsChanged = false;
        if (after != null) {
            hostsChanged = remoteHosts.joined(after); // before leaving: a host in both stays without a change
        }
        if (before != null) {
            hostsChanged |= remoteHosts.left(before);
        }
        if (before == null) {
            heldRemoteMacs++;
        } else if (after == null) {
            heldRemoteMacs--;
        }
        if (changes != null) {
            if (after != null) {
                changes.putFlow(FlowCompiler.remote(after));
            } else {
                changes.deleteFlow(FlowCompiler.unicastKey(vni, mac));
            }
        }
        return hostsChanged;
    }

    /** The remote member with the flow to {@code mac}: none when a local port has it, else the smallest port id. */
    private HostView.RemotePort holder(Mac mac) {
        if (localMacs.containsKey(mac)) {
            return null;
        }
        PortId port = remoteByMac.get(mac);
        return port == null ? null : remotes.get(port);
    }

    /** The remote members with {@code mac}. */
    private Collection<PortId> membersWith(Mac mac) {
        TreeSet<PortId> shared = sharedMacs.get(mac);
        if (shared != null) {
            return shared;
        }
        PortId port = remoteByMac.get(mac);
        return port == null ? List.of() : List.of(port);
    }

    private void join(HostView.RemotePort r) {
        remotes.put(r.port(), r);
        PortId first = remoteByMac.putIfAbsent(r.mac(), r.port());
        if (first != null) {
            TreeSet<PortId> shared = sharedMacs.computeIfAbsent(r.mac(), m -> new TreeSet<>(List.of(first)));
            shared.add(r.port());
            remoteByMac.put(r.mac(), shared.first());
        }
    }

    private void leave(HostView.RemotePort r) {
        remotes.remove(r.port());
        TreeSet<PortId> shared = sharedMacs.get(r.mac());
        if (shared == null) {
            remoteByMac.remove(r.mac());
            return;
        }
        shared.remove(r.port());
        remoteByMac.put(r.mac(), shared.first());
        if (shared.size() == 1) {
            sharedMacs.remove(r.mac());
        }
    }

    /** The flood-to-tunnel groups after the set of remote hosts may have changed, and the flows that name them. */
    private void floodToTunnelChanged(SliceChanges changes) {
        List<GroupEntry> wanted = FlowCompiler.tunnelGroups(vni, remoteHosts.list());
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
}
