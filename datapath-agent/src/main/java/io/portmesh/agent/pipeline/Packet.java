package io.portmesh.agent.pipeline;

import io.portmesh.agent.table.KeyLayout;

/**
 * A frame in the pipeline: its parsed header fields, the pipeline fields (in_port, metadata, tunnel
 * metadata) and a reference to the caller's bytes. Header actions change the fields only; the bytes
 * are rewritten once, lazily, when a modified frame is output. An unmodified frame goes out as the
 * caller's own slice, without a copy. One instance per thread, reused frame after frame.
 */
final class Packet {
    static final int ETH_HEADER = 14;
    static final int TPID_8021Q = 0x8100;
    static final int ETH_TYPE_ARP = 0x0806;
    private static final int ARP_IPV4_LENGTH = 28;
    private static final int NO_TAG = -1;

    private byte[] frame;
    private int frameOff;
    /** Length of the frame as received; flow and group byte counters use it. */
    int frameLen;

    private int payloadOff;
    private int payloadEnd;

    long ethDst;
    long ethSrc;
    int ethType;
    /** Outer 802.1Q TCI, or -1 when untagged. */
    private int tci = NO_TAG;
    /** Second tag, only present after a push onto an already tagged frame. */
    private int innerTci = NO_TAG;

    int arpOp;
    int arpSpa;
    int arpTpa;

    int inPort;
    long metadata;
    long tunnelId;
    int tunnelSrcIp;
    int tunnelDstIp;

    private boolean dirty;
    private byte[] out = new byte[2048];
    private int outLen;
    private boolean outValid;

    /** Parses Ethernet II with at most one 802.1Q tag; false when the frame is malformed. */
    boolean parse(byte[] f, int off, int len) {
        if (f == null || off < 0 || len < ETH_HEADER || off > f.length - len) {
            return false;
        }
        frame = f;
        frameOff = off;
        frameLen = len;
        ethDst = read48(f, off);
        ethSrc = read48(f, off + 6);
        int type = read16(f, off + 12);
        int headerEnd = off + ETH_HEADER;
        tci = NO_TAG;
        innerTci = NO_TAG;
        if (type == TPID_8021Q) {
            if (len < ETH_HEADER + 4) {
                return false;
            }
            tci = read16(f, off + 14);
            type = read16(f, off + 16);
            headerEnd += 4;
        }
        ethType = type;
        payloadOff = headerEnd;
        payloadEnd = off + len;
        arpOp = 0;
        arpSpa = 0;
        arpTpa = 0;
        if (type == ETH_TYPE_ARP && !parseArp(f, headerEnd, payloadEnd - headerEnd)) {
            return false;
        }
        dirty = false;
        outValid = false;
        return true;
    }

    private boolean parseArp(byte[] f, int p, int available) {
        if (available < ARP_IPV4_LENGTH) {
            return false;
        }
        boolean ethernetIpv4 =
                read16(f, p) == 1 && read16(f, p + 2) == 0x0800 && (f[p + 4] & 0xFF) == 6 && (f[p + 5] & 0xFF) == 4;
        if (ethernetIpv4) {
            arpOp = read16(f, p + 6);
            arpSpa = read32(f, p + 14);
            arpTpa = read32(f, p + 24);
        }
        return true;
    }

    /** Copies every field of {@code o}; the bytes stay shared, since both only ever read them. */
    void copyFrom(Packet o) {
        frame = o.frame;
        frameOff = o.frameOff;
        frameLen = o.frameLen;
        payloadOff = o.payloadOff;
        payloadEnd = o.payloadEnd;
        ethDst = o.ethDst;
        ethSrc = o.ethSrc;
        ethType = o.ethType;
        tci = o.tci;
        innerTci = o.innerTci;
        arpOp = o.arpOp;
        arpSpa = o.arpSpa;
        arpTpa = o.arpTpa;
        inPort = o.inPort;
        metadata = o.metadata;
        tunnelId = o.tunnelId;
        tunnelSrcIp = o.tunnelSrcIp;
        tunnelDstIp = o.tunnelDstIp;
        dirty = o.dirty;
        outValid = false;
    }

