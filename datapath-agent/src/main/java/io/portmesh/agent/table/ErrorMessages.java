package io.portmesh.agent.table;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.projectfloodlight.openflow.protocol.OFBadActionCode;
import org.projectfloodlight.openflow.protocol.OFBadInstructionCode;
import org.projectfloodlight.openflow.protocol.OFBadMatchCode;
import org.projectfloodlight.openflow.protocol.OFBadRequestCode;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowModFailedCode;
import org.projectfloodlight.openflow.protocol.OFGroupModFailedCode;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.errormsg.OFErrorMsgs;
import org.projectfloodlight.openflow.types.OFErrorCauseData;

/** Turns a {@link Rejection} into the OpenFlow error message the controller expects. */
final class ErrorMessages {
    /** OpenFlow 1.3 section A.4.4: the data carries at least the first 64 bytes of the request. */
    static final int CAUSE_BYTES = 64;

    private final OFFactory factory;

    ErrorMessages(OFFactory factory) {
        this.factory = factory;
    }

    OFErrorMsg build(Rejection r, OFMessage offending) {
        return build(r, offending.getXid(), firstBytes(offending));
    }

    /** @param head the first bytes of the offending request (at most {@link #CAUSE_BYTES} are sent) */
    OFErrorMsg build(Rejection r, long xid, byte[] head) {
        OFErrorCauseData data = OFErrorCauseData.of(
                head.length > CAUSE_BYTES ? java.util.Arrays.copyOf(head, CAUSE_BYTES) : head, factory.getVersion());
        OFErrorMsgs e = factory.errorMsgs();
        return switch (r.type) {
            case BAD_MATCH ->
                e.buildBadMatchErrorMsg()
                        .setXid(xid)
                        .setCode((OFBadMatchCode) r.code)
                        .setData(data)
                        .build();
            case BAD_ACTION ->
                e.buildBadActionErrorMsg()
                        .setXid(xid)
                        .setCode((OFBadActionCode) r.code)
                        .setData(data)
                        .build();
            case BAD_INSTRUCTION ->
                e.buildBadInstructionErrorMsg()
                        .setXid(xid)
                        .setCode((OFBadInstructionCode) r.code)
                        .setData(data)
                        .build();
            case FLOW_MOD_FAILED ->
                e.buildFlowModFailedErrorMsg()
                        .setXid(xid)
                        .setCode((OFFlowModFailedCode) r.code)
                        .setData(data)
                        .build();
            case GROUP_MOD_FAILED ->
                e.buildGroupModFailedErrorMsg()
                        .setXid(xid)
                        .setCode((OFGroupModFailedCode) r.code)
                        .setData(data)
                        .build();
            default ->
                e.buildBadRequestErrorMsg()
                        .setXid(xid)
                        .setCode(r.code instanceof OFBadRequestCode c ? c : OFBadRequestCode.BAD_TYPE)
                        .setData(data)
                        .build();
        };
    }

    static byte[] firstBytes(OFMessage msg) {
        ByteBuf buf = Unpooled.buffer(256);
        try {
            msg.writeTo(buf);
            byte[] all = new byte[Math.min(CAUSE_BYTES, buf.readableBytes())];
            buf.getBytes(buf.readerIndex(), all);
            return all;
        } catch (RuntimeException unserializable) {
            // A message we cannot re-encode still deserves an error; it just carries no bytes.
            return new byte[0];
        } finally {
            buf.release();
        }
    }
}
