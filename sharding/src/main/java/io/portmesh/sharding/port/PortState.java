package io.portmesh.sharding.port;

import io.portmesh.model.CborSerializable;
import io.portmesh.sharding.service.PortInfo;
import java.util.List;

/**
 * A logical port: its switch (and the switch's VNI), MAC, IPs, where it is bound (host, access VLAN, the host's tunnel
 * endpoint), the change under way with its host ({@code pending}, null when none), and, while it is not bound, the
 * host it was last unbound from ({@code leftHost}, null when it was never bound): its switch then holds a binding of
 * it to keep in step, and that host is told of the unbinding with the switch's hosts when it is told again.
 * {@code switchId == null} while the port does not exist.
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
        String leftHost)
        implements CborSerializable {
    public static final String UNBOUND = "UNBOUND";
    public static final String BOUND = "BOUND";

    public static PortState empty(String id) {
        return new PortState(id, null, 0, null, List.of(), null, null, 0, null, null, null);
    }

    public PortState created(String switchId, int vni, String mac, List<String> ips, String name) {
        return new PortState(id, switchId, vni, mac, ips, name, null, 0, null, null, null);
    }

    public boolean exists() {
        return switchId != null;
    }

    public boolean isBound() {
        return host != null;
    }

    /** Whether the port was ever bound: its switch then holds a binding of it (maybe an unbinding) to keep in step. */
    public boolean wasBound() {
        return host != null || leftHost != null;
    }

    /** The host the pending change asks: the one it binds the port to, or the one it unbinds the port from. */
    public String pendingHost() {
        return pending instanceof PortChange.BindTo b ? b.host() : host;
    }

    public PortState started(PortChange change) {
        return new PortState(id, switchId, vni, mac, ips, name, host, vlan, tunnelIp, change, leftHost);
    }

    public PortState abandoned() {
        return new PortState(id, switchId, vni, mac, ips, name, host, vlan, tunnelIp, null, leftHost);
    }

    public PortState bound(String host, int vlan, String tunnelIp) {
        return new PortState(id, switchId, vni, mac, ips, name, host, vlan, tunnelIp, null, null);
    }

    /** Unbound from {@code host}: an Unbind is done; a Delete goes on with the switch, so it stays pending. */
    public PortState unbound(String host) {
        PortChange next = pending instanceof PortChange.Delete ? pending : null;
        return new PortState(id, switchId, vni, mac, ips, name, null, 0, null, next, host);
    }

    /** A Delete is under way past its host step (or had none): the port is leaving its switch. */
    public boolean isLeaving() {
        return pending instanceof PortChange.Delete && host == null;
    }

    public PortInfo info() {
        return new PortInfo(id, switchId, name, mac, ips, host, isBound() ? vlan : null, isBound() ? BOUND : UNBOUND);
    }
}
