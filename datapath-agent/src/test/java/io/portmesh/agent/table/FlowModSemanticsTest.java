package io.portmesh.agent.table;

import static io.portmesh.agent.table.Of.F;
import static io.portmesh.agent.table.Of.add;
import static io.portmesh.agent.table.Of.addWithFlags;
import static io.portmesh.agent.table.Of.any;
import static io.portmesh.agent.table.Of.apply;
import static io.portmesh.agent.table.Of.ethDst;
import static io.portmesh.agent.table.Of.gotoTable;
import static io.portmesh.agent.table.Of.group;
import static io.portmesh.agent.table.Of.groupAdd;
import static io.portmesh.agent.table.Of.match;
import static io.portmesh.agent.table.Of.metadata;
import static io.portmesh.agent.table.Of.output;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFlowModFailedCode;
import org.projectfloodlight.openflow.protocol.OFFlowModFlags;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFFlowRemovedReason;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.errormsg.OFFlowModFailedErrorMsg;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionApplyActions;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

class FlowModSemanticsTest {
    private final List<OFFlowRemoved> removed = new ArrayList<>();
    private final SwitchTables tables = new SwitchTables(4, removed::add);

    private static Match l2(long vni, String mac) {
        return ethDst(metadata(match(), vni), mac).build();
    }

    private static long[] l2Key(long vni, String mac) {
        long[] key = new long[KeyLayout.WORDS];
        KeyLayout.encode(key, 1, vni, 0, 0, MacAddress.of(mac).getLong(), 0, 0x0800, 0, 0, 0, 0);
        return key;
    }

    private FlowEntry lookup(int table, long vni, String mac) {
        FlowRule r = tables.table(table).lookup(l2Key(vni, mac));
        return r == null ? null : r.entry;
    }

    private void ok(org.projectfloodlight.openflow.protocol.OFFlowMod mod) {
        assertThat(tables.apply(mod)).as("%s", mod).isEmpty();
    }

    private List<OFFlowStatsEntry> allFlows() {
        return tables.flowStats(F.buildFlowStatsRequest()
                .setTableId(TableId.ALL)
                .setOutPort(OFPort.ANY)
                .setOutGroup(OFGroup.ANY)
                .setMatch(any())
                .build());
    }

    @Test
    void addThenLookupFindsHighestPriority() {
        ok(add(1, 100, l2(5, "00:00:00:00:00:01"), apply(output(1))).build());
        ok(add(1, 10, metadata(match(), 5).build(), apply(output(2))).build());

        assertThat(lookup(1, 5, "00:00:00:00:00:01").priority).isEqualTo(100);
        assertThat(lookup(1, 5, "00:00:00:00:00:02").priority).isEqualTo(10);
        assertThat(lookup(1, 6, "00:00:00:00:00:01")).isNull();
        assertThat(tables.flowCount()).isEqualTo(2);
    }

    @Test
    void addOfIdenticalFlowReplacesItsCookieAndHardTimeoutWhichAModifyKeeps() {
        // what the controller relies on when a flow's cookie or hard timeout changes at the same key
        // (FlowPlan.replaces)
        ok(add(1, 100, l2(5, "00:00:00:00:00:01"), apply(output(1)))
                .setCookie(U64.of(7))
                .build());
        ok(F.buildFlowModifyStrict()
                .setTableId(TableId.of(1))
                .setPriority(100)
                .setMatch(l2(5, "00:00:00:00:00:01"))
                .setCookie(U64.of(8))
                .setHardTimeout(4)
                .setInstructions(List.of(apply(output(2))))
                .build());
        FlowEntry modified = lookup(1, 5, "00:00:00:00:00:01");
        assertThat(modified.instructions().apply[0].port).isEqualTo(2);
        assertThat(modified.cookie).as("a modify keeps the cookie").isEqualTo(7);

        ok(add(1, 100, l2(5, "00:00:00:00:00:01"), apply(output(3)))
                .setCookie(U64.of(8))
                .setHardTimeout(4)
                .build());
        FlowEntry replaced = lookup(1, 5, "00:00:00:00:00:01");
        assertThat(replaced.cookie).as("an add replaces it").isEqualTo(8);
        assertThat(replaced.hardTimeout).isEqualTo(4);
        assertThat(tables.flowCount()).isEqualTo(1);
    }

