package io.portmesh.sim;

import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import java.nio.ByteBuffer;

/**
 * Builds and reads the 802.1Q-tagged frames simulated VMs exchange: ARP, RARP, the ping protocol and frame streams. Every builder
 * returns a complete tagged frame padded to the 802.1Q minimum of 64 bytes (without FCS), so that the frame is still a
 * legal 60-byte frame once a switch pops the tag.
 */
public final class EtherFrames {
    public static final int TPID_8021Q = 0x8100;
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    public static final int ETHERTYPE_RARP = 0x8035;
    /** IEEE 802 local experimental ethertype 1; our ping protocol. */
    public static final int ETHERTYPE_PING = 0x88B5;
    /** IEEE 802 local experimental ethertype 2; the one-way sequenced frames of {@link FrameStream}. */
    public static final int ETHERTYPE_STREAM = 0x88B6;
    /** Destination, source, TPID, TCI, ethertype. */
    public static final int TAGGED_HEADER = 18;

    public static final int MIN_TAGGED_FRAME = 64;

    public static final int ARP_REQUEST = 1;
    public static final int ARP_REPLY = 2;
    public static final int RARP_REQUEST = 3;

    private EtherFrames() {}

    /** A buffer of {@code max(size, 64)} bytes holding the tagged Ethernet header, positioned at the payload. */
    public static ByteBuffer tagged(Mac dst, Mac src, int vlan, int etherType, int size) {
        ByteBuffer b = ByteBuffer.wrap(new byte[Math.max(size, MIN_TAGGED_FRAME)]);
        putMac(b, dst);
        putMac(b, src);
        b.putShort((short) TPID_8021Q);
        b.putShort((short) (vlan & 0xFFF));
        b.putShort((short) etherType);
        return b;
    }

    /**
     * An ARP or RARP packet ({@code op} 1, 2 or 3) for Ethernet/IPv4.
     *
     * @param tha target hardware address (zero in a request)
     */
    public static byte[] arp(Mac dst, Mac src, int vlan, int etherType, int op, Mac sha, Ipv4 spa, Mac tha, Ipv4 tpa) {
        ByteBuffer b = tagged(dst, src, vlan, etherType, MIN_TAGGED_FRAME);
        b.putShort((short) 1); // Ethernet
        b.putShort((short) ETHERTYPE_IPV4);
        b.put((byte) 6).put((byte) 4);
        b.putShort((short) op);
        putMac(b, sha);
        b.putInt(spa.value());
        putMac(b, tha);
        b.putInt(tpa.value());
        return b.array();
    }

    /** Inserts an 802.1Q tag for {@code vlan} into an untagged Ethernet frame. */
    public static byte[] tag(byte[] untagged, int vlan) {
        if (untagged.length < 14) {
            throw new IllegalArgumentException("an Ethernet frame has at least 14 bytes, got " + untagged.length);
        }
        byte[] out = new byte[untagged.length + 4];
        System.arraycopy(untagged, 0, out, 0, 12);
        out[12] = (byte) (TPID_8021Q >>> 8);
        out[13] = (byte) TPID_8021Q;
        out[14] = (byte) ((vlan >>> 8) & 0x0F);
        out[15] = (byte) vlan;
        System.arraycopy(untagged, 12, out, 16, untagged.length - 12);
        return out;
    }

    public static Mac dst(byte[] f) {
        return Mac.of(f, 0);
    }

    public static Mac src(byte[] f) {
        return Mac.of(f, 6);
    }

    /** The VLAN id of a tagged frame, or -1 if it is not tagged. */
    public static int vlan(byte[] f, int len) {
        if (len < TAGGED_HEADER || u16(f, 12) != TPID_8021Q) {
            return -1;
        }
        return u16(f, 14) & 0xFFF;
    }

    /** The ethertype after the tag (the caller checked that the frame is tagged). */
    public static int innerEtherType(byte[] f) {
        return u16(f, 16);
    }

    static int u16(byte[] f, int off) {
        return ((f[off] & 0xFF) << 8) | (f[off + 1] & 0xFF);
    }

    static int i32(byte[] f, int off) {
        return (u16(f, off) << 16) | u16(f, off + 2);
    }

    static long i64(byte[] f, int off) {
        return ((long) i32(f, off) << 32) | (i32(f, off + 4) & 0xFFFF_FFFFL);
    }

    static void putMac(ByteBuffer b, Mac mac) {
        long v = mac.value();
        for (int i = 0; i < 6; i++) {
            b.put((byte) (v >>> (40 - 8 * i)));
        }
    }

    static void putMac(byte[] f, int off, Mac mac) {
        long v = mac.value();
        for (int i = 0; i < 6; i++) {
            f[off + i] = (byte) (v >>> (40 - 8 * i));
        }
    }
}
