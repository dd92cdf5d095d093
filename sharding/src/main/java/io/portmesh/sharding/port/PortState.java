package io.portmesh.sharding.port;

import io.portmesh.model.CborSerializable;
import io.portmesh.sharding.service.PortInfo;
import java.util.List;

/**
 * A logical port: its switch (and the switch's VNI), MAC, IPs, where it is bound (host, access VLAN, the host's tunnel
 * endpoint), the change under way with its host ({@code pending}, null when none), and whether it was ever bound (its
 * switch then holds a binding of it to keep in step). {@code switchId == null} while the port does not exist.
 */
public record PortState(
        String id,
        String switchId,
        int vni,
        String mac,
        List<String> ips,
        String name,
        String host,
        int vlan,
        String tunnelIp,
        PortChange pending,
        boolean wasBound)
        implements CborSerializable {
    public static final String UNBOUND = "UNBOUND";
    public static final String BOUND = "BOUND";

    public static PortState empty(String id) {
        return new PortState(id, null, 0, null, List.of(), null, null, 0, null, null, false);
    }

    public PortState created(String switchId, int vni, String mac, List<String> ips, String name) {
        return new PortState(id, switchId, vni, mac, ips, name, null, 0, null, null, false);
    }

    public boolean exists() {
        return switchId != null;
    }

    public boolean isBound() {
        return host != null;
    }

    /** The host the pending change asks: the one it binds the port to, or the one it unbinds the port from. */
    public String pendingHost() {
        return pending instanceof PortChange.BindTo b ? b.host() : host;
    }

    public PortState started(PortChange change) {
        return new PortState(id, switchId, vni, mac, ips, name, host, vlan, tunnelIp, change, wasBound);
    }

    public PortState abandoned() {
        return new PortState(id, switchId, vni, mac, ips, name, host, vlan, tunnelIp, null, wasBound);
    }

    public PortState bound(String host, int vlan, String tunnelIp) {
        return new PortState(id, switchId, vni, mac, ips, name, host, vlan, tunnelIp, null, true);
    }

    public PortState unbound() {
        return new PortState(id, switchId, vni, mac, ips, name, null, 0, null, null, true);
    }

    public PortInfo info() {
        return new PortInfo(id, switchId, name, mac, ips, host, isBound() ? vlan : null, isBound() ? BOUND : UNBOUND);
    }
}
