package io.portmesh.sim;

import io.portmesh.model.Mac;
import java.nio.ByteBuffer;

/**
 * The frames of a {@link FrameStream}: a tagged frame of ethertype {@link EtherFrames#ETHERTYPE_STREAM} (not the
 * ping ethertype, so a stream and pings between the same VMs never mix) whose payload is magic "PS", two zero bytes,
 * a 4-byte stream id, an 8-byte sequence number (from 1), an 8-byte send timestamp (the sender's
 * {@link System#nanoTime()}), then zero padding up to the chosen frame size. Nothing answers them.
 */
public final class StreamFrames {
    public static final int MAGIC = 0x5053;
    /** Magic, zero, stream id, sequence, timestamp. */
    public static final int PAYLOAD_HEADER = 24;

    private static final int ID_OFFSET = EtherFrames.TAGGED_HEADER + 4;
    private static final int SEQ_OFFSET = ID_OFFSET + 4;
    private static final int TIME_OFFSET = SEQ_OFFSET + 8;

    private StreamFrames() {}

    /** Frame {@code seq} of stream {@code streamId}, {@code frameSize} bytes (at least 64). */
    public static byte[] frame(Mac dst, Mac src, int vlan, int streamId, long seq, long sentNanos, int frameSize) {
        ByteBuffer b = EtherFrames.tagged(dst, src, vlan, EtherFrames.ETHERTYPE_STREAM, frameSize);
        b.putShort((short) MAGIC)
                .putShort((short) 0)
                .putInt(streamId)
                .putLong(seq)
                .putLong(sentNanos);
        return b.array();
    }

    /** Whether {@code f} is a tagged stream frame. */
    public static boolean is(byte[] f, int len) {
        return len >= EtherFrames.TAGGED_HEADER + PAYLOAD_HEADER
                && EtherFrames.vlan(f, len) >= 0
                && EtherFrames.innerEtherType(f) == EtherFrames.ETHERTYPE_STREAM
                && EtherFrames.u16(f, EtherFrames.TAGGED_HEADER) == MAGIC;
    }

    public static int streamId(byte[] f) {
        return EtherFrames.i32(f, ID_OFFSET);
    }

    public static long seq(byte[] f) {
        return EtherFrames.i64(f, SEQ_OFFSET);
    }

    public static long sentNanos(byte[] f) {
        return EtherFrames.i64(f, TIME_OFFSET);
    }
}
