package io.portmesh.sharding.lswitch;

import io.portmesh.persistence.CborSerializable;
import io.portmesh.sharding.host.HostState;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A logical switch: its VNI (0 while it does not exist) and its member ports with where each is bound. */
public record SwitchState(String id, int vni, Map<String, HostState.Member> members) implements CborSerializable {
    public static SwitchState empty(String id) {
        return new SwitchState(id, 0, Map.of());
    }

    public boolean exists() {
        return vni != 0;
    }

    /** The port already using this MAC in the switch, other than {@code port}. */
    public Optional<String> macOwner(String mac, String port) {
        return members.values().stream()
                .filter(m -> m.mac().equalsIgnoreCase(mac) && !m.port().equals(port))
                .map(HostState.Member::port)
                .findFirst();
    }

    public SwitchState withMember(HostState.Member m) {
        Map<String, HostState.Member> copy = new TreeMap<>(members);
        copy.put(m.port(), m);
        return new SwitchState(id, vni, copy);
    }

    public SwitchState withoutMember(String port) {
        Map<String, HostState.Member> copy = new TreeMap<>(members);
        copy.remove(port);
        return new SwitchState(id, vni, copy);
    }

    public HostState.SwitchMembers boundMembers() {
        List<HostState.Member> bound =
                members.values().stream().filter(m -> m.host() != null).toList();
        return new HostState.SwitchMembers(vni, bound);
    }
}
