package io.portmesh.sharding.lswitch;

import io.portmesh.persistence.CborSerializable;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A logical switch: its VNI (0 while it does not exist), its member ports with where each is bound, and the version of
 * that membership, which grows with every binding change so that hosts can tell a newer member list from an older one.
 */
public record SwitchState(String id, int vni, long version, Map<String, SwitchMembers.Member> members)
        implements CborSerializable {
    public static SwitchState empty(String id) {
        return new SwitchState(id, 0, 0, Map.of());
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
        return new SwitchState(id, vni, version, copy);
    }

    public SwitchState withoutMember(String port) {
        Map<String, SwitchMembers.Member> copy = new TreeMap<>(members);
        copy.remove(port);
        return new SwitchState(id, vni, version, copy);
    }

    /** A binding changed: the member list hosts see is a new version. */
    public SwitchState rebound(SwitchMembers.Member m) {
        return new SwitchState(id, vni, version + 1, withMember(m).members());
    }

    public SwitchMembers boundMembers() {
        return new SwitchMembers(
                vni,
                version,
                members.values().stream().filter(SwitchMembers.Member::isBound).toList());
    }
}
