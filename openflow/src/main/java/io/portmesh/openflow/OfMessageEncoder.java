package io.portmesh.openflow;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Serialises {@link OFMessage}s; anything else (pre-encoded batches) passes untouched. */
@ChannelHandler.Sharable
final class OfMessageEncoder extends ChannelOutboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(OfMessageEncoder.class);
    private final OfStats stats;

    OfMessageEncoder(OfStats stats) {
        this.stats = stats;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof OFMessage message)) {
            ctx.write(msg, promise);
            return;
        }
        ByteBuf buf = ctx.alloc().ioBuffer();
        try {
            message.writeTo(buf);
        } catch (RuntimeException e) {
            // a message Loxi cannot serialise is the sender's bug; drop it rather than kill the connection
            buf.release();
            stats.increment(OfStats.Counter.ENCODE_ERRORS);
            log.debug("{}: cannot encode {}: {}", ctx.channel(), message.getType(), e.toString());
            promise.tryFailure(e);
            return;
        }
        stats.increment(OfStats.Counter.MESSAGES_OUT);
        ctx.write(buf, promise);
    }
}
