package io.portmesh.openflow;

import io.netty.buffer.ByteBuf;
import org.projectfloodlight.openflow.protocol.OFControllerRole;
import org.projectfloodlight.openflow.protocol.OFControllerRoleReason;

/**
 * Reads the experimenter messages this library understands itself, before Loxi sees them. Loxi's OpenFlow 1.3 reader
 * knows ROLE_STATUS only as the OpenFlow 1.4 message type, not as the ONF extension switches send over 1.3.
 */
final class OfExperimenters {
    /** OFPT_EXPERIMENTER header: OpenFlow header, experimenter id, exp_type. */
    static final int HEADER_LENGTH = OfFrameDecoder.HEADER_LENGTH + 8;

    static final long ONF_EXPERIMENTER_ID = 0x4F4E4600L;
    static final long ONFT_ROLE_STATUS = 1911;
    /** Experimenter header, role (4), reason (1), pad (3), generation id (8); properties may follow. */
    private static final int ROLE_STATUS_LENGTH = HEADER_LENGTH + 16;

    private static final OFControllerRole[] ROLES = {
        null, OFControllerRole.ROLE_EQUAL, OFControllerRole.ROLE_MASTER, OFControllerRole.ROLE_SLAVE
    };
    private static final OFControllerRoleReason[] REASONS = {
        OFControllerRoleReason.MASTER_REQUEST, OFControllerRoleReason.CONFIG, OFControllerRoleReason.EXPERIMENTER
    };

    private OfExperimenters() {}

    static long experimenterId(ByteBuf frame, int start) {
        return frame.getUnsignedInt(start + OfFrameDecoder.HEADER_LENGTH);
    }

    static long expType(ByteBuf frame, int start) {
        return frame.getUnsignedInt(start + OfFrameDecoder.HEADER_LENGTH + 4);
    }

    /**
     * The ONF role status in {@code frame} (a whole experimenter message of at least {@link #HEADER_LENGTH} bytes,
     * not consumed), or null when it is another message or carries a role or reason this library does not know.
     */
    static OfRoleStatus roleStatus(ByteBuf frame, int start) {
        int length = frame.getUnsignedShort(start + 2);
        if (experimenterId(frame, start) != ONF_EXPERIMENTER_ID
                || expType(frame, start) != ONFT_ROLE_STATUS
                || length < ROLE_STATUS_LENGTH) {
            return null;
        }
        long role = frame.getUnsignedInt(start + HEADER_LENGTH);
        int reason = frame.getUnsignedByte(start + HEADER_LENGTH + 4);
        if (role >= ROLES.length || ROLES[(int) role] == null || reason >= REASONS.length) {
            return null;
        }
        long generation = frame.getLong(start + HEADER_LENGTH + 8);
        return new OfRoleStatus(ROLES[(int) role], REASONS[reason], generation);
    }
}
