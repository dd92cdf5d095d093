package io.portmesh.agent.table;

import static io.portmesh.agent.table.Of.F;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFMatchV3;
import org.projectfloodlight.openflow.protocol.OFOxmList;
import org.projectfloodlight.openflow.protocol.OFTableFeatureProp;
import org.projectfloodlight.openflow.protocol.OFTableFeaturePropApplySetfield;
import org.projectfloodlight.openflow.protocol.OFTableFeaturePropInstructions;
import org.projectfloodlight.openflow.protocol.OFTableFeaturePropMatch;
import org.projectfloodlight.openflow.protocol.OFTableFeaturePropNextTables;
import org.projectfloodlight.openflow.protocol.OFTableFeaturePropWildcards;
import org.projectfloodlight.openflow.protocol.OFTableFeaturePropWriteActions;
import org.projectfloodlight.openflow.protocol.OFTableFeatures;
import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.protocol.actionid.OFActionId;
import org.projectfloodlight.openflow.protocol.instruction.OFInstruction;
import org.projectfloodlight.openflow.protocol.instructionid.OFInstructionId;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.oxm.OFOxm;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.U32;
import org.projectfloodlight.openflow.types.U8;

/** What the table-features reply promises is what a flow-mod may use: every advertised field and action is accepted. */
class TableFeaturesTest {
    private static final int TABLES = SwitchTables.DEFAULT_TABLE_COUNT;
    private final SwitchTables tables = new SwitchTables(TABLES, removed -> {});

    @Test
    void everyAdvertisedMatchFieldIsAcceptedExactAndMaskedWhereAdvertisedSo() {
        for (OFTableFeatures t : tables.tableFeatures()) {
            int table = t.getTableId().getValue();
            List<U32> fields = prop(t, OFTableFeaturePropMatch.class).getOxmIds();
            assertThat(fields).hasSize(11);
            for (U32 id : fields) {
                assertAccepted(Of.add(table, 10, match(oxm(id.getValue(), false))), id);
                if (hasMask(id)) {
                    assertAccepted(Of.add(table, 11, match(oxm(id.getValue(), true))), id);
                }
            }
            assertThat(prop(t, OFTableFeaturePropWildcards.class).getOxmIds())
                    .as("any field may be left out, plain headers only")
                    .hasSameSizeAs(fields)
                    .noneMatch(TableFeaturesTest::hasMask);
        }
    }

    @Test
    void everyAdvertisedSetFieldIsAccepted() {
        OFTableFeatures t0 = tables.tableFeatures().get(0);
        List<U32> fields = prop(t0, OFTableFeaturePropApplySetfield.class).getOxmIds();
        assertThat(fields).hasSize(WireFields.SETTABLE.size());
        for (U32 id : fields) {
            assertAccepted(Of.add(0, 10, Of.any(), Of.apply(F.actions().setField(oxm(id.getValue(), false)))), id);
        }
    }

    @Test
    void everyAdvertisedInstructionAndActionIsAccepted() {
        assertThat(tables.apply(Of.groupAdd(1, List.of(Of.output(1))))).isEmpty();
        for (OFTableFeatures t : tables.tableFeatures()) {
            int table = t.getTableId().getValue();
            int priority = 1;
            for (OFInstructionId id :
                    prop(t, OFTableFeaturePropInstructions.class).getInstructionIds()) {
                assertAccepted(Of.add(table, priority++, Of.any(), instruction(id, table)), id);
            }
            for (OFActionId id : prop(t, OFTableFeaturePropWriteActions.class).getActionIds()) {
                assertAccepted(Of.add(table, priority++, Of.any(), Of.write(action(id))), id);
            }
        }
    }

    @Test
    void gotoLeadsForwardOnlyAndTheLastTableGoesNowhere() {
        List<OFTableFeatures> features = tables.tableFeatures();
        assertThat(features).hasSize(TABLES);
        for (OFTableFeatures t : features) {
            int table = t.getTableId().getValue();
            List<Integer> next = prop(t, OFTableFeaturePropNextTables.class).getNextTableIds().stream()
                    .map(U8::getValue)
                    .map(Short::intValue)
                    .toList();
            List<Integer> later = new ArrayList<>();
            for (int n = table + 1; n < TABLES; n++) {
                later.add(n);
            }
            assertThat(next).isEqualTo(later);
            boolean hasGoto = prop(t, OFTableFeaturePropInstructions.class).getInstructionIds().stream()
                    .anyMatch(id -> id.getType().name().equals("GOTO_TABLE"));
            assertThat(hasGoto).as("table %d", table).isEqualTo(table < TABLES - 1);
        }
    }

