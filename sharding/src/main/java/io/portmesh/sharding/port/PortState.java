package io.portmesh.sharding.port;

import io.portmesh.persistence.CborSerializable;
import io.portmesh.sharding.service.PortInfo;
import java.util.List;

/**
 * A logical port: its switch (and the switch's VNI), MAC, IPs, and where it is bound. {@code switchId == null}
 * while the port does not exist.
 */
public record PortState(
        String id, String switchId, int vni, String mac, List<String> ips, String name, String host, int vlan)
        implements CborSerializable {
    public static final String UNBOUND = "UNBOUND";
    public static final String BOUND = "BOUND";

    public static PortState empty(String id) {
        return new PortState(id, null, 0, null, List.of(), null, null, 0);
    }

    public boolean exists() {
        return switchId != null;
    }

    public boolean isBound() {
        return host != null;
    }

    public PortState bound(String host, int vlan) {
        return new PortState(id, switchId, vni, mac, ips, name, host, vlan);
    }

    public PortState unbound() {
        return new PortState(id, switchId, vni, mac, ips, name, null, 0);
    }

    public PortInfo info() {
        return new PortInfo(id, switchId, name, mac, ips, host, isBound() ? vlan : null, isBound() ? BOUND : UNBOUND);
    }
}
