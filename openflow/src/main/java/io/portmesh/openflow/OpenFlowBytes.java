package io.portmesh.openflow;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.portmesh.openflow.plan.TrunkWire;
import java.util.ArrayList;
import java.util.List;
import org.projectfloodlight.openflow.exceptions.OFParseError;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFMessage;

/** OpenFlow messages as the bytes that travel between an entity and a session on another node. */
public final class OpenFlowBytes {
    private static final int HEADER_BYTES = 8;

    private OpenFlowBytes() {}

    public static byte[] encode(List<? extends OFMessage> messages) {
        // sized for the usual flow-mod (about 100-200 bytes) so that a push's buffer is not grown and copied a
        // dozen times on the way (the profile of the bind path showed it)
        ByteBuf buf = Unpooled.buffer(Math.max(256, Math.min(messages.size() * 192, 1 << 20)));
        try {
            for (OFMessage m : messages) {
                int start = buf.writerIndex();
                m.writeTo(buf);
                if (buf.writerIndex() - start > 0xFFFF) {
                    // Loxi would write the 16-bit length modulo 65536 and desynchronise the agent's framing
                    throw new IllegalArgumentException(m.getType() + " of " + (buf.writerIndex() - start)
                            + " bytes exceeds OpenFlow's 65535-byte message limit");
                }
            }
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    /**
     * Overwrites the xid of every message in {@code buf} (readable bytes, not consumed) with the next value of
     * {@code xids}. @return null, or what is wrong with the framing (nothing is changed past that point)
     */
    public static String assignXids(ByteBuf buf, java.util.function.LongSupplier xids) {
        int at = buf.readerIndex();
        int end = buf.writerIndex();
        while (at < end) {
            if (end - at < HEADER_BYTES) {
                return "truncated OpenFlow header at offset " + at;
            }
            int length = buf.getUnsignedShort(at + 2);
            if (length < HEADER_BYTES || length > end - at) {
                return "OpenFlow message of length " + length + " at offset " + at + " does not fit the " + (end - at)
                        + " bytes left";
            }
            buf.setInt(at + 4, (int) xids.getAsLong());
            at += length;
        }
        return null;
    }

    /**
     * {@code wire} (whole OpenFlow messages, as {@link #encode} writes them) cut at message boundaries into parts of at
     * most {@code limit} bytes each (a single message longer than that is a part of its own), in order: concatenated
     * they are {@code wire} again. Bytes whose framing does not hold are one part, for the reader to refuse.
     */
    public static List<byte[]> split(byte[] wire, int limit) {
        if (wire.length <= limit) {
            return List.of(wire);
        }
        List<byte[]> parts = new ArrayList<>();
        int partStart = 0;
        int at = 0;
        while (at < wire.length) {
            if (wire.length - at < HEADER_BYTES) {
                return List.of(wire);
            }
            int length = ((wire[at + 2] & 0xFF) << 8) | (wire[at + 3] & 0xFF);
            if (length < HEADER_BYTES || length > wire.length - at) {
                return List.of(wire);
            }
            if (at + length - partStart > limit && at > partStart) {
                parts.add(java.util.Arrays.copyOfRange(wire, partStart, at));
                partStart = at;
            }
            at += length;
        }
        parts.add(java.util.Arrays.copyOfRange(wire, partStart, wire.length));
        return parts;
    }

    /** Every message of the given type in the bytes (written by {@link #encode}, so always well-formed). */
    public static <T extends OFMessage> List<T> decode(byte[] bytes, Class<T> type) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        List<T> out = new ArrayList<>();
        try {
            while (buf.isReadable()) {
                if (TrunkWire.readActivation(buf) != null) { // Portmesh's own experimenter: Loxi cannot read it
                    buf.skipBytes(buf.getUnsignedShort(buf.readerIndex() + 2));
                    continue;
                }
                OFMessage m = OFFactories.getGenericReader().readFrom(buf);
                if (m == null) {
                    throw new IllegalArgumentException("truncated OpenFlow bytes at offset " + buf.readerIndex());
                }
                if (type.isInstance(m)) {
                    out.add(type.cast(m));
                }
            }
        } catch (OFParseError e) {
            throw new IllegalArgumentException("unreadable OpenFlow bytes: " + e.getMessage(), e);
        }
        return out;
    }
}