    private void assertAccepted(OFFlowAdd.Builder add, Object advertised) {
        Optional<OFErrorMsg> error = tables.apply(add.build());
        assertThat(error).as("advertised %s", advertised).isEmpty();
    }

    private static <P extends OFTableFeatureProp> P prop(OFTableFeatures t, Class<P> type) {
        return t.getProperties().stream()
                .filter(type::isInstance)
                .map(type::cast)
                .findFirst()
                .orElseThrow(() -> new AssertionError("table " + t.getTableId() + " has no " + type.getSimpleName()));
    }

    private static boolean hasMask(U32 oxmHeader) {
        return (oxmHeader.getValue() & 0x100) != 0;
    }

    /**
     * An OXM read by Loxi from an advertised header: value bytes 0x01, and when masked a mask of 0x0F bytes (valid for VLAN ids too). Loxi reads
     * OXMs only inside messages, so the OXM travels as the match of an otherwise empty FLOW_MOD.
     */
    private static OFOxm<?> oxm(long header, boolean masked) {
        int valueBytes = (int) (header & 0x7F) / (hasMask(U32.of(header)) ? 2 : 1);
        long plain = header & ~0x1FFL | valueBytes;
        int oxmLength = 4 + valueBytes * (masked ? 2 : 1);
        int matchLength = 4 + oxmLength;
        int padded = (matchLength + 7) / 8 * 8;
        ByteBuf buf = Unpooled.buffer();
        buf.writeByte(4).writeByte(14).writeShort(48 + padded).writeInt(1); // OF 1.3 FLOW_MOD header
        buf.writeZero(40); // cookie, mask, table, command ADD, timeouts, priority, buffer, ports, flags
        buf.setInt(8 + 28, -1); // buffer_id NO_BUFFER
        buf.writeShort(1).writeShort(matchLength); // OFPMT_OXM
        buf.writeInt((int) (masked ? plain & ~0xFFL | 0x100 | 2L * valueBytes : plain));
        for (int i = 0; i < valueBytes; i++) {
            buf.writeByte(0x01);
        }
        for (int i = 0; masked && i < valueBytes; i++) {
            buf.writeByte(0x0F);
        }
        buf.writeZero(padded - matchLength);
        try {
            OFFlowAdd add = (OFFlowAdd) F.getReader().readFrom(buf);
            return ((OFMatchV3) add.getMatch()).getOxmList().iterator().next();
        } catch (Exception e) {
            throw new AssertionError("Loxi cannot read OXM " + Long.toHexString(header), e);
        }
    }

    /** A match of one field; ARP fields come with their prerequisite, eth_type=ARP. */
    private static Match match(OFOxm<?> oxm) {
        var b = F.buildMatchV3();
        List<OFOxm<?>> oxms = new ArrayList<>(List.of(oxm));
        if (oxm.getMatchField().id.name().startsWith("ARP_")) {
            oxms.add(0, F.oxms().ethType(EthType.ARP));
        }
        return b.setOxmList(OFOxmList.ofList(oxms)).build();
    }

    private static OFInstruction instruction(OFInstructionId id, int table) {
        return switch (id.getType()) {
            case APPLY_ACTIONS -> Of.apply(Of.output(1));
            case WRITE_ACTIONS -> Of.write(Of.output(1));
            case CLEAR_ACTIONS -> Of.clear();
            case WRITE_METADATA -> Of.writeMetadata(1, 0xFF);
            case GOTO_TABLE -> Of.gotoTable(table + 1);
            default -> throw new AssertionError("advertised instruction without a sample here: " + id.getType());
        };
    }

    private static OFAction action(OFActionId id) {
        return switch (id.getType()) {
            case OUTPUT -> Of.output(2);
            case GROUP -> F.actions().group(OFGroup.of(1));
            case PUSH_VLAN -> Of.pushVlan();
            case POP_VLAN -> Of.popVlan();
            case SET_FIELD -> Of.setVlan(7);
            default -> throw new AssertionError("advertised action without a sample here: " + id.getType());
        };
    }
}
