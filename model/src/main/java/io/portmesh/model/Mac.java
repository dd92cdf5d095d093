package io.portmesh.model;

/** A 48-bit Ethernet address, held as the low 48 bits of a long so that flow keys hash and compare cheaply. */
public record Mac(long value) implements Comparable<Mac> {
    public static final Mac BROADCAST = new Mac(0xFFFF_FFFF_FFFFL);
    private static final long MASK = 0xFFFF_FFFF_FFFFL;

    public Mac {
        if ((value & ~MASK) != 0) {
            throw new ValidationException("mac", "value does not fit in 48 bits");
        }
    }

    /**
     * Parses exactly {@code xx:xx:xx:xx:xx:xx}: six two-digit hex octets separated by ':', digits in either case. Every
     * other spelling is refused rather than normalised (surrounding whitespace, '-' or '.' separators, one-digit
     * octets), so that what a client sent is what the controller stores; {@link #toString} always answers in lowercase.
     */
    public static Mac parse(String text) {
        return parse("mac", text);
    }

    public static Mac parse(String field, String text) {
        if (text == null) {
            throw new ValidationException(field, "missing; expected a MAC address like 52:54:00:12:34:56");
        }
        // by hand, not a regex: hosts parse every member MAC of a switch on each change
        if (text.length() != 17) {
            throw notAMac(field, text);
        }
        long v = 0;
        for (int i = 0; i < 17; i += 3) {
            int hi = hexDigit(text.charAt(i));
            int lo = hexDigit(text.charAt(i + 1));
            if (hi < 0 || lo < 0 || (i < 15 && text.charAt(i + 2) != ':')) {
                throw notAMac(field, text);
            }
            v = (v << 8) | (hi << 4) | lo;
        }
        return new Mac(v);
    }

    /** ASCII hex only: {@link Character#digit} would also take full-width and other Unicode digits. */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static ValidationException notAMac(String field, String text) {
        String why;
        if (!text.equals(text.strip())) {
            why = "has whitespace around it";
        } else if (text.indexOf('-') >= 0) {
            why = "uses '-' separators";
        } else if (text.indexOf('.') >= 0) {
            why = "uses '.' separators";
        } else {
            why = "is not six two-digit hex octets";
        }
        return new ValidationException(
                field,
                ValidationException.echo(text) + " " + why
                        + "; write a MAC address exactly like 52:54:00:12:34:56 (':' separators, hex digits)");
    }

    /** A VM NIC address must be unicast: a multicast source would be flooded everywhere. */
    public static Mac parseUnicast(String field, String text) {
        Mac mac = parse(field, text);
        if (mac.isMulticast()) {
            throw new ValidationException(
                    field, "'" + text + "' is a multicast/broadcast address; a port needs a unicast MAC");
        }
        if (mac.value == 0) {
            throw new ValidationException(field, "00:00:00:00:00:00 is not a valid port MAC");
        }
        return mac;
    }

    public boolean isMulticast() {
        return (value & 0x0100_0000_0000L) != 0;
    }

    public boolean isBroadcast() {
        return value == BROADCAST.value;
    }

    public byte[] toBytes() {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (value >>> (40 - 8 * i));
        }
        return b;
    }

    public static Mac of(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return new Mac(v);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                sb.append(':');
            }
            int octet = (int) (value >>> (40 - 8 * i)) & 0xFF;
            sb.append(Character.forDigit(octet >> 4, 16)).append(Character.forDigit(octet & 0xF, 16));
        }
        return sb.toString();
    }

    @Override
    public int compareTo(Mac o) {
        return Long.compare(value, o.value);
    }
}
