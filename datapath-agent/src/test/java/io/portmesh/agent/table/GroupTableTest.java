package io.portmesh.agent.table;

import static io.portmesh.agent.table.Of.F;
import static io.portmesh.agent.table.Of.add;
import static io.portmesh.agent.table.Of.addWithFlags;
import static io.portmesh.agent.table.Of.any;
import static io.portmesh.agent.table.Of.apply;
import static io.portmesh.agent.table.Of.group;
import static io.portmesh.agent.table.Of.groupAdd;
import static io.portmesh.agent.table.Of.groupDelete;
import static io.portmesh.agent.table.Of.groupModify;
import static io.portmesh.agent.table.Of.match;
import static io.portmesh.agent.table.Of.metadata;
import static io.portmesh.agent.table.Of.output;
import static io.portmesh.agent.table.Of.setTunDst;
import static io.portmesh.agent.table.Of.setTunnelId;
import static io.portmesh.agent.table.Of.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFlowModFlags;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFFlowRemovedReason;
import org.projectfloodlight.openflow.protocol.OFGroupModFailedCode;
import org.projectfloodlight.openflow.protocol.OFGroupType;
import org.projectfloodlight.openflow.protocol.errormsg.OFGroupModFailedErrorMsg;
import org.projectfloodlight.openflow.types.OFGroup;

class GroupTableTest {
    private final List<OFFlowRemoved> removed = new ArrayList<>();
    private final SwitchTables tables = new SwitchTables(2, removed::add);

    private OFGroupModFailedCode refusedWith(org.projectfloodlight.openflow.protocol.OFGroupMod mod) {
        return ((OFGroupModFailedErrorMsg) tables.apply(mod).orElseThrow()).getCode();
    }

    @Test
    void addDescribeModifyAndCountAGroup() {
        assertThat(tables.apply(
                        groupAdd(1, List.of(output(1)), List.of(setTunnelId(5), setTunDst("192.0.2.1"), output(2)))))
                .isEmpty();
        assertThat(tables.groupDesc()).singleElement().satisfies(d -> {
            assertThat(d.getGroup()).isEqualTo(OFGroup.of(1));
            assertThat(d.getGroupType()).isEqualTo(OFGroupType.ALL);
            assertThat(d.getBuckets()).hasSize(2);
        });
        assertThat(tables.apply(add(1, 10, any(), write(group(1))).build())).isEmpty();

        GroupEntry g = tables.table(1).lookup(new long[KeyLayout.WORDS]).entry.instructions().write[0].group;
        g.hit(100);
        g.buckets().hit(1, 100);
        var stats = tables.groupStats(
                F.buildGroupStatsRequest().setGroup(OFGroup.ALL).build());
        assertThat(stats).singleElement().satisfies(s -> {
            assertThat(s.getRefCount()).isEqualTo(1);
            assertThat(s.getPacketCount().getValue()).isEqualTo(1);
            assertThat(s.getByteCount().getValue()).isEqualTo(100);
            assertThat(s.getBucketStats()).hasSize(2);
            assertThat(s.getBucketStats().get(1).getPacketCount().getValue()).isEqualTo(1);
        });

        assertThat(tables.apply(groupModify(1, List.of(output(1))))).isEmpty();
        assertThat(g.buckets().actions).as("flows see the new buckets at once").hasDimensions(1, 1);
        assertThat(tables.groupDesc().get(0).getBuckets()).hasSize(1);
    }

    @Test
    void refusesWhatTheSpecRefuses() {
        assertThat(tables.apply(groupAdd(1, List.of(output(1))))).isEmpty();
        assertThat(refusedWith(groupAdd(1, List.of(output(1))))).isEqualTo(OFGroupModFailedCode.GROUP_EXISTS);
        assertThat(refusedWith(groupModify(2, List.of(output(1))))).isEqualTo(OFGroupModFailedCode.UNKNOWN_GROUP);
        assertThat(refusedWith(groupAdd(2, List.of(group(1))))).isEqualTo(OFGroupModFailedCode.CHAINING_UNSUPPORTED);
        assertThat(refusedWith(groupAdd(0xFFFFFFFC, List.of(output(1))))).isEqualTo(OFGroupModFailedCode.INVALID_GROUP);
        var select = F.buildGroupAdd()
                .setGroup(OFGroup.of(3))
                .setGroupType(OFGroupType.SELECT)
                .setBuckets(List.of())
                .build();
        assertThat(refusedWith(select)).isEqualTo(OFGroupModFailedCode.BAD_TYPE);
        assertThat(tables.groupDesc()).hasSize(1);
    }

    @Test
    void deletingAGroupRemovesTheFlowsThatUseIt() {
        Set<OFFlowModFlags> rem = Set.of(OFFlowModFlags.SEND_FLOW_REM);
        tables.apply(groupAdd(1, List.of(output(1))));
        tables.apply(groupAdd(2, List.of(output(1))));
        tables.apply(addWithFlags(1, 10, metadata(match(), 1).build(), rem, write(group(1)))
                .build());
        tables.apply(add(1, 10, metadata(match(), 2).build(), apply(group(2))).build());
        GroupEntry g1 = tables.table(1).lookup(key(1)).entry.instructions().write[0].group;

        assertThat(tables.apply(groupDelete(1))).isEmpty();

        assertThat(g1.buckets()).as("frames in flight see a deleted group").isNull();
        assertThat(tables.table(1).lookup(key(1))).isNull();
        assertThat(tables.table(1).lookup(key(2))).isNotNull();
        assertThat(removed)
                .singleElement()
                .extracting(OFFlowRemoved::getReason)
                .isEqualTo(OFFlowRemovedReason.GROUP_DELETE);

        assertThat(tables.apply(groupDelete(0xFFFFFFFC))).as("OFPG_ALL").isEmpty();
        assertThat(tables.groupDesc()).isEmpty();
        assertThat(tables.flowCount()).isZero();
        assertThat(tables.apply(groupDelete(9)))
                .as("deleting a missing group is no error")
                .isEmpty();
    }

    private static long[] key(long metadata) {
        long[] k = new long[KeyLayout.WORDS];
        KeyLayout.encode(k, 1, metadata, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        return k;
    }
}
