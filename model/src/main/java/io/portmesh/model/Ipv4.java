package io.portmesh.model;

/** An IPv4 address held as an int (network order in the int's bits), used for VXLAN tunnel endpoints and port IPs. */
public record Ipv4(int value) {
    public static Ipv4 parse(String text) {
        return parse("ip", text);
    }

    /**
     * Parses a dotted quad of decimal octets, each 0-255 written without leading zeros ({@code 10.1.2.3}). Refused
     * rather than normalised: whitespace anywhere, leading zeros ({@code 010.001.002.003}: some tools read them as
     * octal, so the address is ambiguous), signs, non-ASCII digits and fewer or more than four parts.
     */
    public static Ipv4 parse(String field, String text) {
        if (text == null) {
            throw new ValidationException(field, "missing; expected an IPv4 address like 10.0.0.1");
        }
        int v = 0;
        int parts = 0;
        int i = 0;
        while (parts < 4) {
            int start = i;
            int octet = 0;
            while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9' && i - start < 3) {
                octet = octet * 10 + (text.charAt(i) - '0');
                i++;
            }
            int digits = i - start;
            boolean last = parts == 3;
            boolean endOk = last ? i == text.length() : i < text.length() && text.charAt(i) == '.';
            if (digits == 0 || !endOk) {
                throw notAnAddress(field, text);
            }
            if (digits > 1 && text.charAt(start) == '0') {
                throw new ValidationException(
                        field,
                        ValidationException.echo(text)
                                + " has leading zeros, which are ambiguous (octal in some tools); write each octet"
                                + " without them, like 10.0.0.1");
            }
            if (octet > 255) {
                throw new ValidationException(
                        field, ValidationException.echo(text) + " has an octet over 255; expected an IPv4 address");
            }
            v = (v << 8) | octet;
            parts++;
            i++; // past the '.'
        }
        return new Ipv4(v);
    }

    private static ValidationException notAnAddress(String field, String text) {
        String why = text.equals(text.strip()) ? "is not" : "has whitespace around it; write it as";
        return new ValidationException(
                field,
                ValidationException.echo(text) + " " + why + " four decimal octets separated by '.', like 10.0.0.1");
    }

    /** A tunnel endpoint must be a unicast host address. */
    public static Ipv4 parseTunnelEndpoint(String field, String text) {
        Ipv4 ip = parse(field, text);
        int first = ip.value >>> 24;
        if (ip.value == 0 || first >= 224) {
            throw new ValidationException(
                    field, "'" + ip + "' cannot be a VXLAN tunnel endpoint (zero, multicast or reserved)");
        }
        return ip;
    }

    @Override
    public String toString() {
        return (value >>> 24) + "." + ((value >>> 16) & 0xFF) + "." + ((value >>> 8) & 0xFF) + "." + (value & 0xFF);
    }
}
