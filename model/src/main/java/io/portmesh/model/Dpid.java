package io.portmesh.model;

/** An OpenFlow datapath id (64 bits), printed the way Open vSwitch prints it. */
public record Dpid(long value) {
    public static Dpid parse(String text) {
        String hex = text.replace(":", "");
        if (hex.isEmpty() || hex.length() > 16) {
            throw new ValidationException("dpid", "'" + text + "' is not a 64-bit datapath id");
        }
        try {
            return new Dpid(Long.parseUnsignedLong(hex, 16));
        } catch (NumberFormatException e) {
            throw new ValidationException("dpid", "'" + text + "' is not a 64-bit datapath id");
        }
    }

    @Override
    public String toString() {
        return String.format("%016x", value);
    }
}
