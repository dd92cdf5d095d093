package io.portmesh.agent.io;

import io.portmesh.model.Mac;
import java.nio.ByteBuffer;

/** Untagged Ethernet frames a kernel IP stack understands: ARP and IPv4 ICMP echo, with real checksums. */
final class InetFrames {
    static final int ETH_IPV4 = 0x0800;
    static final int ETH_ARP = 0x0806;
    static final int PROTO_ICMP = 1;
    static final int PROTO_UDP = 17;
    static final int ICMP_ECHO_REPLY = 0;
    static final int ICMP_ECHO_REQUEST = 8;

    private InetFrames() {}

    static int etherType(byte[] f) {
        return u16(f, 12);
    }

    static Mac src(byte[] f) {
        return Mac.of(f, 6);
    }

    static Mac dst(byte[] f) {
        return Mac.of(f, 0);
    }

    static byte[] arp(Mac dst, int op, Mac sha, int spa, Mac tha, int tpa) {
        ByteBuffer b = ByteBuffer.allocate(60);
        b.put(dst.toBytes()).put(sha.toBytes()).putShort((short) ETH_ARP);
        b.putShort((short) 1)
                .putShort((short) ETH_IPV4)
                .put((byte) 6)
                .put((byte) 4)
                .putShort((short) op);
        b.put(sha.toBytes()).putInt(spa).put(tha.toBytes()).putInt(tpa);
        return b.array();
    }

    static int arpOp(byte[] f) {
        return u16(f, 20);
    }

    static Mac arpSha(byte[] f) {
        return Mac.of(f, 22);
    }

    static int arpSpa(byte[] f) {
        return i32(f, 28);
    }

    static int arpTpa(byte[] f) {
        return i32(f, 38);
    }

    /** An IPv4 packet in an Ethernet frame; {@code l4} is the ICMP or UDP message with its checksum already set. */
    static byte[] ipv4(Mac dst, Mac src, int srcIp, int dstIp, int protocol, byte[] l4) {
        ByteBuffer b = ByteBuffer.allocate(Math.max(60, 14 + 20 + l4.length));
        b.put(dst.toBytes()).put(src.toBytes()).putShort((short) ETH_IPV4);
        int ipStart = b.position();
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4.length));
        b.putShort((short) 0x1234).putShort((short) 0x4000); // id, don't fragment
        b.put((byte) 64).put((byte) protocol).putShort((short) 0);
        b.putInt(srcIp).putInt(dstIp);
        byte[] a = b.array();
        int sum = checksum(a, ipStart, 20);
        a[ipStart + 10] = (byte) (sum >>> 8);
        a[ipStart + 11] = (byte) sum;
        b.put(l4);
        return a;
    }

    static byte[] icmpEcho(int type, int id, int seq, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.put((byte) type)
                .put((byte) 0)
                .putShort((short) 0)
                .putShort((short) id)
                .putShort((short) seq);
        b.put(payload);
        byte[] m = b.array();
        int sum = checksum(m, 0, m.length);
        m[2] = (byte) (sum >>> 8);
        m[3] = (byte) sum;
        return m;
    }

    static int ipProtocol(byte[] f) {
        return f[23] & 0xFF;
    }

    static int ipSrc(byte[] f) {
        return i32(f, 26);
    }

    static int ipDst(byte[] f) {
        return i32(f, 30);
    }

    static int ipTotalLength(byte[] f) {
        return u16(f, 16);
    }

    /** Offset of the layer-4 header (the IPv4 header length is honoured). */
    static int l4Offset(byte[] f) {
        return 14 + (f[14] & 0x0F) * 4;
    }

    static boolean ipHeaderChecksumOk(byte[] f) {
        return checksum(f, 14, (f[14] & 0x0F) * 4) == 0;
    }

    /** The Internet checksum (RFC 1071) of {@code len} bytes; 0 when computed over data that carries its checksum. */
    static int checksum(byte[] d, int off, int len) {
        long sum = 0;
        for (int i = 0; i + 1 < len; i += 2) {
            sum += u16(d, off + i);
        }
        if ((len & 1) != 0) {
            sum += (d[off + len - 1] & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    static int u16(byte[] f, int off) {
        return ((f[off] & 0xFF) << 8) | (f[off + 1] & 0xFF);
    }

    static int i32(byte[] f, int off) {
        return (u16(f, off) << 16) | u16(f, off + 2);
    }
}
