package io.portmesh.agent.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFBucket;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFGroupDescStatsEntry;
import org.projectfloodlight.openflow.protocol.OFGroupDescStatsReply;
import org.projectfloodlight.openflow.protocol.OFGroupType;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFStatsReplyFlags;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.OFVlanVidMatch;

class AgentRepliesTest {
    private static final OFFactory F = OFFactories.getFactory(OFVersion.OF_13);

    /**
     * 200 flood groups of 50 buckets each are about 550 KiB: split by entry count alone they made one message whose
     * 16-bit length wrapped, which the controller could not decode (node-loss test, issue 18).
     */
    @Test
    void largeEntriesAreSplitSoThatEveryPartFitsInAnOpenFlowMessageAndReadsBack() {
        List<OFGroupDescStatsEntry> groups = new ArrayList<>();
        for (int g = 0; g < 200; g++) {
            groups.add(group(g, 50));
        }
        List<OFGroupDescStatsReply> parts = AgentReplies.split(
                groups,
                (part, flags) -> F.buildGroupDescStatsReply()
                        .setXid(7)
                        .setFlags(flags)
                        .setEntries(part)
                        .build());

        assertThat(parts.size()).isGreaterThan(1);
        List<OFGroupDescStatsEntry> read = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            ByteBuf buf = Unpooled.buffer();
            parts.get(i).writeTo(buf);
            assertThat(buf.readableBytes()).as("part %d", i).isLessThanOrEqualTo(65_535);
            OFMessage back = readBack(buf);
            assertThat(back).isInstanceOf(OFGroupDescStatsReply.class);
            OFGroupDescStatsReply r = (OFGroupDescStatsReply) back;
            assertThat(r.getFlags().contains(OFStatsReplyFlags.REPLY_MORE)).isEqualTo(i < parts.size() - 1);
            read.addAll(r.getEntries());
        }
        assertThat(read).isEqualTo(groups);
    }

    @Test
    void smallEntriesKeepTheEntryLimitAndNoEntriesMakeOneEmptyPart() {
        List<OFGroupDescStatsEntry> groups = new ArrayList<>();
        for (int g = 0; g < 450; g++) {
            groups.add(group(g, 1));
        }
        List<Integer> sizes = AgentReplies.split(
                        groups,
                        (part, flags) -> F.buildGroupDescStatsReply()
                                .setFlags(flags)
                                .setEntries(part)
                                .build())
                .stream()
                .map(r -> r.getEntries().size())
                .toList();
        assertThat(sizes).containsExactly(200, 200, 50);
        assertThat(AgentReplies.split(
                        List.<OFGroupDescStatsEntry>of(),
                        (part, flags) -> F.buildGroupDescStatsReply()
                                .setFlags(flags)
                                .setEntries(part)
                                .build()))
                .singleElement()
                .satisfies(r -> assertThat(r.getEntries()).isEmpty());
    }

    private static OFMessage readBack(ByteBuf buf) {
        try {
            return F.getReader().readFrom(buf);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static OFGroupDescStatsEntry group(int g, int buckets) {
        List<OFBucket> bs = new ArrayList<>();
        for (int b = 0; b < buckets; b++) {
            bs.add(F.buildBucket()
                    .setWatchGroup(OFGroup.ANY)
                    .setWatchPort(OFPort.ANY)
                    .setActions(List.of(
                            F.actions().pushVlan(EthType.VLAN_FRAME),
                            F.actions().setField(F.oxms().vlanVid(OFVlanVidMatch.ofVlan(b + 1))),
                            F.actions().output(OFPort.IN_PORT, 0)))
                    .build());
        }
        return F.buildGroupDescStatsEntry()
                .setGroupType(OFGroupType.ALL)
                .setGroup(OFGroup.of(0x0200_0000 + g))
                .setBuckets(bs)
                .build();
    }
}
