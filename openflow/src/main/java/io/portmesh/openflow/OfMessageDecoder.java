package io.portmesh.openflow;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;
import org.projectfloodlight.openflow.exceptions.OFParseError;
import org.projectfloodlight.openflow.protocol.OFBadRequestCode;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFHelloFailedCode;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFMessageReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses one frame with Loxi. Frames that cannot be parsed are answered with the OFPT_ERROR the spec names and
 * counted; whether the connection survives is the {@link MalformedPolicy}. Before the version is negotiated, a
 * HELLO of any version passes (the handshake decides); any other frame of another version fails the handshake.
 *
 * <p>Experimenter messages are extensions, not errors: after negotiation, an ONF role status becomes an {@link
 * OfRoleStatus}, one Loxi knows becomes its message, and any other one with a whole experimenter header is counted
 * ({@link OfStats.Counter#EXPERIMENTERS_IGNORED}) and never closes the connection. A switch end answers it with
 * BAD_REQUEST/BAD_EXPERIMENTER as the spec asks of a switch; a controller end drops it (nobody waits for an answer,
 * and Open vSwitch sends such messages unasked, e.g. role status).
 */
final class OfMessageDecoder extends MessageToMessageDecoder<ByteBuf> {
    private static final Logger log = LoggerFactory.getLogger(OfMessageDecoder.class);
    private static final OFMessageReader<OFMessage> READER = OFFactories.getGenericReader();
    static final int OF13_WIRE_VERSION = 4;
    private static final int TYPE_HELLO = 0;
    private static final int TYPE_EXPERIMENTER = 4;
    private static final int TYPE_MULTIPART_REQUEST = 18;
    private static final int TYPE_MULTIPART_REPLY = 19;
    private static final int MAX_OF13_TYPE = 29;
    private static final int MAX_OF13_MULTIPART_TYPE = 13;
    private static final int MULTIPART_EXPERIMENTER = 0xffff;

    private final OfStats stats;
    private final boolean closeOnMalformed;
    private final boolean answerUnknownExperimenters;
    private final OfWireDecoder wireDecoder;
    private volatile boolean negotiated;
    private boolean closing;

    /**
     * @param role the local end's role: it decides how unknown experimenter messages are treated
     * @param wireDecoder tried on every 1.3 frame after negotiation, before Loxi; null for none
     */
    OfMessageDecoder(
            OfStats stats, OfRole role, MalformedPolicy policy, boolean negotiated, OfWireDecoder wireDecoder) {
        super(ByteBuf.class);
        this.stats = stats;
        this.closeOnMalformed = policy.closesFor(role);
        this.answerUnknownExperimenters = role == OfRole.SWITCH;
        this.negotiated = negotiated;
        this.wireDecoder = wireDecoder;
    }

    /** From now on only 1.3 frames are accepted; others get BAD_REQUEST/BAD_VERSION. */
    void markNegotiated() {
        negotiated = true;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        if (closing) {
            return;
        }
        int start = frame.readerIndex();
        int version = frame.getUnsignedByte(start);
        int type = frame.getUnsignedByte(start + 1);
        if (version != OF13_WIRE_VERSION && negotiated) {
            reject(ctx, frame, start, OFBadRequestCode.BAD_VERSION, "version " + version + " after negotiating 1.3");
            return;
        }
        if (wireDecoder != null && negotiated) {
            Object decoded = decodeWire(ctx, frame, start);
            if (decoded != null) {
                stats.increment(OfStats.Counter.MESSAGES_IN);
                out.add(new WireMessage(decoded));
                return;
            }
        }
        boolean experimenter =
                negotiated && type == TYPE_EXPERIMENTER && frame.readableBytes() >= OfExperimenters.HEADER_LENGTH;
        if (experimenter) {
            OfRoleStatus status = OfExperimenters.roleStatus(frame, start);
            if (status != null) {
                stats.increment(OfStats.Counter.MESSAGES_IN);
                out.add(status);
                return;
            }
        }
        OFMessage message;
        String failure;
        try {
            message = READER.readFrom(frame);
            failure = message == null ? "incomplete message" : null;
        } catch (OFParseError | RuntimeException e) {
            // Loxi reports bad input with OFParseError but also with IllegalArgument/IndexOutOfBounds/NPE
            message = null;
            failure = e.toString();
        }
        if (version != OF13_WIRE_VERSION && (message == null || type != TYPE_HELLO)) {
            refuseVersion(ctx, frame, start, version);
            return;
        }
        if (message == null && experimenter) {
            ignoreExperimenter(ctx, frame, start, failure);
            return;
        }
        if (message == null) {
            reject(ctx, frame, start, codeFor(frame, start, type), failure);
            return;
        }
        stats.increment(OfStats.Counter.MESSAGES_IN);
        out.add(message);
    }

    private Object decodeWire(ChannelHandlerContext ctx, ByteBuf frame, int start) {
        try {
            return wireDecoder.decode(frame);
        } catch (RuntimeException e) {
            log.debug("{}: wire decoder failed, Loxi parses the frame instead: {}", ctx.channel(), e.toString());
            return null;
        } finally {
            frame.readerIndex(start);
        }
    }

    /** What an {@link OfWireDecoder} made of one frame, on its way to {@link OfMessageListener#onWireMessage}. */
    record WireMessage(Object decoded) {}

    private void reject(ChannelHandlerContext ctx, ByteBuf frame, int start, OFBadRequestCode code, String why) {
        stats.increment(OfStats.Counter.DECODE_ERRORS);
        int length = frame.getUnsignedShort(start + 2);
        log.debug(
                "{}: undecodable message (type {}, length {}): {} -> {}",
                ctx.channel(),
                frame.getUnsignedByte(start + 1),
                length,
                why,
                code);
        OFErrorMsg error = OfErrors.badRequest(code, frame, start);
        if (closeOnMalformed) {
            closing = true;
            OfChannels.sendAndClose(
                    ctx.channel(), error, new OfProtocolException("undecodable message (" + code + "): " + why));
        } else if (OfChannels.mayQueueReply(ctx.channel(), stats)) {
            ctx.channel().writeAndFlush(error);
        }
    }

    private void ignoreExperimenter(ChannelHandlerContext ctx, ByteBuf frame, int start, String why) {
        stats.increment(OfStats.Counter.EXPERIMENTERS_IGNORED);
        log.debug(
                "{}: ignoring experimenter message (experimenter 0x{}, type {}, length {}): {}",
                ctx.channel(),
                Long.toHexString(OfExperimenters.experimenterId(frame, start)),
                OfExperimenters.expType(frame, start),
                frame.getUnsignedShort(start + 2),
                why);
        if (answerUnknownExperimenters && OfChannels.mayQueueReply(ctx.channel(), stats)) {
            ctx.channel().writeAndFlush(OfErrors.badRequest(OFBadRequestCode.BAD_EXPERIMENTER, frame, start));
        }
    }

    private void refuseVersion(ChannelHandlerContext ctx, ByteBuf frame, int start, int version) {
        closing = true;
        stats.increment(OfStats.Counter.HANDSHAKE_FAILURES);
        String text = "OpenFlow 1.3 only; peer sent OpenFlow " + OfErrors.wireVersionName(version);
        log.debug("{}: {}", ctx.channel(), text);
        long xid = frame.getUnsignedInt(start + 4);
        OFErrorMsg error = OfErrors.helloFailed(version, xid, OFHelloFailedCode.INCOMPATIBLE, text);
        OfChannels.sendAndClose(ctx.channel(), error, new OfHandshakeException(text));
    }

    /** The most specific BAD_REQUEST code the header tells us; anything else is a length/structure problem. */
    private static OFBadRequestCode codeFor(ByteBuf frame, int start, int type) {
        if (type > MAX_OF13_TYPE) {
            return OFBadRequestCode.BAD_TYPE;
        }
        if (type == TYPE_EXPERIMENTER) {
            return OFBadRequestCode.BAD_EXPERIMENTER;
        }
        if ((type == TYPE_MULTIPART_REQUEST || type == TYPE_MULTIPART_REPLY)
                && frame.writerIndex() - start >= OfFrameDecoder.HEADER_LENGTH + 2) {
            int multipartType = frame.getUnsignedShort(start + OfFrameDecoder.HEADER_LENGTH);
            if (multipartType > MAX_OF13_MULTIPART_TYPE && multipartType != MULTIPART_EXPERIMENTER) {
                return OFBadRequestCode.BAD_STAT;
            }
        }
        return OFBadRequestCode.BAD_LEN;
    }
}
