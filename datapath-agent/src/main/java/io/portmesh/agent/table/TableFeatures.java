package io.portmesh.agent.table;

import java.util.ArrayList;
import java.util.List;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFTableFeatureProp;
import org.projectfloodlight.openflow.protocol.OFTableFeatures;
import org.projectfloodlight.openflow.protocol.actionid.OFActionId;
import org.projectfloodlight.openflow.protocol.instructionid.OFInstructionId;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U32;
import org.projectfloodlight.openflow.types.U64;
import org.projectfloodlight.openflow.types.U8;

/**
 * The OFPMP_TABLE_FEATURES entries of this switch (OpenFlow 1.3.5 section 7.3.5.5): what each table matches, which
 * instructions and actions it takes and which tables it may go to. Every table is the same classifier, so they
 * differ only in where goto-table may lead (forward only, see {@link ActionCompiler#gotoTarget}).
 *
 * <p>Why it matters: {@code ovs-ofctl} asks for table features before every command that may name a table
 * (add-flow, mod-flows, del-flows, and dump-flows at a terminal) and gives up on a reply it cannot read, so the reply
 * carries all eight properties the spec requires. The fields come from {@link WireFields} and {@link
 * MatchCompiler.Field}, the tables the flow-mod decoders check against, so the reply promises nothing a flow-mod
 * would be refused for.
 */
final class TableFeatures {
    /** OXM header bit that says a mask follows the value (OpenFlow 1.3.5 section 7.2.3.2). */
    private static final int OXM_HASMASK = 0x100;

    private TableFeatures() {}

    static List<OFTableFeatures> of(OFFactory f, int tableCount) {
        List<OFTableFeatures> out = new ArrayList<>(tableCount);
        for (int t = 0; t < tableCount; t++) {
            out.add(f.buildTableFeatures()
                    .setTableId(TableId.of(t))
                    .setName("")
                    .setMetadataMatch(U64.NO_MASK)
                    .setMetadataWrite(U64.NO_MASK)
                    .setConfig(0)
                    .setMaxEntries(FlowModProcessor.MAX_FLOWS_PER_TABLE)
                    .setProperties(properties(f, t, tableCount))
                    .build());
        }
        return out;
    }

    private static List<OFTableFeatureProp> properties(OFFactory f, int table, int tableCount) {
        boolean last = table == tableCount - 1;
        List<OFActionId> actions = actions(f);
        List<U32> settable = settableFields();
        return List.of(
                f.tableFeaturePropInstructions(instructions(f, !last)),
                f.tableFeaturePropNextTables(nextTables(table, tableCount)),
                f.tableFeaturePropWriteActions(actions),
                f.tableFeaturePropApplyActions(actions),
                f.tableFeaturePropMatch(matchFields(true)),
                // every field may be left out of a match
                f.tableFeaturePropWildcards(matchFields(false)),
                f.tableFeaturePropWriteSetfield(settable),
                f.tableFeaturePropApplySetfield(settable));
    }

    /** Mirrors {@link ActionCompiler#instructions}: goto-table only where a later table exists. */
    private static List<OFInstructionId> instructions(OFFactory f, boolean withGoto) {
        List<OFInstructionId> ids = new ArrayList<>(List.of(
                f.instructionIds().applyActions(),
                f.instructionIds().writeActions(),
                f.instructionIds().clearActions(),
                f.instructionIds().writeMetadata()));
        if (withGoto) {
            ids.add(f.instructionIds().gotoTable());
        }
        return ids;
    }

    private static List<U8> nextTables(int table, int tableCount) {
        List<U8> next = new ArrayList<>();
        for (int t = table + 1; t < tableCount; t++) {
            next.add(U8.of((short) t));
        }
        return next;
    }

    /** Mirrors {@link ActionCompiler}'s action switch (flows and group buckets alike). */
    private static List<OFActionId> actions(OFFactory f) {
        return List.of(
                f.actionIds().output(),
                f.actionIds().group(),
                f.actionIds().pushVlan(),
                f.actionIds().popVlan(),
                f.actionIds().setField());
    }

    /**
     * The fields a match may carry. In the MATCH property a maskable field is listed with the has-mask bit (that is how
     * a switch says it accepts a mask); the WILDCARDS property lists plain headers only.
     */
    private static List<U32> matchFields(boolean markMaskable) {
        List<U32> out = new ArrayList<>();
        for (WireFields w : WireFields.values()) {
            if (w.match != null) {
                out.add(U32.of(markMaskable && w.match.maskable ? maskedHeader(w) : header(w)));
            }
        }
        return out;
    }

    private static List<U32> settableFields() {
        return WireFields.SETTABLE.stream().map(w -> U32.of(header(w))).toList();
    }

    private static long header(WireFields w) {
        return ((long) w.oxmClass << 16) | ((long) w.field << 9) | w.bytes;
    }

    private static long maskedHeader(WireFields w) {
        return ((long) w.oxmClass << 16) | ((long) w.field << 9) | OXM_HASMASK | (2L * w.bytes);
    }
}
