package io.portmesh.model;

/** An IPv4 address held as an int (network order in the int's bits), used for VXLAN tunnel endpoints and port IPs. */
public record Ipv4(int value) {
    public static Ipv4 parse(String text) {
        return parse("ip", text);
    }

    public static Ipv4 parse(String field, String text) {
        if (text == null) {
            throw new ValidationException(field, "missing; expected an IPv4 address like 10.0.0.1");
        }
        String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 4) {
            throw new ValidationException(field, "'" + text + "' is not an IPv4 address like 10.0.0.1");
        }
        int v = 0;
        for (String p : parts) {
            int octet;
            try {
                octet = p.isEmpty() || p.length() > 3 ? -1 : Integer.parseInt(p);
            } catch (NumberFormatException e) {
                octet = -1;
            }
            if (octet < 0 || octet > 255) {
                throw new ValidationException(field, "'" + text + "' is not an IPv4 address like 10.0.0.1");
            }
            v = (v << 8) | octet;
        }
        return new Ipv4(v);
    }

    /** A tunnel endpoint must be a unicast host address. */
    public static Ipv4 parseTunnelEndpoint(String field, String text) {
        Ipv4 ip = parse(field, text);
        int first = ip.value >>> 24;
        if (ip.value == 0 || first >= 224) {
            throw new ValidationException(
                    field, "'" + text + "' cannot be a VXLAN tunnel endpoint (zero, multicast or reserved)");
        }
        return ip;
    }

    @Override
    public String toString() {
        return (value >>> 24) + "." + ((value >>> 16) & 0xFF) + "." + ((value >>> 8) & 0xFF) + "." + (value & 0xFF);
    }
}
