package io.portmesh.openflow;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.nio.ByteOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits the stream on the OpenFlow header's 16-bit length (which counts the whole message). A length below the
 * 8-byte header cannot be skipped reliably, so the connection is closed and everything after is dropped.
 */
final class OfFrameDecoder extends LengthFieldBasedFrameDecoder {
    private static final Logger log = LoggerFactory.getLogger(OfFrameDecoder.class);
    static final int HEADER_LENGTH = 8;
    static final int MAX_FRAME_LENGTH = 65535;

    private final OfStats stats;
    private boolean failed;

    OfFrameDecoder(OfStats stats) {
        super(MAX_FRAME_LENGTH, 2, 2, -4, 0);
        this.stats = stats;
    }

    @Override
    protected long getUnadjustedFrameLength(ByteBuf buf, int offset, int length, ByteOrder order) {
        long frameLength = super.getUnadjustedFrameLength(buf, offset, length, order);
        if (frameLength < HEADER_LENGTH) {
            throw new CorruptedFrameException("OpenFlow length field " + frameLength + " < " + HEADER_LENGTH);
        }
        return frameLength;
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return null;
        }
        try {
            return super.decode(ctx, in);
        } catch (CorruptedFrameException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            stats.increment(OfStats.Counter.FRAMING_ERRORS);
            log.debug("{}: unframeable input, closing: {}", ctx.channel(), e.getMessage());
            OfChannels.closeWithCause(ctx.channel(), new OfProtocolException(e.getMessage()));
            return null;
        }
    }
}
