package io.portmesh.sharding.host;

import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.Vni;
import io.portmesh.model.flow.Conflict;
import io.portmesh.model.flow.FlowDiff;
import io.portmesh.model.flow.FlowPlan;
import io.portmesh.model.flow.HostView;
import io.portmesh.model.flow.PlanSlice;
import io.portmesh.sharding.lswitch.SwitchMembers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A host's desired flow plan, held per VNI ({@link PlanSlice}): a change of one member of a logical switch updates
 * only that member's flow (and the flood groups when its host joins or leaves the switch), and a change of the host's
 * own ports recompiles only that switch's slice, never the host's whole plan; this is what lets a binding fan out to
 * every host of a large switch cheaply. The local ports come from the persisted {@link HostState}; the other members of each switch
 * are kept here, in memory only, as the switch last sent them.
 *
 * <p>After a restart the member lists are gone until the switches answer; {@link #loading} names the switches still
 * being asked, and while it is not empty the plan is incomplete and must not be pushed (a push would delete the
 * agent's flows to the members not yet known).
 */
final class HostPlan {
    /** A switch's member list as this host holds it: its version, and the members bound elsewhere, parsed once. */
    private static final class Held {
        long version;
        final Map<String, HostView.RemotePort> remotes = new HashMap<>();
        /** Members bound here that move live: the other host's endpoint (where it moves to, or from). */
        final Map<String, Ipv4> twins = new HashMap<>();

        Held(long version) {
            this.version = version;
        }

        /**
         * @return the member as a remote port of this host, or null when it is not bound on another host (a member
         *     moving to or from this host is bound here: its local port's twin is the other end)
         */
        HostView.RemotePort put(String self, int vni, SwitchMembers.Member m) {
            twins.remove(m.port());
            if (!m.isBound() || m.isOn(self)) {
                remotes.remove(m.port());
                if (m.isMoving()) {
                    twins.put(m.port(), Ipv4.parse(m.host().equals(self) ? m.movingToTunnelIp() : m.tunnelIp()));
                }
                return null;
            }
            HostView.RemotePort r = new HostView.RemotePort(
                    PortId.of(m.port()), Mac.parse(m.mac()), new Vni(vni), Ipv4.parse(m.tunnelIp()), alsoTo(m));
            remotes.put(m.port(), r);
            return r;
        }
    }

    /**
     * Where else a remote member's frames go: its host's standby switch VM (docs/architecture.md section 7.2), which
     * keeps the last moments' frames to deliver if it takes over. Not where a moving member moves to: its frames reach
     * that host through the source, after the source delivered them (section 7.1, the relay through the source).
     */
    private static Ipv4 alsoTo(SwitchMembers.Member m) {
        return m.standbyTunnelIp() == null ? null : Ipv4.parse(m.standbyTunnelIp());
    }

    private final Map<String, Held> heldBySwitch = new HashMap<>();
    /** Linked: a whole-plan walk ({@link #full}, {@link #conflicts}) skips the empty buckets a HashMap would visit. */
    private final Map<Integer, PlanSlice> sliceByVni = new java.util.LinkedHashMap<>();
    /**
     * Each slice's conflict count as last counted, and their sum: a change recounts its own slice only, so that the
     * gauge read after every change costs one slice, not all of them.
     */
    private final Map<Integer, Integer> conflictsByVni = new HashMap<>();

    private int conflicts;

    private final Set<String> loading = new HashSet<>();

    /** The ports let go of after they moved away, during their straggler grace. */
    private final HostDepartures departures = new HostDepartures();

    /** Recompiles every slice from scratch (after recovery); the switches in {@code fetching} are being asked. */
    void rebuild(HostState s, Set<String> fetching) {
        heldBySwitch.clear();
        departures.clear();
        loading.clear();
        loading.addAll(fetching);
        sliceByVni.clear();
        conflictsByVni.clear();
        conflicts = 0;
        s.bindings().values().stream()
                .map(HostState.LocalBinding::vni)
                .distinct()
                .forEach(vni -> recompile(s, vni));
    }

    /** The host's own bindings of {@code switchId} (VNI {@code vni}) changed. */
    FlowDiff localsChanged(HostState s, String switchId, int vni) {
        if (!s.hasPortIn(switchId)) {
            heldBySwitch.remove(switchId); // no port left here: the switch stops telling us, forget what it said
            loading.remove(switchId);
        }
        return recompile(s, vni);
    }

    /**
     * A switch's whole member list arrived (after a change, or fetched). Ignored when this host has no port in the
     * switch or already holds this version or a newer one.
     */
    FlowDiff membersChanged(HostState s, String switchId, SwitchMembers m) {
        if (!s.hasPortIn(switchId)) {
            return FlowDiff.NONE;
        }
        Held held = heldBySwitch.get(switchId);
        loading.remove(switchId);
        if (held != null && held.version >= m.version()) {
            return FlowDiff.NONE;
        }
        int vni = s.vniOf(switchId).orElse(m.vni());
        Held fresh = new Held(m.version());
        m.members().forEach(member -> fresh.put(s.id(), vni, member));
        heldBySwitch.put(switchId, fresh);
        return recompile(s, vni);
    }

    /**
     * One member of a switch changed. @return what it changes in the plan, or null when this host does not hold the
     * version just before it (it restarted, or missed a change): then only the whole list will do.
     */
    FlowDiff memberChanged(HostState s, String switchId, SwitchMembers.Change c) {
        if (!s.hasPortIn(switchId)) {
            return FlowDiff.NONE;
        }
        Held held = heldBySwitch.get(switchId);
        if (held == null || held.version < c.version() - 1) {
            return null;
        }
        if (held.version >= c.version()) {
            return FlowDiff.NONE; // seen already
        }
        int vni = s.vniOf(switchId).orElse(c.vni());
        HostView.RemotePort r = held.put(s.id(), vni, c.member());
        held.version = c.version();
        if (s.bindings().containsKey(c.member().port())) {
            return recompile(s, vni); // a port bound here started or ended a move: its local flows change
        }
        PlanSlice slice = sliceByVni.get(vni);
        if (slice == null) {
            return recompile(s, vni); // no slice yet: cannot happen while the host has a port in the switch
        }
        FlowDiff diff = r == null ? slice.removeRemote(PortId.of(c.member().port())) : slice.putRemote(r);
        recount(vni, slice);
        return diff;
    }

    /**
     * Port {@code port}, bound here in {@code before}, is being let go of. When it is the source's end of a live move
     * (bound here for good, not arriving, with the other host as its twin: the activation re-pointed its peers there),
     * its straggler flow to that host joins the plan with the unbinding's recompile (see {@link HostDepartures}).
     *
     * @return the departure's token, or -1 when the port did not move away (a plain unbinding, or an arrival taken
     *     back: the frames still reaching the destination then are the source's relayed copies, delivered already)
     */
    long letGo(HostState before, String port, java.time.Duration grace) {
        HostState.LocalBinding b = before.bindings().get(port);
        if (b == null || b.arriving()) {
            return -1;
        }
        Ipv4 to = twinOf(heldBySwitch.get(b.switchId()), port);
        return to == null ? -1 : departures.depart(port, b, to, grace);
    }

    /** Whether {@code port} moved away from here within its straggler grace (its straggler flow is in the plan). */
    boolean departing(String port) {
        return departures.has(port);
    }

    /** The grace of departure {@code token} of {@code port} ended. @return the change, or null when none */
    FlowDiff departureOver(HostState s, String port, long token) {
        Integer vni = departures.over(port, token);
        return vni == null ? null : recompile(s, vni);
    }

    /** The version of a switch's member list held here, or -1. */
    long heldVersion(String switchId) {
        Held held = heldBySwitch.get(switchId);
        return held == null ? -1 : held.version;
    }

    boolean complete() {
        return loading.isEmpty();
    }

    Set<String> loading() {
        return Set.copyOf(loading);
    }

    /**
     * The whole plan. Slices are disjoint by VNI; the one overlap the allocator never makes (two local ports of
     * different VNIs on one VLAN) is resolved by FlowPlan's rule and reported to {@code leftOut}.
     */
    FlowPlan full(java.util.function.Consumer<Object> leftOut) {
        return FlowPlan.union(sliceByVni.values().stream().map(PlanSlice::plan).toList(), leftOut);
    }

    /** How many inputs the plan leaves out now by the compiler's conflict rules (state, not history). */
    int conflictCount() {
        return conflicts;
    }

    /** The slice of {@code vni} changed ({@code slice} null: it is gone): its share of {@link #conflicts} too. */
    private void recount(int vni, PlanSlice slice) {
        int now = slice == null ? 0 : slice.conflictCount();
        Integer before = now == 0 ? conflictsByVni.remove(vni) : conflictsByVni.put(vni, now);
        conflicts += now - (before == null ? 0 : before);
    }

    /** The inputs left out and why, for a log line (allocates: call it when {@link #conflictCount} changed). */
    List<Conflict> conflicts() {
        List<Conflict> all = new ArrayList<>();
        sliceByVni.values().forEach(slice -> all.addAll(slice.conflicts()));
        all.sort(Conflict.ORDER);
        return all;
    }

    int flowCount() {
        int flows = 0;
        for (PlanSlice slice : sliceByVni.values()) {
            flows += slice.flowCount();
        }
        return flows;
    }

    /** Compiles a VNI's slice again from the host's local ports and the members it holds. */
    private FlowDiff recompile(HostState s, int vni) {
        PlanSlice slice = sliceByVni.computeIfAbsent(vni, v -> new PlanSlice(s.hostId(), new Vni(v)));
        HostView view = view(s, vni);
        FlowDiff diff = slice.reset(view.localPorts(), view.remotePorts(), view.departedPorts());
        if (slice.isEmpty()) {
            sliceByVni.remove(vni);
            recount(vni, null);
        } else {
            recount(vni, slice);
        }
        return diff;
    }

    /**
     * The slice of the host's view for one VNI: its local ports there, and the members bound on other hosts.
     *
     * <p>A port bound here that its switch holds as bound on another host only is in the middle of a live move
     * (docs/architecture.md section 7.1): arriving here before the switch marked the move, activated away from here
     * before this host let it go, or being taken back from here. Its VM may be on either host, so it keeps its local
     * flows and gets that other host as its twin (frames from this host's own VMs go to both), and the member is not
     * also given as a remote port (a local port would win over it anyway, counted as a conflict).
     */
    private HostView view(HostState s, int vni) {
        List<HostView.LocalPort> locals = new ArrayList<>();
        List<HostView.RemotePort> remotes = new ArrayList<>();
        Set<String> switches = new HashSet<>();
        s.bindings().forEach((port, b) -> {
            if (b.vni() == vni) {
                locals.add(b.toLocalPort(port, twinOf(heldBySwitch.get(b.switchId()), port)));
                switches.add(b.switchId());
            }
        });
        for (String sw : switches) {
            Held held = heldBySwitch.get(sw);
            if (held != null) {
                held.remotes.forEach((port, r) -> {
                    if (!s.bindings().containsKey(port)) {
                        remotes.add(r);
                    }
                });
            }
        }
        return new HostView(s.hostId(), locals, remotes, departures.in(vni, s.bindings()));
    }

    /** The other end of a port bound here while it moves, or null; see {@link #view}. */
    private static Ipv4 twinOf(Held held, String port) {
        if (held == null) {
            return null;
        }
        Ipv4 twin = held.twins.get(port);
        if (twin != null) {
            return twin;
        }
        HostView.RemotePort elsewhere = held.remotes.get(port);
        return elsewhere == null ? null : elsewhere.tunnelIp();
    }
}
