package io.portmesh.sim;

import io.portmesh.model.Mac;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The ping protocol of simulated VMs: a tagged frame of ethertype {@link EtherFrames#ETHERTYPE_PING} whose payload
 * is magic "PM", type (1 request, 2 reply), one zero byte, 8-byte sequence number, 8-byte send timestamp (the sender's
 * {@link System#nanoTime()}), then zero padding up to the chosen frame size. A reply echoes the request's payload
 * unchanged but for the type byte, so the requester computes the round trip from its own clock.
 */
public final class PingFrames {
    public static final int MAGIC = 0x504D;
    public static final int REQUEST = 1;
    public static final int REPLY = 2;
    /** Magic, type, zero, sequence, timestamp. */
    public static final int PAYLOAD_HEADER = 20;

    private static final int TYPE_OFFSET = EtherFrames.TAGGED_HEADER + 2;
    private static final int SEQ_OFFSET = EtherFrames.TAGGED_HEADER + 4;
    private static final int TIME_OFFSET = SEQ_OFFSET + 8;

    private PingFrames() {}

    /** A request of {@code frameSize} bytes (at least 64). */
    public static byte[] request(Mac dst, Mac src, int vlan, long seq, long sentNanos, int frameSize) {
        ByteBuffer b = EtherFrames.tagged(dst, src, vlan, EtherFrames.ETHERTYPE_PING, frameSize);
        b.putShort((short) MAGIC).put((byte) REQUEST).put((byte) 0).putLong(seq).putLong(sentNanos);
        return b.array();
    }

    /** {@link #REQUEST} or {@link #REPLY}, or 0 when {@code f} is not a ping frame. */
    public static int type(byte[] f, int len) {
        if (len < EtherFrames.TAGGED_HEADER + PAYLOAD_HEADER
                || EtherFrames.innerEtherType(f) != EtherFrames.ETHERTYPE_PING
                || EtherFrames.u16(f, EtherFrames.TAGGED_HEADER) != MAGIC) {
            return 0;
        }
        int type = f[TYPE_OFFSET];
        return type == REQUEST || type == REPLY ? type : 0;
    }

    public static long seq(byte[] f) {
        return EtherFrames.i64(f, SEQ_OFFSET);
    }

    public static long sentNanos(byte[] f) {
        return EtherFrames.i64(f, TIME_OFFSET);
    }

    /** The reply to {@code request}: same payload, addresses swapped, sent on {@code vlan}. */
    public static byte[] reply(byte[] request, int len, Mac self, int vlan) {
        byte[] r = Arrays.copyOf(request, len);
        System.arraycopy(request, 6, r, 0, 6);
        EtherFrames.putMac(r, 6, self);
        r[14] = (byte) ((vlan >>> 8) & 0x0F);
        r[15] = (byte) vlan;
        r[TYPE_OFFSET] = REPLY;
        return r;
    }
}
