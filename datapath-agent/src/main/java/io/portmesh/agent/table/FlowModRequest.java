package io.portmesh.agent.table;

import org.projectfloodlight.openflow.protocol.OFFlowModCommand;

/**
 * One flow-mod as the tables apply it, whichever decoder read it: Loxi ({@link LoxiFlowMod}) or the wire bytes
 * ({@link WireFlowMod}). The header fields are plain values; the match and the instructions are compiled when
 * {@link FlowModProcessor} asks for them, so that both decoders refuse a flow-mod at the same step with the same
 * error.
 */
abstract class FlowModRequest {
    /** OFPFF_* bits. */
    static final int SEND_FLOW_REM = 1;

    static final int CHECK_OVERLAP = 2;
    static final int RESET_COUNTS = 4;
    /** OFP_NO_BUFFER, OFPP_ANY and OFPG_ANY are all 0xffffffff on the wire. */
    static final int NO_BUFFER = 0xFFFF_FFFF;

    static final int ANY = 0xFFFF_FFFF;

    final long xid;
    final OFFlowModCommand command;
    final long cookie;
    final long cookieMask;
    final int tableId;
    final int idleTimeout;
    final int hardTimeout;
    final int priority;
    final int bufferId;
    final int outPort;
    final int outGroup;
    final int flags;

    FlowModRequest(
            long xid,
            OFFlowModCommand command,
            long cookie,
            long cookieMask,
            int tableId,
            int idleTimeout,
            int hardTimeout,
            int priority,
            int bufferId,
            int outPort,
            int outGroup,
            int flags) {
        this.xid = xid;
        this.command = command;
        this.cookie = cookie;
        this.cookieMask = cookieMask;
        this.tableId = tableId;
        this.idleTimeout = idleTimeout;
        this.hardTimeout = hardTimeout;
        this.priority = priority;
        this.bufferId = bufferId;
        this.outPort = outPort;
        this.outGroup = outGroup;
        this.flags = flags;
    }

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** The compiled match, or throws the {@link Rejection} to report. */
    abstract FlowMatch match(boolean checkPrerequisites);

    /** The compiled instructions against the current group table, or throws the {@link Rejection} to report. */
    abstract Instructions instructions(ActionCompiler compiler, int tableId, int tableCount);

    /** The request's first bytes as the controller sent them: the data of an error reply. */
    abstract byte[] errorData();
}
