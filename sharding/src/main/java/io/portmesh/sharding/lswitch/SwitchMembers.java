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

    /**
     * A port of the switch; {@code host} and {@code tunnelIp} are null while it is not bound. While the port moves
     * live (docs/architecture.md section 7.1) {@code movingTo} and {@code movingToTunnelIp} name the host it moves to
     * (null otherwise): the port is then on both hosts, and frames to it go to both. {@code standbyTunnelIp}: the
     * endpoint of its host's standby switch VM (docs/architecture.md section 7.2), which gets a copy of every frame
     * too, so that it can deliver the last moments' frames when it takes over; null when the host has none.
     */
    public record Member(
            String port,
            String mac,
            String host,
            String tunnelIp,
            String movingTo,
            String movingToTunnelIp,
            String standbyTunnelIp)
            implements CborSerializable {
        /** A member that is not moving. */
        public Member(String port, String mac, String host, String tunnelIp) {
            this(port, mac, host, tunnelIp, null, null, null);
        }

        /** A member of a host without a standby switch VM (or before the switch knows it). */
        public Member(String port, String mac, String host, String tunnelIp, String movingTo, String movingToTunnelIp) {
            this(port, mac, host, tunnelIp, movingTo, movingToTunnelIp, null);
        }

        public boolean isBound() {
            return host != null && tunnelIp != null;
        }

        public boolean isMoving() {
            return isBound() && movingTo != null && movingToTunnelIp != null;
        }

        /** Whether the port is bound on {@code hostId}: where it is, or where it moves to. */
        public boolean isOn(String hostId) {
            return isBound() && (hostId.equals(host) || isMoving() && hostId.equals(movingTo));
        }
    }
}
