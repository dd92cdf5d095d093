package io.portmesh.sharding.port;

import io.portmesh.model.CborSerializable;
import io.portmesh.sharding.service.PortInfo;
import java.util.List;

/**
 * A logical port: its switch (and the switch's VNI), MAC, IPs, where it is bound (host, access VLAN, the host's tunnel
 * endpoint), the change under way with its host ({@code pending}, null when none), and, while it is not bound, the
 * host it was last unbound from ({@code leftHost}, null when it was never bound): its switch then holds a binding of
 * it to keep in step, and that host is told of the unbinding with the switch's hosts when it is told again.
 * {@code switchId == null} while the port does not exist. {@code requestIds}: the ids of the last API requests whose
 * change the port persisted ({@link RequestIds}), newest last; kept when the port is deleted, so that a resent Delete
 * or Create cannot act on a port created again.
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
        String leftHost,
        PortMove move,
        List<String> requestIds)
        implements CborSerializable {
    /** How many request ids a port keeps ({@link RequestIds}): far more than can be resent at once. */
    static final int REQUEST_IDS_KEPT = 16;

    public static final String UNBOUND = "UNBOUND";
    public static final String BOUND = "BOUND";
    /** Bound on its host and moving live: the destination holds a VLAN and flows for it too (docs/architecture.md 7.1). */
    public static final String MIGRATING = "MIGRATING";

    public static PortState empty(String id) {
        return new PortState(id, null, 0, null, List.of(), null, null, 0, null, null, null, null, List.of());
    }

    /** With the id of the request whose change is being persisted (none: null), the oldest forgotten past the bound. */
    public PortState withRequest(String requestId) {
        if (requestId == null || requestIds.contains(requestId)) {
            return this;
        }
        List<String> ids = new java.util.ArrayList<>(requestIds);
        ids.add(requestId);
        List<String> kept = List.copyOf(ids.subList(Math.max(0, ids.size() - REQUEST_IDS_KEPT), ids.size()));
        return new PortState(id, switchId, vni, mac, ips, name, host, vlan, tunnelIp, pending, leftHost, move, kept);
    }

    /** Deleted: no port, but the ids of the requests it handled stay. */
    public PortState deleted() {
        return new PortState(id, null, 0, null, List.of(), null, null, 0, null, null, null, null, requestIds);
    }

    public PortState created(String switchId, int vni, String mac, List<String> ips, String name) {
        return new PortState(id, switchId, vni, mac, ips, name, null, 0, null, null, null, null, requestIds);
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
        if (pending instanceof PortChange.BindTo b) {
            return b.host();
        }
        return pending instanceof PortChange.MoveTo m ? m.host() : host;
    }

    public PortState started(PortChange change) {
        PortMove m =
                change instanceof PortChange.MoveTo to ? PortMove.preparing(this, to.host(), to.requestedAt()) : move;
        return new PortState(id, switchId, vni, mac, ips, name, host, vlan, tunnelIp, change, leftHost, m, requestIds);
    }

    public PortState abandoned() {
        // a move that never got its destination ready is forgotten, the last one before it is not known any more
        PortMove m = pending instanceof PortChange.MoveTo ? null : move;
        return new PortState(id, switchId, vni, mac, ips, name, host, vlan, tunnelIp, null, leftHost, m, requestIds);
    }

    public PortState bound(String host, int vlan, String tunnelIp) {
        return new PortState(id, switchId, vni, mac, ips, name, host, vlan, tunnelIp, null, null, move, requestIds);
    }

    /** Unbound from {@code host}: an Unbind is done; a Delete goes on with the switch, so it stays pending. */
    public PortState unbound(String host) {
        PortChange next = pending instanceof PortChange.Delete ? pending : null;
        return new PortState(id, switchId, vni, mac, ips, name, null, 0, null, next, host, move, requestIds);
    }

    /** The move's phase changed (not its end by completion: see {@link #moved}). */
    public PortState withMove(PortMove m) {
        return new PortState(id, switchId, vni, mac, ips, name, host, vlan, tunnelIp, null, leftHost, m, requestIds);
    }

    /** The move completed: the port is bound where it moved to, and the move is its last one. */
    public PortState moved(long at, long repointedAt) {
        return new PortState(
                id,
                switchId,
                vni,
                mac,
                ips,
                name,
                move.to(),
                move.toVlan(),
                move.toTunnelIp(),
                null,
                null,
                move.ended(io.portmesh.sharding.service.MigrationInfo.COMPLETED, at, repointedAt),
                requestIds);
    }

    /** A move is under way (from PREPARING until it ends). */
    public boolean isMoving() {
        return move != null && move.underWay();
    }

    /** A Delete is under way past its host step (or had none): the port is leaving its switch. */
    public boolean isLeaving() {
        return pending instanceof PortChange.Delete && host == null;
    }

    /**
     * As the API shows it: {@code host} and {@code vlan} stay the source's until the move completes (the VM's traffic
     * is still forwarded there); the state says MIGRATING from the destination's readiness until the move ends.
     */
    public PortInfo info() {
        return new PortInfo(id, switchId, name, mac, ips, host, isBound() ? vlan : null, apiState());
    }

    private String apiState() {
        if (!isBound()) {
            return UNBOUND;
        }
        boolean twoHosts = isMoving()
                && (move.is(io.portmesh.sharding.service.MigrationInfo.MIGRATING)
                        || move.is(io.portmesh.sharding.service.MigrationInfo.ACTIVATED));
        return twoHosts ? MIGRATING : BOUND;
    }
}
