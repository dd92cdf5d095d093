package io.portmesh.sharding.host;

import io.portmesh.model.AgentPin;
import io.portmesh.model.CborSerializable;
import io.portmesh.model.HostId;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.VlanAllocator;
import io.portmesh.model.VlanId;
import io.portmesh.model.Vni;
import io.portmesh.model.flow.HostView;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The persisted state of a Host entity: its tunnel endpoints (one per agent slot) and which slot is active, the ports
 * bound on it and the master generation. Nothing
 * about connections (runtime facts, see {@link HostSouthbound}) and nothing about the other members of its logical
 * switches: those belong to the switches, which send them to the host after every change and on request after a
 * restart ({@link HostPlan}). A host therefore writes to the journal only when its own bindings or its master change.
 *
 * @param bindings port id -> the port bound on this host
 */
public record HostState(
        String id,
        String tunnelIp,
        Map<String, LocalBinding> bindings,
        long generation,
        Map<String, String> slotEndpoints,
        String activeSlot,
        long endpointEpoch,
        Map<String, AgentPin> pins)
        implements CborSerializable {
    /** The slot that is active until a failover says otherwise (and in states written before failover). */
    public static final String FIRST_SLOT = "a";

    /**
     * @param tunnelIp the endpoint the host was registered with: slot {@code a}'s
     * @param slotEndpoints the tunnel endpoints other slots announced (docs/architecture.md section 7.2)
     * @param activeSlot the slot whose agent forwards the host's VM traffic (its trunk up, peers tunnel to it)
     * @param endpointEpoch grows with every change of the active slot: the switches keep the newest endpoint by it
     * @param pins what the registration pins of each slot's agent (docs/architecture.md section 13.1); none in states
     *     written before pins
     */
    public HostState {
        slotEndpoints = slotEndpoints == null ? Map.of() : Map.copyOf(slotEndpoints);
        pins = pins == null ? Map.of() : Map.copyOf(pins);
        activeSlot = activeSlot == null ? FIRST_SLOT : activeSlot;
    }

    public HostState(String id, String tunnelIp, Map<String, LocalBinding> bindings, long generation) {
        this(id, tunnelIp, bindings, generation, Map.of(), FIRST_SLOT, 0, Map.of());
    }

    /**
     * A port bound here. {@code arriving}: the port moves here live and its VM has not announced itself yet
     * (docs/architecture.md section 7.1); the VLAN is its own all the same. {@code announced}: its VM announced itself
     * here (persisted, so that the port is told again until it confirms the arrival, also after this host restarts).
     */
    public record LocalBinding(String mac, String switchId, int vni, int vlan, boolean arriving, boolean announced)
            implements CborSerializable {
        public LocalBinding(String mac, String switchId, int vni, int vlan) {
            this(mac, switchId, vni, vlan, false, false);
        }

        public LocalBinding(String mac, String switchId, int vni, int vlan, boolean arriving) {
            this(mac, switchId, vni, vlan, arriving, false);
        }

        /** The port as the flow compiler sees it; {@code twin}: the other host's endpoint while it moves, or null. */
        HostView.LocalPort toLocalPort(String port, io.portmesh.model.Ipv4 twin) {
            return new HostView.LocalPort(
                    PortId.of(port), Mac.parse(mac), new Vni(vni), new VlanId(vlan), twin, arriving);
        }

        LocalBinding arrived() {
            return new LocalBinding(mac, switchId, vni, vlan, false, false);
        }
    }

    public static HostState empty(String id) {
        return new HostState(id, null, Map.of(), 0);
    }

    public boolean exists() {
        return tunnelIp != null;
    }

    public HostState registered(String tunnelIp) {
        return new HostState(id, tunnelIp, bindings, generation, slotEndpoints, activeSlot, endpointEpoch, pins);
    }

    /** The tunnel endpoint of a slot's agent: slot a's is the registered one; others' as announced, or null. */
    public String endpointOf(String slot) {
        return FIRST_SLOT.equals(slot) ? tunnelIp : slotEndpoints.get(slot);
    }

    /** Where peers tunnel to: the active slot's endpoint (the registered one while it is unknown). */
    public String activeTep() {
        String tep = endpointOf(activeSlot);
        return tep == null ? tunnelIp : tep;
    }

    public HostState slotEndpoint(String slot, String tep) {
        Map<String, String> m = new TreeMap<>(slotEndpoints);
        m.put(slot, tep);
        return new HostState(id, tunnelIp, bindings, generation, m, activeSlot, endpointEpoch, pins);
    }

    public HostState activeSlot(String slot, long epoch) {
        return new HostState(id, tunnelIp, bindings, generation, slotEndpoints, slot, epoch, pins);
    }

    public HostState bound(String port, LocalBinding b) {
        Map<String, LocalBinding> m = new TreeMap<>(bindings);
        m.put(port, b);
        return new HostState(id, tunnelIp, m, generation, slotEndpoints, activeSlot, endpointEpoch, pins);
    }

    /** The VM of the port arriving here announced itself. */
    public HostState announced(String port) {
        LocalBinding b = bindings.get(port);
        return b == null
                ? this
                : bound(port, new LocalBinding(b.mac(), b.switchId(), b.vni(), b.vlan(), b.arriving(), true));
    }

    /** The port that moved here was activated: it stops arriving. */
    public HostState arrived(String port) {
        LocalBinding b = bindings.get(port);
        return b == null ? this : bound(port, b.arrived());
    }

    public HostState unbound(String port) {
        Map<String, LocalBinding> m = new TreeMap<>(bindings);
        m.remove(port);
        return new HostState(id, tunnelIp, m, generation, slotEndpoints, activeSlot, endpointEpoch, pins);
    }

    public HostState pinned(Map<String, AgentPin> newPins) {
        return new HostState(id, tunnelIp, bindings, generation, slotEndpoints, activeSlot, endpointEpoch, newPins);
    }

    public HostState generation(long g) {
        return new HostState(id, tunnelIp, bindings, g, slotEndpoints, activeSlot, endpointEpoch, pins);
    }

    public boolean hasPortIn(String switchId) {
        return bindings.values().stream().anyMatch(b -> b.switchId().equals(switchId));
    }

    /** The VNI of a switch this host has ports in. */
    public Optional<Integer> vniOf(String switchId) {
        return bindings.values().stream()
                .filter(b -> b.switchId().equals(switchId))
                .map(LocalBinding::vni)
                .findFirst();
    }

    public VlanAllocator vlans() {
        return VlanAllocator.of(
                bindings.values().stream().map(b -> new VlanId(b.vlan())).toList());
    }

    public HostId hostId() {
        return HostId.of(id);
    }
}
