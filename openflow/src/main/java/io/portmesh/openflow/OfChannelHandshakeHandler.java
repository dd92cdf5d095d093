package io.portmesh.openflow;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFHello;
import org.projectfloodlight.openflow.protocol.OFHelloElem;
import org.projectfloodlight.openflow.protocol.OFHelloElemVersionbitmap;
import org.projectfloodlight.openflow.protocol.OFHelloFailedCode;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.U32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Channel phase of the handshake: send our HELLO (1.3, with a version bitmap of 1.3 only), check the peer's
 * first message, then fire {@link OfPipelineEvent#NEGOTIATED} and leave the pipeline. Negotiation follows OpenFlow
 * 1.3.5 section 6.3.1: with a bitmap, 1.3 must be in it; without one, the peer's version must be 1.3 or newer
 * (then both use 1.3). Anything else gets HELLO_FAILED with a readable text and the connection is closed.
 */
final class OfChannelHandshakeHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(OfChannelHandshakeHandler.class);
    private static final OFFactory OF13 = OFFactories.getFactory(OFVersion.OF_13);
    private static final int OF13_BIT = OfMessageDecoder.OF13_WIRE_VERSION;

    private final OfMessageDecoder decoder;
    private final OfStats stats;
    private boolean refused;

    OfChannelHandshakeHandler(OfMessageDecoder decoder, OfStats stats) {
        this.decoder = decoder;
        this.stats = stats;
    }

    static OFHello ourHello() {
        OFHelloElem bitmap = OF13.buildHelloElemVersionbitmap()
                .setBitmaps(List.of(U32.of(1L << OF13_BIT)))
                .build();
        return OF13.buildHello()
                .setXid(OF13.nextXid())
                .setElements(List.of(bitmap))
                .build();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(ourHello());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused || !(msg instanceof OFMessage message)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        String refusal = refusal(message);
        if (refusal != null) {
            refuse(ctx, message, refusal);
            return;
        }
        decoder.markNegotiated();
        log.debug("{}: OpenFlow 1.3 negotiated", ctx.channel());
        ctx.fireUserEventTriggered(OfPipelineEvent.NEGOTIATED);
        ctx.pipeline().remove(this);
    }

    /** Why {@code first} cannot open a 1.3 session, or null if it can. */
    static String refusal(OFMessage first) {
        int peer = first.getVersion().getWireVersion();
        if (first.getType() != OFType.HELLO) {
            return "expected HELLO as first message, got " + first.getType();
        }
        if (peer < OF13_BIT) {
            // HELLO elements exist from 1.3 on (Loxi refuses to read them from older versions)
            return "OpenFlow 1.3 only; peer offered OpenFlow " + OfErrors.wireVersionName(peer);
        }
        for (OFHelloElem elem : ((OFHello) first).getElements()) {
            if (elem instanceof OFHelloElemVersionbitmap bitmap) {
                return bitmapHas(bitmap.getBitmaps(), OF13_BIT)
                        ? null
                        : "OpenFlow 1.3 only; peer's version bitmap does not include it";
            }
        }
        return null; // no bitmap and a version >= 1.3: both use 1.3
    }

    private static boolean bitmapHas(List<U32> words, int version) {
        int word = version / 32;
        return word < words.size() && (words.get(word).getValue() & (1L << (version % 32))) != 0;
    }

    private void refuse(ChannelHandlerContext ctx, OFMessage first, String text) {
        refused = true;
        stats.increment(OfStats.Counter.HANDSHAKE_FAILURES);
        log.debug("{}: handshake refused: {}", ctx.channel(), text);
        OFHelloFailedCode code =
                first.getType() == OFType.HELLO ? OFHelloFailedCode.INCOMPATIBLE : OFHelloFailedCode.EPERM;
        OfChannels.sendAndClose(
                ctx.channel(),
                OfErrors.helloFailed(first.getVersion().getWireVersion(), first.getXid(), code, text),
                new OfHandshakeException(text));
    }
}
