package io.portmesh.openflow;

import org.projectfloodlight.openflow.protocol.OFErrorMsg;

/** The peer answered a request with OFPT_ERROR; {@link #error()} is that message. */
public final class OfErrorException extends OfException {
    private final transient OFErrorMsg error;

    public OfErrorException(OFErrorMsg error) {
        super("peer answered xid " + error.getXid() + " with " + describe(error));
        this.error = error;
    }

    public OFErrorMsg error() {
        return error;
    }

    private static String describe(OFErrorMsg error) {
        // every concrete error message has getCode(); the generic interface does not expose it
        String text = error.toString();
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }
}
