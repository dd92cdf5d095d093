package io.portmesh.sharding.lswitch;

import io.portmesh.model.CborSerializable;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A logical switch: its VNI (0 while it does not exist), its member ports with where each is bound, and the version of
 * that membership, which grows with every binding change so that hosts can tell a newer member list from an older one.
 * {@code lastChange} is the change that made {@code version} (null while no binding changed since the switch was
 * created, or in a snapshot taken before it was kept): what a host that holds the version before needs to catch up.
 * {@code unconfirmed}: the members whose port is not known to exist yet (added, never bound, not confirmed by the
 * port): each may be a ghost, which {@link MemberChecks} asks about (docs/architecture.md section 3.2).
 */
public record SwitchState(
        String id,
        int vni,
        long version,
        Map<String, SwitchMembers.Member> members,
        SwitchMembers.Change lastChange,
        Map<String, HostEndpoint> endpoints,
        Set<String> unconfirmed)
        implements CborSerializable {

    /**
     * A host's tunnel endpoint as its last failover set it (docs/architecture.md section 7.2), with the host's epoch
     * for it: it overrides the endpoint any binding of that host names, so that a binding answered just before the
     * failover cannot bring the old endpoint back. {@code standbyTunnelIp}: its standby switch VM's endpoint (null:
     * none), which peers send a copy of every frame to.
     */
    public record HostEndpoint(String tunnelIp, String standbyTunnelIp, long epoch) implements CborSerializable {}

    /**
     * {@code endpoints} null: a state written before failover. {@code unconfirmed} null: a state written before members
     * were confirmed, where any unbound member may be a ghost (a bound one exists: only a port binds itself).
     */
    public SwitchState {
        endpoints = endpoints == null ? Map.of() : Map.copyOf(endpoints);
        unconfirmed = unconfirmed == null ? unbound(members) : Set.copyOf(unconfirmed);
    }

    public SwitchState(
            String id,
            int vni,
            long version,
            Map<String, SwitchMembers.Member> members,
            SwitchMembers.Change lastChange,
            Map<String, HostEndpoint> endpoints) {
        this(id, vni, version, members, lastChange, endpoints, null);
    }

    public SwitchState(
            String id,
            int vni,
            long version,
            Map<String, SwitchMembers.Member> members,
            SwitchMembers.Change lastChange) {
        this(id, vni, version, members, lastChange, Map.of(), null);
    }

    private static Set<String> unbound(Map<String, SwitchMembers.Member> members) {
        return members.values().stream()
                .filter(m -> !m.isBound())
                .map(SwitchMembers.Member::port)
                .collect(Collectors.toSet());
    }

    public static SwitchState empty(String id) {
        return new SwitchState(id, 0, 0, Map.of(), null);
    }

    /** Created (again, after a delete) with no members; the version goes on from the deleted switch's. */
    public SwitchState created(int vni) {
        return new SwitchState(id, vni, version, Map.of(), null, endpoints, Set.of());
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
        SwitchState with = new SwitchState(id, vni, version + 1, members, null, e, unconfirmed);
        Map<String, SwitchMembers.Member> m = new TreeMap<>();
        members.forEach((port, member) -> m.put(port, with.withCurrentEndpoints(member)));
        return new SwitchState(id, vni, version + 1, m, null, e, unconfirmed);
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
        return new SwitchState(id, vni, version, copy, lastChange, endpoints, unconfirmed);
    }

    /** A member added for a port that asked to join: unconfirmed until its port is known to exist. */
    public SwitchState added(SwitchMembers.Member m) {
        return withMember(m).withUnconfirmed(m.port(), true);
    }

    /** The member's port is known to exist: it answered so, or bound itself. */
    public SwitchState confirmed(String port) {
        return withUnconfirmed(port, false);
    }

    public boolean isUnconfirmed(String port) {
        return unconfirmed.contains(port);
    }

    private SwitchState withUnconfirmed(String port, boolean add) {
        if (unconfirmed.contains(port) == add) {
            return this;
        }
        Set<String> u = new TreeSet<>(unconfirmed);
        if (add) {
            u.add(port);
        } else {
            u.remove(port);
        }
        return new SwitchState(id, vni, version, members, lastChange, endpoints, u);
    }

    public SwitchState withoutMember(String port) {
        Map<String, SwitchMembers.Member> copy = new TreeMap<>(members);
        copy.remove(port);
        return new SwitchState(id, vni, version, copy, lastChange, endpoints, unconfirmed).confirmed(port);
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
        // a binding comes only from the port itself (SetBinding, SetMoving, KeepBinding): its port exists
        return new SwitchState(
                        id, vni, version + 1, after, new SwitchMembers.Change(vni, version + 1, m), kept, unconfirmed)
                .confirmed(m.port());
    }

    public SwitchMembers boundMembers() {
        return new SwitchMembers(
                vni,
                version,
                members.values().stream().filter(SwitchMembers.Member::isBound).toList());
    }
}
