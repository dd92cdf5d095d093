package io.portmesh.model;

/** An 802.1Q VLAN id a VM NIC uses on the trunk into its host's switch VM. 0 and 4095 are reserved by 802.1Q. */
public record VlanId(int value) implements Comparable<VlanId> {
    public static final int MIN = 1;
    public static final int MAX = 4094;

    public VlanId {
        if (value < MIN || value > MAX) {
            throw new ValidationException(
                    "vlan", value + " is outside " + MIN + ".." + MAX + " (0 and 4095 are reserved by 802.1Q)");
        }
    }

    @Override
    public int compareTo(VlanId o) {
        return Integer.compare(value, o.value);
    }

    @Override
    public String toString() {
        return Integer.toString(value);
    }
}
