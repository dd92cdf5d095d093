package io.portmesh.sharding.host;

import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.VlanAllocator;
import io.portmesh.model.VlanId;
import io.portmesh.model.Vni;
import io.portmesh.model.flow.FlowCompiler;
import io.portmesh.model.flow.FlowPlan;
import io.portmesh.model.flow.HostView;
import io.portmesh.persistence.CborSerializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The persisted state of a Host entity: what a host's switch must do, and nothing about connections (those are
 * runtime facts, see {@link HostSouthbound}). Immutable; {@code planVersion} grows with every change of the plan, so
 * that a caller can wait until the agents acknowledged a given version.
 *
 * @param bindings port id -> the port bound on this host
 * @param switches switch id -> members of that switch (all hosts), for the switches this host has ports in
 */
public record HostState(
        String id,
        String tunnelIp,
        Map<String, LocalBinding> bindings,
        Map<String, SwitchMembers> switches,
        long generation,
        long planVersion)
        implements CborSerializable {

    public record LocalBinding(String mac, String switchId, int vni, int vlan) implements CborSerializable {}

    public record Member(String port, String mac, String host, String tunnelIp) implements CborSerializable {}

    public record SwitchMembers(int vni, List<Member> members) implements CborSerializable {}

    public static HostState empty(String id) {
        return new HostState(id, null, Map.of(), Map.of(), 0, 0);
    }

    public boolean exists() {
        return tunnelIp != null;
    }

    public HostState registered(String tunnelIp) {
        return new HostState(id, tunnelIp, bindings, switches, generation, planVersion);
    }

    public HostState bound(String port, LocalBinding b) {
        Map<String, LocalBinding> m = new TreeMap<>(bindings);
        m.put(port, b);
        return new HostState(id, tunnelIp, m, switches, generation, planVersion + 1);
    }

    public HostState unbound(String port) {
        Map<String, LocalBinding> m = new TreeMap<>(bindings);
        LocalBinding gone = m.remove(port);
        Map<String, SwitchMembers> s = switches;
        if (gone != null && m.values().stream().noneMatch(b -> b.switchId().equals(gone.switchId()))) {
            s = new TreeMap<>(switches);
            s.remove(gone.switchId()); // no port left in that switch: forget its members
        }
        return new HostState(id, tunnelIp, m, s, generation, planVersion + 1);
    }

    public HostState membersChanged(String switchId, SwitchMembers members) {
        Map<String, SwitchMembers> s = new TreeMap<>(switches);
        s.put(switchId, members);
        return new HostState(id, tunnelIp, bindings, s, generation, planVersion + 1);
    }

    public HostState generation(long g) {
        return new HostState(id, tunnelIp, bindings, switches, g, planVersion);
    }

    public boolean hasPortIn(String switchId) {
        return bindings.values().stream().anyMatch(b -> b.switchId().equals(switchId));
    }

    public VlanAllocator vlans() {
        return VlanAllocator.of(
                bindings.values().stream().map(b -> new VlanId(b.vlan())).toList());
    }

    /** This host's view of the topology: the only input of its flow plan. */
    public HostView view() {
        List<HostView.LocalPort> locals = new ArrayList<>();
        bindings.forEach((port, b) -> locals.add(
                new HostView.LocalPort(PortId.of(port), Mac.parse(b.mac()), new Vni(b.vni()), new VlanId(b.vlan()))));
        List<HostView.RemotePort> remotes = new ArrayList<>();
        switches.forEach((sw, members) -> {
            if (!hasPortIn(sw)) {
                return;
            }
            for (Member m : members.members()) {
                if (m.host() != null && !m.host().equals(id) && m.tunnelIp() != null) {
                    remotes.add(new HostView.RemotePort(
                            PortId.of(m.port()), Mac.parse(m.mac()), new Vni(members.vni()), Ipv4.parse(m.tunnelIp())));
                }
            }
        });
        return new HostView(HostId.of(id), locals, remotes);
    }

    public FlowPlan plan() {
        return FlowCompiler.compile(view());
    }
}
