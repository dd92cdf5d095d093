package io.portmesh.agent.io;

import java.nio.ByteBuffer;

/** The VXLAN header of RFC 7348, section 5: flags (I = 0x08), 24 reserved bits, 24-bit VNI, 8 reserved bits. */
public final class Vxlan {
    public static final int HEADER_LEN = 8;
    public static final int DEFAULT_UDP_PORT = 4789;
    public static final int FLAG_I = 0x08;
    public static final int MAX_VNI = 0xFF_FFFF;
    /** Shortest inner frame we accept: an Ethernet header. */
    public static final int MIN_INNER_FRAME = 14;

    /** Returned by {@link #vni} for a datagram that is not a valid VXLAN frame. */
    public static final int MALFORMED = -1;

    private Vxlan() {}

    /**
     * The VNI of the VXLAN datagram in {@code data[off, off+len)}, or {@link #MALFORMED} when it is too short to hold
     * the header and an Ethernet header, or the I flag is clear. The R bits and reserved fields are ignored, as the RFC
     * asks of a receiver.
     */
    public static int vni(byte[] data, int off, int len) {
        if (len < HEADER_LEN + MIN_INNER_FRAME || (data[off] & FLAG_I) == 0) {
            return MALFORMED;
        }
        return ((data[off + 4] & 0xFF) << 16) | ((data[off + 5] & 0xFF) << 8) | (data[off + 6] & 0xFF);
    }

    /** Writes the 8-byte header for {@code vni} (I flag set, every reserved field zero). */
    public static void writeHeader(ByteBuffer buf, int vni) {
        buf.putInt(FLAG_I << 24);
        buf.putInt((vni & MAX_VNI) << 8);
    }
}
