package io.portmesh.openflow;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import org.projectfloodlight.openflow.protocol.OFMessage;

/** The codec handlers of the real pipeline on an {@link EmbeddedChannel}. */
final class Codec {
    final OfStats stats = new OfStats();
    final EmbeddedChannel channel;

    /** Frame decoder, message decoder (already negotiated), encoder, of a controller end. */
    Codec(boolean closeOnMalformed) {
        this(closeOnMalformed, true);
    }

    Codec(boolean closeOnMalformed, boolean negotiated) {
        this(OfRole.CONTROLLER, closeOnMalformed, negotiated);
    }

    Codec(OfRole role, boolean closeOnMalformed, boolean negotiated) {
        channel = new EmbeddedChannel(
                new OfFrameDecoder(stats),
                new OfMessageDecoder(
                        stats,
                        role,
                        closeOnMalformed ? MalformedPolicy.CLOSE_CONNECTION : MalformedPolicy.KEEP_CONNECTION,
                        negotiated,
                        null),
                new OfMessageEncoder(stats));
    }

    /** Bytes the encoder produces for {@code message}. */
    static byte[] encode(OFMessage message) {
        EmbeddedChannel ch = new EmbeddedChannel(new OfMessageEncoder(new OfStats()));
        ch.writeOutbound(message);
        ByteBuf buf = ch.readOutbound();
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
            ch.finishAndReleaseAll();
        }
    }

    /** Feeds bytes in; returns what came out (Loxi messages, {@link OfRoleStatus}es). */
    List<Object> feed(byte[] bytes) {
        channel.writeInbound(channel.alloc().buffer(bytes.length).writeBytes(bytes));
        List<Object> out = new ArrayList<>();
        for (Object o = channel.readInbound(); o != null; o = channel.readInbound()) {
            out.add(o);
        }
        return out;
    }

    /** The replies the pipeline wrote (OFPT_ERRORs), decoded. */
    List<OFMessage> replies() throws Exception {
        List<OFMessage> out = new ArrayList<>();
        for (Object o = channel.readOutbound(); o != null; o = channel.readOutbound()) {
            ByteBuf buf = (ByteBuf) o;
            try {
                while (buf.isReadable()) {
                    out.add(org.projectfloodlight.openflow.protocol.OFFactories.getGenericReader()
                            .readFrom(buf));
                }
            } finally {
                ReferenceCountUtil.release(buf);
            }
        }
        return out;
    }

    void release() {
        channel.finishAndReleaseAll();
    }
}
