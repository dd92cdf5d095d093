package io.portmesh.sharding.lswitch;

import io.portmesh.model.CborSerializable;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A logical switch: its VNI (0 while it does not exist), its member ports with where each is bound, and the version of
 * that membership, which grows with every binding change so that hosts can tell a newer member list from an older one.
 * {@code lastChange} is the change that made {@code version} (null while no binding changed since the switch was
 * created, or in a snapshot taken before it was kept): what a host that holds the version before needs to catch up.
 */
public record SwitchState(
        String id,
        int vni,
        long version,
        Map<String, SwitchMembers.Member> members,
        SwitchMembers.Change lastChange,
        Map<String, HostEndpoint> endpoints)
        implements CborSerializable {

    /**
     * A host's tunnel endpoint as its last failover set it (docs/architecture.md section 7.2), with the host's epoch
     * for it: it overrides the endpoint any binding of that host names, so that a binding answered just before the
     * failover cannot bring the old endpoint back. {@code standbyTunnelIp}: its standby switch VM's endpoint (null:
     * none), which peers send a copy of every frame to.
     */
    public record HostEndpoint(String tunnelIp, String standbyTunnelIp, long epoch) implements CborSerializable {}

    /** {@code endpoints} null: a state written before failover. */
    public SwitchState {
        endpoints = endpoints == null ? Map.of() : Map.copyOf(endpoints);
    }

    public SwitchState(
            String id,
            int vni,
            long version,
            Map<String, SwitchMembers.Member> members,
            SwitchMembers.Change lastChange) {
        this(id, vni, version, members, lastChange, Map.of());
    }

    public static SwitchState empty(String id) {
        return new SwitchState(id, 0, 0, Map.of(), null);
    }

    /** Created (again, after a delete) with no members; the version goes on from the deleted switch's. */
    public SwitchState created(int vni) {
        return new SwitchState(id, vni, version, Map.of(), null, endpoints);
    }

    /** The member with every endpoint of a host that failed over replaced by the host's current one. */
    public SwitchMembers.Member withCurrentEndpoints(SwitchMembers.Member m) {
        HostEndpoint at = m.host() == null ? null : endpoints.get(m.host());
        HostEndpoint to = m.movingTo() == null ? null : endpoints.get(m.movingTo());
        if (at == null && to == null) {
            return m;
        }
        return new SwitchMembers.Member(
                m.port(),
                m.mac(),
                m.host(),
                at == null || m.tunnelIp() == null ? m.tunnelIp() : at.tunnelIp(),
                m.movingTo(),
                to == null || m.movingToTunnelIp() == null ? m.movingToTunnelIp() : to.tunnelIp(),
                at == null || m.tunnelIp() == null ? null : at.standbyTunnelIp());
    }

    /**
     * Whether {@link SwitchProtocol.SetHostEndpoint} brings something new: a newer epoch (a failover), or the
     * same epoch with another endpoint or standby (a standby learned or lost, an agent with a new address).
     */
    public boolean endpointChanges(String host, String tunnelIp, String standbyTunnelIp, long epoch) {
        HostEndpoint e = endpoints.get(host);
        return e == null
                || epoch > e.epoch()
                || epoch == e.epoch()
                        && (!java.util.Objects.equals(standbyTunnelIp, e.standbyTunnelIp())
                                || !java.util.Objects.equals(tunnelIp, e.tunnelIp()));
    }

    /**
     * A host's tunnel endpoint changed (a failover): its members point there, and the member list is a new version
     * that every host gets whole (no single change describes it).
     */
    public SwitchState endpointChanged(String host, String tunnelIp, String standbyTunnelIp, long epoch) {
        Map<String, HostEndpoint> e = new TreeMap<>(endpoints);
        e.put(host, new HostEndpoint(tunnelIp, standbyTunnelIp, epoch));
        SwitchState with = new SwitchState(id, vni, version + 1, members, null, e);
        Map<String, SwitchMembers.Member> m = new TreeMap<>();
        members.forEach((port, member) -> m.put(port, with.withCurrentEndpoints(member)));
        return new SwitchState(id, vni, version + 1, m, null, e);
    }

    /** The version outlives the switch: a switch re-created under the same id never reuses a version. */
    public SwitchState deleted() {
        return created(0);
    }

    public boolean exists() {
        return vni != 0;
    }

    /** The port already using this MAC in the switch, other than {@code port}. */
    public Optional<String> macOwner(String mac, String port) {
        return members.values().stream()
                .filter(m -> m.mac().equalsIgnoreCase(mac) && !m.port().equals(port))
                .map(SwitchMembers.Member::port)
                .findFirst();
    }

    public SwitchState withMember(SwitchMembers.Member m) {
        Map<String, SwitchMembers.Member> copy = new TreeMap<>(members);
        copy.put(m.port(), m);
        return new SwitchState(id, vni, version, copy, lastChange, endpoints);
    }

    public SwitchState withoutMember(String port) {
        Map<String, SwitchMembers.Member> copy = new TreeMap<>(members);
        copy.remove(port);
        return new SwitchState(id, vni, version, copy, lastChange, endpoints);
    }

    /**
     * A binding changed: the member list hosts see is a new version. A host left with no member here loses its
     * endpoint record: the switch is not told of its later failovers (the host tells only the switches it has ports
     * in), so a record kept would override the fresher endpoint of its next binding here.
     */
    public SwitchState rebound(SwitchMembers.Member m) {
        Map<String, SwitchMembers.Member> after = withMember(m).members();
        Map<String, HostEndpoint> kept = endpoints;
        if (!endpoints.isEmpty()) {
            kept = new TreeMap<>(endpoints);
            kept.keySet().removeIf(h -> after.values().stream().noneMatch(x -> x.isOn(h)));
        }
        return new SwitchState(id, vni, version + 1, after, new SwitchMembers.Change(vni, version + 1, m), kept);
    }

    public SwitchMembers boundMembers() {
        return new SwitchMembers(
                vni,
                version,
                members.values().stream().filter(SwitchMembers.Member::isBound).toList());
    }
}
