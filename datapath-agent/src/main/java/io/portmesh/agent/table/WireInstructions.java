package io.portmesh.agent.table;

import static io.portmesh.agent.table.FlowModWireDecoder.read;
import static io.portmesh.agent.table.FlowModWireDecoder.u16;
import static io.portmesh.agent.table.FlowModWireDecoder.zero;

import org.projectfloodlight.openflow.protocol.OFBadInstructionCode;

/**
 * Instructions and actions of a wire-decoded flow-mod: {@link #wellFormed} decides on the I/O thread whether the
 * decoder takes the message (the same canonical subset Loxi writes back unchanged), {@link #compile} runs on the
 * control thread through the same {@link ActionCompiler} checks as the Loxi path, in the same order.
 */
final class WireInstructions {
    private static final int GOTO_TABLE = 1;
    private static final int WRITE_METADATA = 2;
    private static final int WRITE_ACTIONS = 3;
    private static final int APPLY_ACTIONS = 4;
    private static final int CLEAR_ACTIONS = 5;

    private static final int OUTPUT = 0;
    private static final int PUSH_VLAN = 17;
    private static final int POP_VLAN = 18;
    private static final int GROUP = 22;
    private static final int SET_FIELD = 25;

    private WireInstructions() {}

    static boolean wellFormed(byte[] b, int from, int to) {
        for (int p = from; p < to; ) {
            if (p + 8 > to) {
                return false;
            }
            int type = u16(b, p);
            int length = u16(b, p + 2);
            if (length < 8 || (length & 7) != 0 || p + length > to) {
                return false;
            }
            boolean ok = switch (type) {
                case GOTO_TABLE -> length == 8 && zero(b, p + 5, p + 8);
                case WRITE_METADATA -> length == 24 && zero(b, p + 4, p + 8);
                case WRITE_ACTIONS, APPLY_ACTIONS -> zero(b, p + 4, p + 8) && actionsWellFormed(b, p + 8, p + length);
                case CLEAR_ACTIONS -> length == 8 && zero(b, p + 4, p + 8);
                default -> false;
            };
            if (!ok) {
                return false;
            }
            p += length;
        }
        return true;
    }

    private static boolean actionsWellFormed(byte[] b, int from, int to) {
        for (int p = from; p < to; ) {
            if (p + 8 > to) {
                return false;
            }
            int type = u16(b, p);
            int length = u16(b, p + 2);
            if (p + length > to) {
                return false;
            }
            boolean ok = switch (type) {
                case OUTPUT ->
                    length == 16 && zero(b, p + 10, p + 16) && FlowModWireDecoder.loxiPort((int) read(b, p + 4, 4));
                case GROUP -> length == 8 && FlowModWireDecoder.loxiGroup((int) read(b, p + 4, 4));
                case PUSH_VLAN -> length == 8 && zero(b, p + 6, p + 8);
                case POP_VLAN -> length == 8 && zero(b, p + 4, p + 8);
                case SET_FIELD -> length == 16 && setFieldWellFormed(b, p + 4, p + 16);
                default -> false;
            };
            if (!ok) {
                return false;
            }
            p += length;
        }
        return true;
    }

    /** An unmasked OXM of a field this switch can set, padded with zeros to the end of its action. */
    private static boolean setFieldWellFormed(byte[] b, int oxm, int end) {
        WireFields f = setField(b, oxm);
        return f != null
                && (b[oxm + 3] & 0xFF) == f.bytes
                && oxm + 4 + f.bytes <= end
                && zero(b, oxm + 4 + f.bytes, end)
                && (f != WireFields.VLAN_VID || read(b, oxm + 4, 2) <= 0x1FFF);
    }

    private static WireFields setField(byte[] b, int oxm) {
        int header = b[oxm + 2] & 0xFF;
        if ((header & 1) != 0) {
            return null; // masked set-field: Loxi's answer (BAD_SET_ARGUMENT) is the reference
        }
        WireFields f = WireFields.of(u16(b, oxm), header >>> 1);
        return WireFields.SETTABLE.contains(f) ? f : null;
    }

    /** Mirrors {@link ActionCompiler#instructions}; only for bytes {@link #wellFormed} accepted. */
    static Instructions compile(ActionCompiler compiler, WireSource source, int from, int tableId, int tableCount) {
        byte[] b = source.body;
        int seen = 0;
        Act[] apply = new Act[0];
        Act[] write = null;
        boolean clear = false;
        long metadata = 0;
        long metadataMask = 0;
        int gotoTable = Instructions.NO_GOTO;
        for (int p = from; p < b.length; p += u16(b, p + 2)) {
            int type = u16(b, p);
            if ((seen & (1 << type)) != 0) {
                throw Rejection.badInstruction(OFBadInstructionCode.DUP_INST);
            }
            seen |= 1 << type;
            switch (type) {
                case APPLY_ACTIONS -> apply = actions(compiler, b, p + 8, p + u16(b, p + 2));
                case WRITE_ACTIONS -> write = actions(compiler, b, p + 8, p + u16(b, p + 2));
                case CLEAR_ACTIONS -> clear = true;
                case WRITE_METADATA -> {
                    metadataMask = read(b, p + 16, 8);
                    metadata = read(b, p + 8, 8) & metadataMask;
                }
                default -> gotoTable = ActionCompiler.gotoTarget(b[p + 4] & 0xFF, tableId, tableCount);
            }
        }
        return new Instructions(apply, clear, write, metadata, metadataMask, gotoTable, source);
    }

    private static Act[] actions(ActionCompiler compiler, byte[] b, int from, int to) {
        int n = 0;
        for (int p = from; p < to; p += u16(b, p + 2)) {
            n++;
        }
        Act[] out = new Act[n];
        int i = 0;
        for (int p = from; p < to; p += u16(b, p + 2)) {
            out[i++] = switch (u16(b, p)) {
                case OUTPUT -> compiler.output((int) read(b, p + 4, 4), ActionCompiler.Context.FLOW);
                case PUSH_VLAN -> ActionCompiler.pushVlan(u16(b, p + 4));
                case POP_VLAN -> Act.of(Act.POP_VLAN);
                case GROUP -> compiler.group((int) read(b, p + 4, 4), ActionCompiler.Context.FLOW);
                default -> setFieldAction(b, p + 4);
            };
        }
        return out;
    }

    private static Act setFieldAction(byte[] b, int oxm) {
        WireFields f = setField(b, oxm);
        long v = read(b, oxm + 4, f.bytes);
        return switch (f) {
            case VLAN_VID -> ActionCompiler.setVlanVid((int) v);
            case ETH_DST -> Act.set(Act.SET_ETH_DST, v);
            case ETH_SRC -> Act.set(Act.SET_ETH_SRC, v);
            case TUNNEL_ID -> Act.set(Act.SET_TUNNEL_ID, v);
            default -> ActionCompiler.setTunIpv4Dst((int) v);
        };
    }
}