    @Test
    void addOfIdenticalFlowReplacesItAndKeepsCountersUnlessReset() {
        ok(add(1, 100, l2(5, "00:00:00:00:00:01"), apply(output(1))).build());
        lookup(1, 5, "00:00:00:00:00:01").hit(100);

        ok(add(1, 100, l2(5, "00:00:00:00:00:01"), apply(output(2))).build());
        FlowEntry e = lookup(1, 5, "00:00:00:00:00:01");
        assertThat(e.instructions().apply[0].port).isEqualTo(2);
        assertThat(e.packets()).isEqualTo(1);
        assertThat(tables.flowCount()).isEqualTo(1);

        ok(addWithFlags(1, 100, l2(5, "00:00:00:00:00:01"), Set.of(OFFlowModFlags.RESET_COUNTS), apply(output(3)))
                .build());
        assertThat(lookup(1, 5, "00:00:00:00:00:01").packets()).isZero();
        assertThat(tables.flowCount()).isEqualTo(1);
    }

    @Test
    void samePriorityDifferentMatchesCoexist() {
        ok(add(1, 100, l2(5, "00:00:00:00:00:01"), apply(output(1))).build());
        ok(add(1, 100, l2(6, "00:00:00:00:00:01"), apply(output(2))).build());
        ok(add(1, 200, l2(5, "00:00:00:00:00:01"), apply(output(3))).build());
        assertThat(tables.flowCount()).isEqualTo(3);
        assertThat(lookup(1, 5, "00:00:00:00:00:01").priority).isEqualTo(200);
        assertThat(lookup(1, 6, "00:00:00:00:00:01").priority).isEqualTo(100);
    }

    @Test
    void checkOverlapRefusesAnOverlappingFlowOfTheSamePriority() {
        ok(add(1, 100, metadata(match(), 5).build(), apply(output(1))).build());

        OFFlowModFlags check = OFFlowModFlags.CHECK_OVERLAP;
        var overlapping = addWithFlags(1, 100, l2(5, "00:00:00:00:00:01"), Set.of(check), apply(output(2)))
                .setXid(77)
                .build();
        OFErrorMsg err = tables.apply(overlapping).orElseThrow();
        assertThat(err).isInstanceOf(OFFlowModFailedErrorMsg.class);
        assertThat(((OFFlowModFailedErrorMsg) err).getCode()).isEqualTo(OFFlowModFailedCode.OVERLAP);
        assertThat(err.getXid()).isEqualTo(77);
        assertThat(tables.flowCount()).isEqualTo(1);

        // Other priority or disjoint match: no overlap.
        ok(addWithFlags(1, 101, l2(5, "00:00:00:00:00:01"), Set.of(check), apply(output(2)))
                .build());
        ok(addWithFlags(1, 100, l2(6, "00:00:00:00:00:01"), Set.of(check), apply(output(2)))
                .build());
        assertThat(tables.flowCount()).isEqualTo(3);
    }

    @Test
    void nonStrictModifyChangesInstructionsOfCoveredFlowsOnly() {
        ok(add(1, 100, l2(5, "00:00:00:00:00:01"), apply(output(1)))
                .setCookie(U64.of(7))
                .build());
        ok(add(1, 90, l2(5, "00:00:00:00:00:02"), apply(output(1))).build());
        ok(add(1, 100, l2(6, "00:00:00:00:00:01"), apply(output(1))).build());
        lookup(1, 5, "00:00:00:00:00:01").hit(60);

        ok(F.buildFlowModify()
                .setTableId(TableId.of(1))
                .setMatch(metadata(match(), 5).build())
                .setInstructions(List.of(apply(output(3))))
                .build());

        FlowEntry modified = lookup(1, 5, "00:00:00:00:00:01");
        assertThat(modified.instructions().apply[0].port).isEqualTo(3);
        assertThat(modified.cookie).as("modify keeps the cookie").isEqualTo(7);
        assertThat(modified.packets()).as("modify keeps counters").isEqualTo(1);
        assertThat(lookup(1, 5, "00:00:00:00:00:02").instructions().apply[0].port)
                .isEqualTo(3);
        assertThat(lookup(1, 6, "00:00:00:00:00:01").instructions().apply[0].port)
                .isEqualTo(1);
    }

