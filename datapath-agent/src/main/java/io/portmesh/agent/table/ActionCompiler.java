package io.portmesh.agent.table;

import java.util.EnumSet;
import java.util.List;
import java.util.function.IntFunction;
import org.projectfloodlight.openflow.protocol.OFBadActionCode;
import org.projectfloodlight.openflow.protocol.OFBadInstructionCode;
import org.projectfloodlight.openflow.protocol.OFGroupModFailedCode;
import org.projectfloodlight.openflow.protocol.OFInstructionType;
import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.protocol.action.OFActionGroup;
import org.projectfloodlight.openflow.protocol.action.OFActionOutput;
import org.projectfloodlight.openflow.protocol.action.OFActionPushVlan;
import org.projectfloodlight.openflow.protocol.action.OFActionSetField;
import org.projectfloodlight.openflow.protocol.instruction.OFInstruction;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionApplyActions;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionGotoTable;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionWriteActions;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionWriteMetadata;
import org.projectfloodlight.openflow.protocol.oxm.OFOxm;
import org.projectfloodlight.openflow.types.IPv4Address;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.OFVlanVidMatch;
import org.projectfloodlight.openflow.types.U64;

/**
 * Validates and compiles actions and instructions at flow-mod time, so that the data path never
 * touches a Loxi object. Also used for packet-out actions and group buckets.
 */
public final class ActionCompiler {
    /** Where an action list appears: that decides which output ports and actions are legal. */
    public enum Context {
        FLOW,
        GROUP_BUCKET,
        PACKET_OUT
    }

    private static final int ETH_TYPE_8021Q = 0x8100;
    private static final int PORT_MAX = OFPort.MAX.getPortNumber();
    static final int PORT_IN_PORT = OFPort.IN_PORT.getPortNumber();
    static final int PORT_TABLE = OFPort.TABLE.getPortNumber();
    static final int PORT_FLOOD = OFPort.FLOOD.getPortNumber();
    static final int PORT_ALL = OFPort.ALL.getPortNumber();
    static final int PORT_CONTROLLER = OFPort.CONTROLLER.getPortNumber();

    private final IntFunction<GroupEntry> groups;

    /** @param groups the current group table: id to entry, null when absent */
    public ActionCompiler(IntFunction<GroupEntry> groups) {
        this.groups = groups;
    }

    Instructions instructions(List<OFInstruction> list, int tableId, int tableCount) {
        EnumSet<OFInstructionType> seen = EnumSet.noneOf(OFInstructionType.class);
        Act[] apply = new Act[0];
        Act[] write = null;
        boolean clear = false;
        long metadata = 0;
        long metadataMask = 0;
        int gotoTable = Instructions.NO_GOTO;
        for (OFInstruction ins : list) {
            if (!seen.add(ins.getType())) {
                throw Rejection.badInstruction(OFBadInstructionCode.DUP_INST);
            }
            switch (ins.getType()) {
                case APPLY_ACTIONS -> apply = actions(((OFInstructionApplyActions) ins).getActions(), Context.FLOW);
                case WRITE_ACTIONS -> write = actions(((OFInstructionWriteActions) ins).getActions(), Context.FLOW);
                case CLEAR_ACTIONS -> clear = true;
                case WRITE_METADATA -> {
                    OFInstructionWriteMetadata wm = (OFInstructionWriteMetadata) ins;
                    metadataMask = wm.getMetadataMask().getValue();
                    metadata = wm.getMetadata().getValue() & metadataMask;
                }
                case GOTO_TABLE -> {
                    int target = ((OFInstructionGotoTable) ins).getTableId().getValue() & 0xFF;
                    // Only forward: the pipeline then ends in at most tableCount lookups.
                    if (target <= tableId || target >= tableCount) {
                        throw Rejection.badInstruction(OFBadInstructionCode.BAD_TABLE_ID);
                    }
                    gotoTable = target;
                }
                default -> throw Rejection.badInstruction(OFBadInstructionCode.UNKNOWN_INST);
            }
        }
        return new Instructions(apply, clear, write, metadata, metadataMask, gotoTable, list);
    }

    /** Compiles an action list, or throws the {@link Rejection} to report. */
    Act[] actions(List<OFAction> list, Context where) {
        Act[] out = new Act[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = action(list.get(i), where);
        }
        return out;
    }

    /**
     * Compiles packet-out actions for the pipeline, as apply-actions of an instruction set; returns
     * null when they are not acceptable (the packet-out path has no error reply, so the caller
     * drops and counts).
     */
    public Instructions packetOutActions(List<OFAction> list) {
        try {
            Act[] acts = actions(list, Context.PACKET_OUT);
            return new Instructions(acts, false, null, 0, 0, Instructions.NO_GOTO, List.of());
        } catch (Rejection r) {
            return null;
        }
    }

    private Act action(OFAction a, Context where) {
        return switch (a.getType()) {
            case OUTPUT -> Act.output(outputPort(((OFActionOutput) a).getPort(), where));
            case PUSH_VLAN -> {
                if (((OFActionPushVlan) a).getEthertype().getValue() != ETH_TYPE_8021Q) {
                    throw Rejection.badAction(OFBadActionCode.BAD_ARGUMENT);
                }
                yield Act.of(Act.PUSH_VLAN);
            }
            case POP_VLAN -> Act.of(Act.POP_VLAN);
            case SET_FIELD -> setField(((OFActionSetField) a).getField());
            case GROUP -> {
                if (where == Context.GROUP_BUCKET) {
                    throw Rejection.groupModFailed(OFGroupModFailedCode.CHAINING_UNSUPPORTED);
                }
                GroupEntry g = groups.apply(((OFActionGroup) a).getGroup().getGroupNumber());
                if (g == null) {
                    throw Rejection.badAction(OFBadActionCode.BAD_OUT_GROUP);
                }
                yield Act.group(g);
            }
            default -> throw Rejection.badAction(OFBadActionCode.BAD_TYPE);
        };
    }

    private static int outputPort(OFPort port, Context where) {
        int p = port.getPortNumber();
        boolean physical = p != 0 && Integer.compareUnsigned(p, PORT_MAX) <= 0;
        boolean reserved = p == PORT_IN_PORT || p == PORT_FLOOD || p == PORT_ALL || p == PORT_CONTROLLER;
        boolean table = p == PORT_TABLE && where == Context.PACKET_OUT;
        if (!physical && !reserved && !table) {
            throw Rejection.badAction(OFBadActionCode.BAD_OUT_PORT);
        }
        return p;
    }

    private static Act setField(OFOxm<?> field) {
        if (field.isMasked()) {
            throw Rejection.badAction(OFBadActionCode.BAD_SET_ARGUMENT);
        }
        Object v = field.getValue();
        return switch (field.getMatchField().id) {
            case VLAN_VID -> Act.set(Act.SET_VLAN_VID, ((OFVlanVidMatch) v).getRawVid() & 0xFFF);
            case ETH_DST -> Act.set(Act.SET_ETH_DST, ((MacAddress) v).getLong());
            case ETH_SRC -> Act.set(Act.SET_ETH_SRC, ((MacAddress) v).getLong());
            case TUNNEL_ID -> Act.set(Act.SET_TUNNEL_ID, ((U64) v).getValue());
            case TUNNEL_IPV4_DST -> Act.set(Act.SET_TUN_IPV4_DST, ((IPv4Address) v).getInt() & 0xFFFF_FFFFL);
            default -> throw Rejection.badAction(OFBadActionCode.BAD_SET_TYPE);
        };
    }
}
