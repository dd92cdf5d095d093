package io.portmesh.agent.table;

import org.projectfloodlight.openflow.protocol.OFFlowModCommand;

/**
 * A flow-mod {@link FlowModWireDecoder} read from the wire on an I/O thread: header fields, the match already
 * compiled (or the rejection it earned, reported when the tables get to it, at the step the Loxi path would
 * report it), and the instruction bytes, compiled on the control thread against the group table of that moment.
 */
public final class WireFlowMod extends FlowModRequest {
    private final WireSource source;
    private final int instructionsOffset;
    /** Null when the match was refused. */
    private final MatchCompiler.Key key;

    private final Rejection matchRejection;

    WireFlowMod(
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
            int flags,
            WireSource source,
            int instructionsOffset,
            MatchCompiler.Key key,
            Rejection matchRejection) {
        super(
                xid,
                command,
                cookie,
                cookieMask,
                tableId,
                idleTimeout,
                hardTimeout,
                priority,
                bufferId,
                outPort,
                outGroup,
                flags);
        this.source = source;
        this.instructionsOffset = instructionsOffset;
        this.key = key;
        this.matchRejection = matchRejection;
    }

    public long xid() {
        return xid;
    }

    @Override
    FlowMatch match(boolean checkPrerequisites) {
        if (matchRejection != null) {
            throw matchRejection;
        }
        if (checkPrerequisites) {
            key.checkPrerequisites();
        }
        // A fresh match each time: FlowMatch owns its arrays once it is in a table.
        return new FlowMatch(key.value.clone(), key.mask.clone(), source);
    }

    @Override
    Instructions instructions(ActionCompiler compiler, int tableId, int tableCount) {
        return WireInstructions.compile(compiler, source, instructionsOffset, tableId, tableCount);
    }

    /** The header as it came (the decoder only takes zero padding and known flags, so it is exactly this). */
    @Override
    public byte[] errorData() {
        byte[] head = new byte[Math.min(ErrorMessages.CAUSE_BYTES, WireSource.HEADER + source.body.length)];
        int length = WireSource.HEADER + source.body.length;
        head[0] = 4;
        head[1] = 14;
        head[2] = (byte) (length >>> 8);
        head[3] = (byte) length;
        putInt(head, 4, (int) xid);
        putLong(head, 8, cookie);
        putLong(head, 16, cookieMask);
        head[24] = (byte) tableId;
        head[25] = (byte) FlowModWireDecoder.wireCommand(command);
        putShort(head, 26, idleTimeout);
        putShort(head, 28, hardTimeout);
        putShort(head, 30, priority);
        putInt(head, 32, bufferId);
        putInt(head, 36, outPort);
        putInt(head, 40, outGroup);
        putShort(head, 44, flags);
        System.arraycopy(source.body, 0, head, WireSource.HEADER, head.length - WireSource.HEADER);
        return head;
    }

    private static void putShort(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }

    private static void putInt(byte[] b, int i, int v) {
        putShort(b, i, v >>> 16);
        putShort(b, i + 2, v);
    }

    private static void putLong(byte[] b, int i, long v) {
        putInt(b, i, (int) (v >>> 32));
        putInt(b, i + 4, (int) v);
    }
}
