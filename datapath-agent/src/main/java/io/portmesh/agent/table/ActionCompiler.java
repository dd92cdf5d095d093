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
                case GOTO_TABLE ->
                    gotoTable = gotoTarget(
                            ((OFInstructionGotoTable) ins).getTableId().getValue() & 0xFF, tableId, tableCount);
                default -> throw Rejection.badInstruction(OFBadInstructionCode.UNKNOWN_INST);
            }
        }
        return new Instructions(apply, clear, write, metadata, metadataMask, gotoTable, list);
    }

    static int gotoTarget(int target, int tableId, int tableCount) {
        // Only forward: the pipeline then ends in at most tableCount lookups.
        if (target <= tableId || target >= tableCount) {
            throw Rejection.badInstruction(OFBadInstructionCode.BAD_TABLE_ID);
        }
        return target;
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
            case OUTPUT -> output(((OFActionOutput) a).getPort().getPortNumber(), where);
            case PUSH_VLAN -> pushVlan(((OFActionPushVlan) a).getEthertype().getValue());
            case POP_VLAN -> Act.of(Act.POP_VLAN);
            case SET_FIELD -> setField(((OFActionSetField) a).getField());
            case GROUP -> group(((OFActionGroup) a).getGroup().getGroupNumber(), where);
            default -> throw Rejection.badAction(OFBadActionCode.BAD_TYPE);
        };
    }

    // The checks below take wire values, so the Loxi path and the wire path (WireInstructions) share them.

    Act output(int port, Context where) {
        boolean physical = port != 0 && Integer.compareUnsigned(port, PORT_MAX) <= 0;
        boolean reserved = port == PORT_IN_PORT || port == PORT_FLOOD || port == PORT_ALL || port == PORT_CONTROLLER;
        boolean table = port == PORT_TABLE && where == Context.PACKET_OUT;
        if (!physical && !reserved && !table) {
            throw Rejection.badAction(OFBadActionCode.BAD_OUT_PORT);
        }
        return Act.output(port);
    }

    static Act pushVlan(int ethertype) {
        if (ethertype != ETH_TYPE_8021Q) {
            throw Rejection.badAction(OFBadActionCode.BAD_ARGUMENT);
        }
        return Act.of(Act.PUSH_VLAN);
    }

    Act group(int groupId, Context where) {
        if (where == Context.GROUP_BUCKET) {
            throw Rejection.groupModFailed(OFGroupModFailedCode.CHAINING_UNSUPPORTED);
        }
        GroupEntry g = groups.apply(groupId);
        if (g == null) {
            throw Rejection.badAction(OFBadActionCode.BAD_OUT_GROUP);
        }
        return Act.group(g);
    }

    private static Act setField(OFOxm<?> field) {
        if (field.isMasked()) {
            throw Rejection.badAction(OFBadActionCode.BAD_SET_ARGUMENT);
        }
        Object v = field.getValue();
        return switch (field.getMatchField().id) {
            case VLAN_VID -> setVlanVid(((OFVlanVidMatch) v).getRawVid());
            case ETH_DST -> Act.set(Act.SET_ETH_DST, ((MacAddress) v).getLong());
            case ETH_SRC -> Act.set(Act.SET_ETH_SRC, ((MacAddress) v).getLong());
            case TUNNEL_ID -> Act.set(Act.SET_TUNNEL_ID, ((U64) v).getValue());
            case TUNNEL_IPV4_DST -> setTunIpv4Dst(((IPv4Address) v).getInt());
            default -> throw Rejection.badAction(OFBadActionCode.BAD_SET_TYPE);
        };
    }

    static Act setVlanVid(int rawVid) {
        return Act.set(Act.SET_VLAN_VID, rawVid & 0xFFF);
    }

    static Act setTunIpv4Dst(int ip) {
        return Act.set(Act.SET_TUN_IPV4_DST, ip & 0xFFFF_FFFFL);
    }
}
