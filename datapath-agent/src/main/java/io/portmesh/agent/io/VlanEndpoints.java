package io.portmesh.agent.io;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Which UDP endpoint stands for the port group of each VLAN on the pseudo-wire trunk. An entry is either learned
 * (from the last frame received on that VLAN, so a restarted VM is found again) or static (configured, never
 * overwritten by learning; frames on that VLAN from any other endpoint are refused, as a port group only carries its
 * own VM's traffic). Lock-free reads: the transmit path looks up on every frame.
 */
public final class VlanEndpoints {
    public static final int VLAN_COUNT = 4096;

    private record Entry(InetSocketAddress endpoint, boolean pinned) {}

    private final AtomicReferenceArray<Entry> entries = new AtomicReferenceArray<>(VLAN_COUNT);

    /**
     * Records that {@code vlan} is reached at {@code from}. Returns false if {@code vlan} is statically bound to a
     * different endpoint, in which case the frame must be refused.
     */
    public boolean learn(int vlan, InetSocketAddress from) {
        Entry current = entries.get(vlan);
        if (current != null && (current.endpoint == from || current.endpoint.equals(from))) {
            return true;
        }
        // A new or moved endpoint is rare: take the lock so that a concurrent bind() is never overwritten.
        synchronized (this) {
            current = entries.get(vlan);
            if (current != null && current.pinned) {
                return current.endpoint.equals(from);
            }
            entries.set(vlan, new Entry(from, false));
            return true;
        }
    }

    /** Statically binds {@code vlan} to {@code endpoint}, replacing whatever was there. */
    public synchronized void bind(int vlan, InetSocketAddress endpoint) {
        checkVlan(vlan);
        entries.set(vlan, new Entry(endpoint, true));
    }

    /** Forgets {@code vlan}, static or learned. */
    public synchronized void unbind(int vlan) {
        checkVlan(vlan);
        entries.set(vlan, null);
    }

    /** The endpoint of {@code vlan}, or null. */
    public InetSocketAddress lookup(int vlan) {
        Entry e = entries.get(vlan & 0xFFF);
        return e == null ? null : e.endpoint;
    }

    public boolean isStatic(int vlan) {
        Entry e = entries.get(vlan & 0xFFF);
        return e != null && e.pinned;
    }

    /** A copy of the table, for diagnostics and tests. */
    public Map<Integer, InetSocketAddress> snapshot() {
        Map<Integer, InetSocketAddress> out = new TreeMap<>();
        for (int v = 0; v < VLAN_COUNT; v++) {
            Entry e = entries.get(v);
            if (e != null) {
                out.put(v, e.endpoint);
            }
        }
        return out;
    }

    private static void checkVlan(int vlan) {
        if (vlan < 1 || vlan > 4094) {
            throw new IllegalArgumentException("VLAN " + vlan + " is outside 1..4094");
        }
    }
}
