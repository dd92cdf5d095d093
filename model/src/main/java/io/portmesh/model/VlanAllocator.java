package io.portmesh.model;

import java.util.BitSet;
import java.util.Collection;

/**
 * The access VLANs in use on one host's trunk. Immutable: every change returns a new allocator, so that an
 * event-sourced Host entity can apply events without side effects. Allocation picks the lowest free id, which
 * makes replay deterministic.
 */
public final class VlanAllocator {
    public static final int CAPACITY = VlanId.MAX - VlanId.MIN + 1;
    private static final VlanAllocator EMPTY = new VlanAllocator(new BitSet(VlanId.MAX + 1));
    private final BitSet used;

    private VlanAllocator(BitSet used) {
        this.used = used;
    }

    public static VlanAllocator empty() {
        return EMPTY;
    }

    public static VlanAllocator of(Collection<VlanId> inUse) {
        BitSet bits = new BitSet(VlanId.MAX + 1);
        inUse.forEach(v -> bits.set(v.value()));
        return new VlanAllocator(bits);
    }

    /** The VLAN the next {@link #allocate} would take, or a clear error naming the host's limit. */
    public VlanId next(HostId host) {
        int free = used.nextClearBit(VlanId.MIN);
        if (free > VlanId.MAX) {
            throw new ValidationException(
                    "host",
                    "host " + host + " has all " + CAPACITY
                            + " access VLANs in use (802.1Q allows 1..4094 per trunk); unbind a port or bind to another host");
        }
        return new VlanId(free);
    }

    public VlanAllocator allocate(VlanId vlan) {
        if (used.get(vlan.value())) {
            throw new ValidationException("vlan", "VLAN " + vlan + " is already in use on this host");
        }
        BitSet copy = (BitSet) used.clone();
        copy.set(vlan.value());
        return new VlanAllocator(copy);
    }

    public VlanAllocator release(VlanId vlan) {
        if (!used.get(vlan.value())) {
            return this;
        }
        BitSet copy = (BitSet) used.clone();
        copy.clear(vlan.value());
        return new VlanAllocator(copy);
    }

    public boolean isUsed(VlanId vlan) {
        return used.get(vlan.value());
    }

    public int usedCount() {
        return used.cardinality();
    }
}
