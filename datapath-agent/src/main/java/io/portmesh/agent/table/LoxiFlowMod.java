package io.portmesh.agent.table;

import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.ver13.OFFlowModFlagsSerializerVer13;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;

/** A flow-mod Loxi parsed (every message the wire decoder declined, and flow-mods built in process). */
final class LoxiFlowMod extends FlowModRequest {
    private final OFFlowMod mod;

    LoxiFlowMod(OFFlowMod mod) {
        super(
                mod.getXid(),
                mod.getCommand(),
                mod.getCookie().getValue(),
                mod.getCookieMask().getValue(),
                mod.getTableId().getValue() & 0xFF,
                mod.getIdleTimeout(),
                mod.getHardTimeout(),
                mod.getPriority(),
                mod.getBufferId().getInt(),
                portOrAny(mod.getOutPort()),
                groupOrAny(mod.getOutGroup()),
                OFFlowModFlagsSerializerVer13.toWireValue(mod.getFlags()) & 0xFFFF);
        this.mod = mod;
    }

    private static int portOrAny(OFPort p) {
        return p == null ? ANY : p.getPortNumber();
    }

    private static int groupOrAny(OFGroup g) {
        return g == null ? ANY : g.getGroupNumber();
    }

    @Override
    FlowMatch match(boolean checkPrerequisites) {
        return MatchCompiler.compile(mod.getMatch(), checkPrerequisites);
    }

    @Override
    Instructions instructions(ActionCompiler compiler, int tableId, int tableCount) {
        return compiler.instructions(mod.getInstructions(), tableId, tableCount);
    }

    @Override
    byte[] errorData() {
        return ErrorMessages.firstBytes(mod);
    }
}
