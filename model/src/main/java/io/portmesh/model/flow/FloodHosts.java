package io.portmesh.model.flow;

import io.portmesh.model.Ipv4;
import java.util.List;
import java.util.TreeMap;

/**
 * The remote hosts one VNI of a {@link PlanSlice} floods to, counted: per tunnel endpoint, the remote members that
 * hold their MAC with it as one of their endpoints (two while a member's host has a standby, {@link MoveFlows#addHosts}),
 * plus the local ports with it as their twin (a live move). A host is flooded to while its count is above zero; the
 * order is the flood groups' buckets' ({@link FlowCompiler#TUNNEL_ORDER}).
 */
final class FloodHosts {
    private final TreeMap<Ipv4, Integer> count = new TreeMap<>(FlowCompiler.TUNNEL_ORDER);

    /** A member holds its MAC: each of its endpoints counts it. @return whether a host is new */
    boolean joined(HostView.RemotePort r) {
        boolean joined = joined(r.tunnelIp());
        if (r.alsoTunnelIp() != null) {
            joined |= joined(r.alsoTunnelIp());
        }
        return joined;
    }

    /** A member no longer holds its MAC: the reverse of {@link #joined(HostView.RemotePort)}. @return whether a host is gone */
    boolean left(HostView.RemotePort r) {
        boolean left = left(r.tunnelIp());
        if (r.alsoTunnelIp() != null) {
            left |= left(r.alsoTunnelIp());
        }
        return left;
    }

    /** @return whether the host is new to the VNI */
    boolean joined(Ipv4 ip) {
        return count.merge(ip, 1, Integer::sum) == 1;
    }

    /** @return whether the host has no member (and is no twin) left in the VNI */
    private boolean left(Ipv4 ip) {
        return count.computeIfPresent(ip, (k, n) -> n == 1 ? null : n - 1) == null;
    }

    int size() {
        return count.size();
    }

    List<Ipv4> list() {
        return List.copyOf(count.keySet());
    }

    void clear() {
        count.clear();
    }
}
