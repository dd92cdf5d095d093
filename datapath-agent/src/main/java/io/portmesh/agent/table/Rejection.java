package io.portmesh.agent.table;

import org.projectfloodlight.openflow.protocol.OFBadActionCode;
import org.projectfloodlight.openflow.protocol.OFBadInstructionCode;
import org.projectfloodlight.openflow.protocol.OFBadMatchCode;
import org.projectfloodlight.openflow.protocol.OFBadRequestCode;
import org.projectfloodlight.openflow.protocol.OFErrorType;
import org.projectfloodlight.openflow.protocol.OFFlowModFailedCode;
import org.projectfloodlight.openflow.protocol.OFGroupModFailedCode;

/**
 * Why a flow-mod or group-mod was refused: an OpenFlow error type and code. Thrown by the compilers
 * deep inside validation and turned into an {@code OFErrorMsg} at the edge, so the validation code
 * stays a straight line. No stack trace: it is control flow, not a bug.
 */
final class Rejection extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final OFErrorType type;
    final Enum<?> code;

    private Rejection(OFErrorType type, Enum<?> code) {
        super(type + "/" + code, null, false, false);
        this.type = type;
        this.code = code;
    }

    static Rejection badMatch(OFBadMatchCode code) {
        return new Rejection(OFErrorType.BAD_MATCH, code);
    }

    static Rejection badAction(OFBadActionCode code) {
        return new Rejection(OFErrorType.BAD_ACTION, code);
    }

    static Rejection badInstruction(OFBadInstructionCode code) {
        return new Rejection(OFErrorType.BAD_INSTRUCTION, code);
    }

    static Rejection flowModFailed(OFFlowModFailedCode code) {
        return new Rejection(OFErrorType.FLOW_MOD_FAILED, code);
    }

    static Rejection groupModFailed(OFGroupModFailedCode code) {
        return new Rejection(OFErrorType.GROUP_MOD_FAILED, code);
    }

    static Rejection badRequest(OFBadRequestCode code) {
        return new Rejection(OFErrorType.BAD_REQUEST, code);
    }
}