    @Test
    void modifyOfNothingAddsNothing() {
        ok(F.buildFlowModify()
                .setTableId(TableId.of(1))
                .setMatch(l2(5, "00:00:00:00:00:01"))
                .setInstructions(List.of(apply(output(3))))
                .build());
        assertThat(tables.flowCount()).isZero();
    }

    @Test
    void strictModifyNeedsExactMatchAndPriority() {
        ok(add(1, 100, l2(5, "00:00:00:00:00:01"), apply(output(1))).build());
        ok(F.buildFlowModifyStrict()
                .setTableId(TableId.of(1))
                .setPriority(99)
                .setMatch(l2(5, "00:00:00:00:00:01"))
                .setInstructions(List.of(apply(output(3))))
                .build());
        assertThat(lookup(1, 5, "00:00:00:00:00:01").instructions().apply[0].port)
                .isEqualTo(1);

        ok(F.buildFlowModifyStrict()
                .setTableId(TableId.of(1))
                .setPriority(100)
                .setMatch(l2(5, "00:00:00:00:00:01"))
                .setInstructions(List.of(apply(output(3))))
                .build());
        assertThat(lookup(1, 5, "00:00:00:00:00:01").instructions().apply[0].port)
                .isEqualTo(3);
    }

    @Test
    void modifyHonoursTheCookieMask() {
        ok(add(1, 100, l2(5, "00:00:00:00:00:01"), apply(output(1)))
                .setCookie(U64.of(0x1_0001))
                .build());
        ok(add(1, 100, l2(5, "00:00:00:00:00:02"), apply(output(1)))
                .setCookie(U64.of(0x2_0001))
                .build());
        ok(F.buildFlowModify()
                .setTableId(TableId.of(1))
                .setCookie(U64.of(0x2_0005)) // bits outside the mask do not matter
                .setCookieMask(U64.of(0xF_0000))
                .setMatch(any())
                .setInstructions(List.of(apply(output(9))))
                .build());
        assertThat(lookup(1, 5, "00:00:00:00:00:01").instructions().apply[0].port)
                .isEqualTo(1);
        assertThat(lookup(1, 5, "00:00:00:00:00:02").instructions().apply[0].port)
                .isEqualTo(9);
    }

    @Test
    void nonStrictDeleteRemovesCoveredFlowsAcrossAllTablesWithFlowRemoved() {
        Set<OFFlowModFlags> rem = Set.of(OFFlowModFlags.SEND_FLOW_REM);
        ok(addWithFlags(0, 100, metadata(match(), 5).build(), rem, gotoTable(1)).build());
        ok(addWithFlags(1, 100, l2(5, "00:00:00:00:00:01"), rem, apply(output(1)))
                .setCookie(U64.of(42))
                .build());
        ok(add(1, 100, l2(6, "00:00:00:00:00:01"), apply(output(1))).build());

        ok(F.buildFlowDelete()
                .setTableId(TableId.ALL)
                .setMatch(metadata(match(), 5).build())
                .build());

        assertThat(tables.flowCount()).isEqualTo(1);
        assertThat(removed).hasSize(2);
        assertThat(removed).allSatisfy(r -> assertThat(r.getReason()).isEqualTo(OFFlowRemovedReason.DELETE));
        assertThat(removed).anySatisfy(r -> {
            assertThat(r.getCookie().getValue()).isEqualTo(42);
            assertThat(r.getTableId().getValue()).isEqualTo((short) 1);
            assertThat(r.getMatch()).isEqualTo(l2(5, "00:00:00:00:00:01"));
        });
    }

    @Test
    void deleteWithoutSendFlowRemSendsNothing() {
        ok(add(1, 100, l2(5, "00:00:00:00:00:01"), apply(output(1))).build());
        ok(F.buildFlowDelete().setTableId(TableId.of(1)).setMatch(any()).build());
        assertThat(tables.flowCount()).isZero();
        assertThat(removed).isEmpty();
    }