    void fillKey(long[] key) {
        KeyLayout.encode(
                key,
                inPort,
                metadata,
                tunnelId,
                tunnelSrcIp,
                ethDst,
                ethSrc,
                ethType,
                vlanVid(),
                arpOp,
                arpSpa,
                arpTpa);
    }

    /** OpenFlow 1.3 vlan_vid: OFPVID_PRESENT | vid for a tagged frame, OFPVID_NONE otherwise. */
    int vlanVid() {
        return tci == NO_TAG ? 0 : 0x1000 | (tci & 0xFFF);
    }

    /** push_vlan: the new outer tag copies the current one, or starts at vid 0, pcp 0. */
    void pushVlan() {
        if (innerTci != NO_TAG) {
            return; // a third tag is beyond what this switch models; keep the frame as it is
        }
        if (tci != NO_TAG) {
            innerTci = tci;
        } else {
            tci = 0;
        }
        changed();
    }

    void popVlan() {
        if (tci == NO_TAG) {
            return;
        }
        tci = innerTci;
        innerTci = NO_TAG;
        changed();
    }

    /** set_field vlan_vid: only meaningful on a tagged frame, ignored otherwise (as Open vSwitch does). */
    void setVlanVid(int vid) {
        if (tci != NO_TAG) {
            tci = (tci & 0xF000) | (vid & 0xFFF);
            changed();
        }
    }

    void setEthDst(long mac) {
        ethDst = mac;
        changed();
    }

    void setEthSrc(long mac) {
        ethSrc = mac;
        changed();
    }

    private void changed() {
        dirty = true;
        outValid = false;
    }

    /** The frame's bytes as they are now: the caller's slice, or the rewritten copy. */
    byte[] bytes() {
        if (!dirty) {
            return frame;
        }
        materialize();
        return out;
    }

    int bytesOffset() {
        return dirty ? 0 : frameOff;
    }

    int bytesLength() {
        if (!dirty) {
            return frameLen;
        }
        materialize();
        return outLen;
    }

    private void materialize() {
        if (outValid) {
            return;
        }
        int tags = (tci == NO_TAG ? 0 : 1) + (innerTci == NO_TAG ? 0 : 1);
        int header = ETH_HEADER + 4 * tags;
        int payload = payloadEnd - payloadOff;
        if (out.length < header + payload) {
            out = new byte[header + payload];
        }
        write48(out, 0, ethDst);
        write48(out, 6, ethSrc);
        int p = 12;
        if (tci != NO_TAG) {
            p = writeTag(out, p, tci);
        }
        if (innerTci != NO_TAG) {
            p = writeTag(out, p, innerTci);
        }
        write16(out, p, ethType);
        System.arraycopy(frame, payloadOff, out, header, payload);
        outLen = header + payload;
        outValid = true;
    }

    private static int writeTag(byte[] b, int p, int tagTci) {
        write16(b, p, TPID_8021Q);
        write16(b, p + 2, tagTci);
        return p + 4;
    }

    static int read16(byte[] b, int p) {
        return ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
    }

    static int read32(byte[] b, int p) {
        return (read16(b, p) << 16) | read16(b, p + 2);
    }

    static long read48(byte[] b, int p) {
        return ((long) read16(b, p) << 32) | (read32(b, p + 2) & 0xFFFF_FFFFL);
    }

    static void write16(byte[] b, int p, int v) {
        b[p] = (byte) (v >>> 8);
        b[p + 1] = (byte) v;
    }

    static void write48(byte[] b, int p, long v) {
        for (int i = 5; i >= 0; i--) {
            b[p + i] = (byte) v;
            v >>>= 8;
        }
    }
}
