package io.portmesh.model.flow;

import io.portmesh.model.PortId;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The remote members of one VNI as given, one entry per port id ({@link FlowCompiler}'s rules 1 and 4): of different entries for one
 * port, the one with the smaller MAC, then tunnel endpoint, then {@code alsoTunnelIp}, is kept, whatever their
 * order.
 */
final class RemoteMembers {
    final Map<PortId, HostView.RemotePort> byPort = new HashMap<>();
    /** The different entries given for the ports given more than one (rare). */
    private Map<PortId, Set<HostView.RemotePort>> different;

    void add(HostView.RemotePort r) {
        HostView.RemotePort have = byPort.putIfAbsent(r.port(), r);
        if (have == null || have.equals(r)) {
            return;
        }
        if (different == null) {
            different = new HashMap<>();
        }
        if (different
                .computeIfAbsent(r.port(), p -> new HashSet<>(List.of(have)))
                .add(r)) {
            byPort.put(r.port(), preferred(have, r));
        }
    }

    /** Per port given in more than one entry, how many entries were left out. */
    Map<PortId, Integer> givenTwice() {
        if (different == null) {
            return Map.of();
        }
        Map<PortId, Integer> twice = new HashMap<>();
        different.forEach((port, entries) -> twice.put(port, entries.size() - 1));
        return twice;
    }

    private static HostView.RemotePort preferred(HostView.RemotePort a, HostView.RemotePort b) {
        int byMac = a.mac().compareTo(b.mac());
        if (byMac != 0) {
            return byMac < 0 ? a : b;
        }
        int byTunnel = FlowCompiler.TUNNEL_ORDER.compare(a.tunnelIp(), b.tunnelIp());
        if (byTunnel != 0) {
            return byTunnel < 0 ? a : b;
        }
        return FlowCompiler.MAYBE_TUNNEL_ORDER.compare(a.alsoTunnelIp(), b.alsoTunnelIp()) <= 0 ? a : b;
    }
}
