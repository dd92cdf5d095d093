package io.portmesh.model;

/** A VXLAN network identifier (24 bits, RFC 7348); 0 is kept unused so that "no VNI" can never match a switch. */
public record Vni(int value) implements Comparable<Vni> {
    public static final int MIN = 1;
    public static final int MAX = (1 << 24) - 1;

    public Vni {
        if (value < MIN || value > MAX) {
            throw new ValidationException(
                    "vni",
                    value + " is outside " + MIN + ".." + MAX + " (24-bit VXLAN network identifier, 0 reserved)");
        }
    }

    @Override
    public int compareTo(Vni o) {
        return Integer.compare(value, o.value);
    }

    @Override
    public String toString() {
        return Integer.toString(value);
    }
}
