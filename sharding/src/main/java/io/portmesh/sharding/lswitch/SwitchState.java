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
        String id, int vni, long version, Map<String, SwitchMembers.Member> members, SwitchMembers.Change lastChange)
        implements CborSerializable {
    public static SwitchState empty(String id) {
        return new SwitchState(id, 0, 0, Map.of(), null);
    }

    /** Created (again, after a delete) with no members; the version goes on from the deleted switch's. */
    public SwitchState created(int vni) {
        return new SwitchState(id, vni, version, Map.of(), null);
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
        return new SwitchState(id, vni, version, copy, lastChange);
    }

    public SwitchState withoutMember(String port) {
        Map<String, SwitchMembers.Member> copy = new TreeMap<>(members);
        copy.remove(port);
        return new SwitchState(id, vni, version, copy, lastChange);
    }

    /** A binding changed: the member list hosts see is a new version. */
    public SwitchState rebound(SwitchMembers.Member m) {
        return new SwitchState(
                id, vni, version + 1, withMember(m).members(), new SwitchMembers.Change(vni, version + 1, m));
    }

    public SwitchMembers boundMembers() {
        return new SwitchMembers(
                vni,
                version,
                members.values().stream().filter(SwitchMembers.Member::isBound).toList());
    }
}
