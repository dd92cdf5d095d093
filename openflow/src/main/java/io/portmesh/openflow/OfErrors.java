package io.portmesh.openflow;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import org.projectfloodlight.openflow.protocol.OFBadRequestCode;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFHelloFailedCode;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.OFErrorCauseData;

/** Builds the OFPT_ERROR replies the pipeline sends on its own. */
final class OfErrors {
    /** OpenFlow 1.3.5 section 7.5.4: error data carries at least the first 64 bytes of the failed request. */
    static final int ERROR_DATA_BYTES = 64;

    private static final OFFactory OF13 = OFFactories.getFactory(OFVersion.OF_13);

    private OfErrors() {}

    /** BAD_REQUEST with {@code code}, echoing the xid and the first 64 bytes of {@code frame} (not consumed). */
    static OFErrorMsg badRequest(OFBadRequestCode code, ByteBuf frame, int start) {
        long xid = frame.getUnsignedInt(start + 4);
        return OF13.errorMsgs()
                .buildBadRequestErrorMsg()
                .setXid(xid)
                .setCode(code)
                .setData(OFErrorCauseData.of(head(frame, start), OFVersion.OF_13))
                .build();
    }

    /**
     * HELLO_FAILED whose data is a readable text (as the spec asks), in the peer's version when Loxi knows it so
     * that a peer speaking only that version can read it, otherwise in 1.3.
     */
    static OFErrorMsg helloFailed(int peerWireVersion, long xid, OFHelloFailedCode code, String text) {
        OFVersion version = knownVersion(peerWireVersion);
        return OFFactories.getFactory(version)
                .errorMsgs()
                .buildHelloFailedErrorMsg()
                .setXid(xid)
                .setCode(code)
                .setData(OFErrorCauseData.of(text.getBytes(StandardCharsets.US_ASCII), version))
                .build();
    }

    static String wireVersionName(int wireVersion) {
        return switch (wireVersion) {
            case 1 -> "1.0";
            case 2 -> "1.1";
            case 3 -> "1.2";
            case 4 -> "1.3";
            case 5 -> "1.4";
            case 6 -> "1.5";
            default -> "wire version " + wireVersion;
        };
    }

    private static OFVersion knownVersion(int wireVersion) {
        for (OFVersion v : OFVersion.values()) {
            if (v.getWireVersion() == wireVersion) {
                return v;
            }
        }
        return OFVersion.OF_13;
    }

    private static byte[] head(ByteBuf frame, int start) {
        int length = Math.min(ERROR_DATA_BYTES, frame.writerIndex() - start);
        byte[] bytes = new byte[Math.max(0, length)];
        frame.getBytes(start, bytes);
        return bytes;
    }
}
