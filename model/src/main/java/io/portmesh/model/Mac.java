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

    /** Parses {@code aa:bb:cc:dd:ee:ff} (also with '-' separators), case-insensitive. */
    public static Mac parse(String text) {
        return parse("mac", text);
    }

    public static Mac parse(String field, String text) {
        if (text == null) {
            throw new ValidationException(field, "missing; expected a MAC address like 52:54:00:12:34:56");
        }
        // by hand, not String.split: hosts parse every member MAC of a switch on each change, and a regex split
        // compiles a Pattern per call
        String t = text.trim();
        if (t.length() != 17) {
            throw notAMac(field, text);
        }
        long v = 0;
        for (int i = 0; i < 17; i += 3) {
            int hi = Character.digit(t.charAt(i), 16);
            int lo = Character.digit(t.charAt(i + 1), 16);
            boolean separatorOk = i == 15 || t.charAt(i + 2) == ':' || t.charAt(i + 2) == '-';
            if (hi < 0 || lo < 0 || !separatorOk) {
                throw notAMac(field, text);
            }
            v = (v << 8) | (hi << 4) | lo;
        }
        return new Mac(v);
    }

    private static ValidationException notAMac(String field, String text) {
        return new ValidationException(field, "'" + text + "' is not a MAC address like 52:54:00:12:34:56");
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
