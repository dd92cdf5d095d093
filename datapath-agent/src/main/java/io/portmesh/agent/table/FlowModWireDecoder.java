package io.portmesh.agent.table;

import io.netty.buffer.ByteBuf;
import io.portmesh.openflow.OfWireDecoder;
import org.projectfloodlight.openflow.protocol.OFFlowModCommand;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;

/**
 * Reads OFPT_FLOW_MOD straight from the wire into a {@link WireFlowMod}: the one message an agent receives by the
 * hundred thousand, where building Loxi objects (match builders above all) cost more than applying the flow.
 *
 * <p>It accepts only flow-mods that Loxi would read and write back byte for byte: known fields and instructions in
 * their canonical form (exact lengths, zero padding, match fields in Loxi's order, no mask that Loxi would
 * simplify). Anything else, valid or not, is declined (null) and Loxi reads it as before, so every structural error
 * keeps the answer the codec gives. What it accepts goes through the same checks as a Loxi flow-mod (shared code in
 * {@link MatchCompiler} and {@link ActionCompiler}), so a semantic error is the same error. Never throws.
 */
public final class FlowModWireDecoder implements OfWireDecoder {
    private static final int OF13 = 4;
    private static final int TYPE_FLOW_MOD = 14;
    private static final int MATCH_OXM = 1;
    /** OFPFF_SEND_FLOW_REM .. OFPFF_NO_BYT_COUNTS. */
    private static final int KNOWN_FLAGS = 0x1F;
    /** Port and group numbers from here up are reserved (OFPP_MAX, OFPG_MAX). */
    private static final int RESERVED = 0xFFFF_FF00;

    private static final OFFlowModCommand[] COMMANDS = {
        OFFlowModCommand.ADD,
        OFFlowModCommand.MODIFY,
        OFFlowModCommand.MODIFY_STRICT,
        OFFlowModCommand.DELETE,
        OFFlowModCommand.DELETE_STRICT
    };

    @Override
    public Object decode(ByteBuf frame) {
        int s = frame.readerIndex();
        int n = frame.readableBytes();
        if (n < WireSource.HEADER + 8
                || frame.getUnsignedByte(s) != OF13
                || frame.getUnsignedByte(s + 1) != TYPE_FLOW_MOD
                || frame.getUnsignedShort(s + 2) != n) {
            return null;
        }
        int command = frame.getUnsignedByte(s + 25);
        int flags = frame.getUnsignedShort(s + 44);
        if (command >= COMMANDS.length
                || (flags & ~KNOWN_FLAGS) != 0
                || frame.getShort(s + 46) != 0
                || !loxiPort(frame.getInt(s + 36))
                || !loxiGroup(frame.getInt(s + 40))) {
            return null;
        }
        byte[] body = new byte[n - WireSource.HEADER];
        frame.getBytes(s + WireSource.HEADER, body);
        int instructions = matchEnd(body);
        if (instructions < 0 || !WireInstructions.wellFormed(body, instructions, body.length)) {
            return null;
        }
        MatchCompiler.Key key = new MatchCompiler.Key();
        Rejection refused = null;
        try {
            if (!readMatch(body, key)) {
                return null;
            }
        } catch (Rejection r) {
            refused = r;
        }
        return new WireFlowMod(
                frame.getUnsignedInt(s + 4),
                COMMANDS[command],
                frame.getLong(s + 8),
                frame.getLong(s + 16),
                frame.getUnsignedByte(s + 24),
                frame.getUnsignedShort(s + 26),
                frame.getUnsignedShort(s + 28),
                frame.getUnsignedShort(s + 30),
                frame.getInt(s + 32),
                frame.getInt(s + 36),
                frame.getInt(s + 40),
                flags,
                new WireSource(body),
                instructions,
                refused == null ? key : null,
                refused);
    }

    static int wireCommand(OFFlowModCommand c) {
        for (int i = 0; i < COMMANDS.length; i++) {
            if (COMMANDS[i] == c) {
                return i;
            }
        }
        throw new IllegalArgumentException("not a flow-mod command: " + c);
    }

    /** Where the instructions start (after the match and its padding), or -1 when the match is not canonical. */
    private static int matchEnd(byte[] b) {
        if (u16(b, 0) != MATCH_OXM) {
            return -1;
        }
        int length = u16(b, 2);
        int padded = (length + 7) & ~7;
        if (length < 4 || padded > b.length || !zero(b, length, padded)) {
            return -1;
        }
        return padded;
    }

    /**
     * Adds every OXM of the match to {@code key}; false when the decoder declines the match. Throws the {@link
     * Rejection} a Loxi match with these fields gets.
     */
    private static boolean readMatch(byte[] b, MatchCompiler.Key key) {
        int end = u16(b, 2);
        int lastOrder = -1;
        for (int p = 4; p < end; ) {
            if (p + 4 > end) {
                return false;
            }
            int header = b[p + 2] & 0xFF;
            boolean masked = (header & 1) != 0;
            WireFields f = WireFields.of(u16(b, p), header >>> 1);
            int length = b[p + 3] & 0xFF;
            if (f == null
                    || f.match == null
                    || f.loxiOrder <= lastOrder
                    || length != (masked ? 2 : 1) * f.bytes
                    || p + 4 + length > end) {
                return false;
            }
            lastOrder = f.loxiOrder;
            long v = read(b, p + 4, f.bytes);
            long m = masked ? read(b, p + 4 + f.bytes, f.bytes) : f.fullMask();
            if (f == WireFields.VLAN_VID && (masked || v > 0x1FFF)) {
                return false; // Loxi rewrites or refuses such VLAN values
            }
            if (masked && (!f.match.maskable || m == 0 || m == f.fullMask())) {
                return false; // Loxi simplifies these masks away
            }
            key.add(f.match, v & f.match.fullMask(), m & f.match.fullMask(), masked);
            p += 4 + length;
        }
        return true;
    }

    /** Loxi refuses reserved port numbers it has no name for (the codec then answers BAD_LEN): so do we. */
    static boolean loxiPort(int port) {
        if (Integer.compareUnsigned(port, RESERVED) < 0) {
            return true;
        }
        try {
            OFPort.of(port);
            return true;
        } catch (IllegalArgumentException unknown) {
            return false;
        }
    }

    /** The same for group numbers. */
    static boolean loxiGroup(int group) {
        if (Integer.compareUnsigned(group, RESERVED) < 0) {
            return true;
        }
        try {
            OFGroup.of(group);
            return true;
        } catch (IllegalArgumentException unknown) {
            return false;
        }
    }

    static int u16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    /** Big-endian unsigned value of {@code n} (1..8) bytes. */
    static long read(byte[] b, int i, int n) {
        long v = 0;
        for (int k = 0; k < n; k++) {
            v = (v << 8) | (b[i + k] & 0xFF);
        }
        return v;
    }

    static boolean zero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
