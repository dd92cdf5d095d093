package io.portmesh.model.flow;

import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.VlanId;
import io.portmesh.model.Vni;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which of a host's local ports a plan takes ({@link FlowCompiler}'s rules 1 and 2): one port per VLAN, one per MAC
 * in a VNI, at most {@link FlowCompiler#MAX_LOCAL_PORTS_PER_SWITCH} per VNI, in an order that does not depend on the
 * view's. Shared by the whole compile and by {@link PlanSlice}'s incremental one.
 */
final class LocalAdmission {
    private LocalAdmission() {}

    /**
     * The order local ports are taken in (rule 2): by port id, then VNI, VLAN, MAC, twin and arriving, so that the
     * outcome does not depend on the order of the view, and the buckets of the groups that flood to local ports
     * follow it too.
     */
    static final Comparator<HostView.LocalPort> LOCAL_ORDER = Comparator.comparing(HostView.LocalPort::port)
            .thenComparing(HostView.LocalPort::vni)
            .thenComparing(HostView.LocalPort::vlan)
            .thenComparing(HostView.LocalPort::mac)
            .thenComparing(HostView.LocalPort::twin, FlowCompiler.MAYBE_TUNNEL_ORDER)
            .thenComparing(HostView.LocalPort::arriving);

    /**
     * The local ports the plan keeps, in {@link #LOCAL_ORDER} (rules 1 and 2); each one left out is added to
     * {@code conflicts}.
     */
    static List<HostView.LocalPort> admit(List<HostView.LocalPort> ports, List<Conflict> conflicts) {
        List<HostView.LocalPort> sorted = new ArrayList<>(ports);
        sorted.sort(LOCAL_ORDER);
        List<HostView.LocalPort> taken = new ArrayList<>(sorted.size());
        Map<VlanId, PortId> vlans = new HashMap<>();
        Map<VniMac, PortId> macs = new HashMap<>();
        Map<Vni, Integer> perVni = new HashMap<>();
        HostView.LocalPort previous = null;
        for (HostView.LocalPort p : sorted) {
            if (p.equals(previous)) {
                continue;
            }
            previous = p;
            PortId vlanHolder = vlans.get(p.vlan());
            VniMac mac = new VniMac(p.vni(), p.mac());
            PortId macHolder = macs.get(mac);
            if (vlanHolder != null) {
                conflicts.add(new Conflict(Conflict.Kind.LOCAL_VLAN, p.vni(), p.port(), vlanHolder));
            } else if (macHolder != null) {
                conflicts.add(new Conflict(Conflict.Kind.LOCAL_MAC, p.vni(), p.port(), macHolder));
            } else if (perVni.merge(p.vni(), 1, Integer::sum) > FlowCompiler.MAX_LOCAL_PORTS_PER_SWITCH) {
                conflicts.add(new Conflict(Conflict.Kind.LOCAL_LIMIT, p.vni(), p.port(), null));
            } else {
                vlans.put(p.vlan(), p.port());
                macs.put(mac, p.port());
                taken.add(p);
            }
        }
        return taken;
    }

    private record VniMac(Vni vni, Mac mac) {}
}