    @Test
    void strictDeleteRemovesOnlyTheExactFlow() {
        ok(add(1, 100, l2(5, "00:00:00:00:00:01"), apply(output(1))).build());
        ok(add(1, 50, l2(5, "00:00:00:00:00:01"), apply(output(1))).build());
        ok(add(1, 100, metadata(match(), 5).build(), apply(output(1))).build());

        ok(F.buildFlowDeleteStrict()
                .setTableId(TableId.of(1))
                .setPriority(100)
                .setMatch(l2(5, "00:00:00:00:00:01"))
                .build());

        assertThat(allFlows())
                .extracting(OFFlowStatsEntry::getPriority, OFFlowStatsEntry::getMatch)
                .containsExactlyInAnyOrder(
                        tuple(50, l2(5, "00:00:00:00:00:01")),
                        tuple(100, metadata(match(), 5).build()));
        assertThat(lookup(1, 5, "00:00:00:00:00:01").match.source())
                .isEqualTo(metadata(match(), 5).build());
    }

    @Test
    void deleteByCookieMaskSelectsOurFlowsOnly() {
        ok(add(1, 100, l2(5, "00:00:00:00:00:01"), apply(output(1)))
                .setCookie(U64.of(0xAB00_0001L))
                .build());
        ok(add(1, 100, l2(5, "00:00:00:00:00:02"), apply(output(1)))
                .setCookie(U64.of(0xAB00_0002L))
                .build());
        ok(add(1, 100, l2(5, "00:00:00:00:00:03"), apply(output(1)))
                .setCookie(U64.of(0xCD00_0003L))
                .build());

        ok(F.buildFlowDelete()
                .setTableId(TableId.ALL)
                .setCookie(U64.of(0xAB00_0000L))
                .setCookieMask(U64.of(0xFF00_0000L))
                .setMatch(any())
                .build());

        assertThat(allFlows()).extracting(s -> s.getCookie().getValue()).containsExactly(0xCD00_0003L);
    }

    @Test
    void deleteFiltersOnOutPortAndOutGroup() {
        assertThat(tables.apply(groupAdd(7, List.of(output(1))))).isEmpty();
        ok(add(1, 1, any()).build());
        ok(add(1, 100, l2(5, "00:00:00:00:00:01"), apply(output(1))).build());
        ok(add(1, 100, l2(5, "00:00:00:00:00:02"), apply(output(2))).build());
        ok(add(1, 100, l2(5, "00:00:00:00:00:03"), apply(group(7))).build());

        ok(F.buildFlowDelete()
                .setTableId(TableId.of(1))
                .setOutPort(OFPort.of(2))
                .setMatch(any())
                .build());
        assertThat(lookup(1, 5, "00:00:00:00:00:02").priority)
                .as("falls to the catch-all")
                .isEqualTo(1);

        ok(F.buildFlowDelete()
                .setTableId(TableId.of(1))
                .setOutGroup(OFGroup.of(7))
                .setMatch(any())
                .build());
        assertThat(lookup(1, 5, "00:00:00:00:00:03").priority).isEqualTo(1);
        assertThat(lookup(1, 5, "00:00:00:00:00:01").priority).isEqualTo(100);
    }

    @Test
    void badTableIdIsRefused() {
        var err = tables.apply(add(4, 1, any()).build()).orElseThrow();
        assertThat(((OFFlowModFailedErrorMsg) err).getCode()).isEqualTo(OFFlowModFailedCode.BAD_TABLE_ID);
        var errAll = tables.apply(add(255, 1, any()).build()).orElseThrow();
        assertThat(((OFFlowModFailedErrorMsg) errAll).getCode()).isEqualTo(OFFlowModFailedCode.BAD_TABLE_ID);
    }

    @Test
    void statsEchoMatchAndInstructions() {
        var mod = add(1, 100, l2(5, "00:00:00:00:00:01"), apply(output(1)))
                .setCookie(U64.of(9))
                .setIdleTimeout(30)
                .build();
        ok(mod);
        OFFlowStatsEntry s = allFlows().get(0);
        assertThat(s.getMatch()).isEqualTo(mod.getMatch());
        assertThat(s.getInstructions()).isEqualTo(mod.getInstructions());
        assertThat(((OFInstructionApplyActions) s.getInstructions().get(0)).getActions())
                .hasSize(1);
        assertThat(s.getIdleTimeout()).isEqualTo(30);
        assertThat(s.getPriority()).isEqualTo(100);
    }
}
