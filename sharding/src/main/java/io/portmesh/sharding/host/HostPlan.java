package io.portmesh.sharding.host;

import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.Vni;
import io.portmesh.model.flow.FlowCompiler;
import io.portmesh.model.flow.FlowDiff;
import io.portmesh.model.flow.FlowPlan;
import io.portmesh.model.flow.HostView;
import io.portmesh.sharding.lswitch.SwitchMembers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A host's desired flow plan, held per VNI: a change in one logical switch recompiles and diffs only that switch's
 * slice (tens of flows), not the host's whole plan (thousands), which is what lets a binding fan out to every host of
 * a large switch cheaply. The local ports come from the persisted {@link HostState}; the other members of each switch
 * are kept here, in memory only, as the switch last sent them.
 *
 * <p>After a restart the member lists are gone until the switches answer; {@link #loading} names the switches still
 * being asked, and while it is not empty the plan is incomplete and must not be pushed (a push would delete the
 * agent's flows to the members not yet known).
 */
final class HostPlan {
    private final Map<String, SwitchMembers> membersBySwitch = new HashMap<>();
    private final Map<Integer, FlowPlan> sliceByVni = new HashMap<>();
    private final Set<String> loading = new HashSet<>();
    private int flowCount;

    /** Recompiles every slice from scratch (after recovery); the switches in {@code fetching} are being asked. */
    void rebuild(HostState s, Set<String> fetching) {
        membersBySwitch.clear();
        loading.clear();
        loading.addAll(fetching);
        sliceByVni.clear();
        flowCount = 0;
        s.bindings().values().stream()
                .map(HostState.LocalBinding::vni)
                .distinct()
                .forEach(vni -> recompile(s, vni));
    }

    /** The host's own bindings of {@code switchId} (VNI {@code vni}) changed. */
    FlowDiff localsChanged(HostState s, String switchId, int vni) {
        if (!s.hasPortIn(switchId)) {
            membersBySwitch.remove(switchId); // no port left here: the switch stops telling us, forget what it said
            loading.remove(switchId);
        }
        return recompile(s, vni);
    }

    /**
     * A switch's member list arrived (after a change, or fetched). Ignored when this host has no port in the switch or
     * already holds this version or a newer one.
     */
    FlowDiff membersChanged(HostState s, String switchId, SwitchMembers m) {
        if (!s.hasPortIn(switchId)) {
            return FlowDiff.NONE;
        }
        SwitchMembers held = membersBySwitch.get(switchId);
        if (held != null && held.version() >= m.version()) {
            loading.remove(switchId);
            return FlowDiff.NONE;
        }
        membersBySwitch.put(switchId, m);
        loading.remove(switchId);
        return recompile(s, s.vniOf(switchId).orElse(m.vni()));
    }

    boolean complete() {
        return loading.isEmpty();
    }

    Set<String> loading() {
        return Set.copyOf(loading);
    }

    FlowPlan full() {
        return FlowPlan.union(sliceByVni.values());
    }

    int flowCount() {
        return flowCount;
    }

    private FlowDiff recompile(HostState s, int vni) {
        FlowPlan before = sliceByVni.getOrDefault(vni, FlowPlan.EMPTY);
        FlowPlan after = FlowCompiler.compile(view(s, vni));
        if (after.flows().isEmpty() && after.groups().isEmpty()) {
            sliceByVni.remove(vni);
        } else {
            sliceByVni.put(vni, after);
        }
        flowCount += after.flows().size() - before.flows().size();
        return after.diffFrom(before);
    }

    /** The slice of the host's view for one VNI: its local ports there, and the members bound on other hosts. */
    private HostView view(HostState s, int vni) {
        List<HostView.LocalPort> locals = new ArrayList<>();
        List<HostView.RemotePort> remotes = new ArrayList<>();
        Set<String> switches = new HashSet<>();
        s.bindings().forEach((port, b) -> {
            if (b.vni() == vni) {
                locals.add(b.toLocalPort(port));
                switches.add(b.switchId());
            }
        });
        for (String sw : switches) {
            SwitchMembers m = membersBySwitch.get(sw);
            if (m == null) {
                continue;
            }
            for (SwitchMembers.Member r : m.members()) {
                if (r.isBound() && !r.host().equals(s.id())) {
                    remotes.add(new HostView.RemotePort(
                            PortId.of(r.port()), Mac.parse(r.mac()), new Vni(vni), Ipv4.parse(r.tunnelIp())));
                }
            }
        }
        return new HostView(s.hostId(), locals, remotes);
    }
}
