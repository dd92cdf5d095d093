package io.portmesh.sharding.lswitch;

import io.portmesh.model.CborSerializable;
import java.util.List;

/**
 * What a logical switch tells its hosts: its VNI and its bound members, stamped with the switch's membership version.
 * Hosts keep the list only in memory and take a list only when its version is newer than the one they hold, so a
 * list that arrives late, twice, or from a fetch racing a change never rolls a host back.
 */
public record SwitchMembers(int vni, long version, List<Member> members) implements CborSerializable {
    public SwitchMembers {
        members = List.copyOf(members);
    }

    /**
     * One member's binding changed, taking the list from {@code version - 1} to {@code version}: what hosts that
     * already hold the list get, instead of the whole list again (a host that holds another version asks for the
     * whole list).
     */
    public record Change(int vni, long version, Member member) implements CborSerializable {}

    /** A port of the switch; {@code host} and {@code tunnelIp} are null while it is not bound. */
    public record Member(String port, String mac, String host, String tunnelIp) implements CborSerializable {
        public boolean isBound() {
            return host != null && tunnelIp != null;
        }
    }
}
