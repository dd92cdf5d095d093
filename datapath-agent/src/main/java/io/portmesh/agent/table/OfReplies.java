package io.portmesh.agent.table;

import java.util.ArrayList;
import java.util.List;
import org.projectfloodlight.openflow.protocol.OFBucketCounter;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFFlowRemovedReason;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFGroupDescStatsEntry;
import org.projectfloodlight.openflow.protocol.OFGroupStatsEntry;
import org.projectfloodlight.openflow.protocol.OFGroupType;
import org.projectfloodlight.openflow.protocol.OFTableStatsEntry;
import org.projectfloodlight.openflow.protocol.ver13.OFFlowModFlagsSerializerVer13;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/** Builds the Loxi replies (stats entries, flow-removed) from the tables' own objects. */
final class OfReplies {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final OFFactory factory;

    OfReplies(OFFactory factory) {
        this.factory = factory;
    }

    OFFlowStatsEntry flowStats(FlowEntry e, long nowNanos) {
        long age = Math.max(0, nowNanos - e.createdNanos);
        return factory.buildFlowStatsEntry()
                .setTableId(TableId.of(e.tableId))
                .setDurationSec(age / NANOS_PER_SECOND)
                .setDurationNsec(age % NANOS_PER_SECOND)
                .setPriority(e.priority)
                .setIdleTimeout(e.idleTimeout)
                .setHardTimeout(e.hardTimeout)
                .setFlags(OFFlowModFlagsSerializerVer13.ofWireValue((short) e.flags))
                .setCookie(U64.of(e.cookie))
                .setPacketCount(U64.of(e.packets()))
                .setByteCount(U64.of(e.bytes()))
                .setMatch(e.match.source())
                .setInstructions(e.instructions().source())
                .build();
    }

    OFFlowRemoved flowRemoved(FlowEntry e, OFFlowRemovedReason reason, long nowNanos) {
        long age = Math.max(0, nowNanos - e.createdNanos);
        return factory.buildFlowRemoved()
                .setCookie(U64.of(e.cookie))
                .setPriority(e.priority)
                .setReason(reason)
                .setTableId(TableId.of(e.tableId))
                .setDurationSec(age / NANOS_PER_SECOND)
                .setDurationNsec(age % NANOS_PER_SECOND)
                .setIdleTimeout(e.idleTimeout)
                .setHardTimeout(e.hardTimeout)
                .setPacketCount(U64.of(e.packets()))
                .setByteCount(U64.of(e.bytes()))
                .setMatch(e.match.source())
                .build();
    }

    OFGroupStatsEntry groupStats(GroupEntry g, int refCount, long nowNanos) {
        long age = Math.max(0, nowNanos - g.createdNanos);
        List<OFBucketCounter> buckets = new ArrayList<>();
        GroupEntry.Buckets b = g.buckets();
        if (b != null) {
            for (int i = 0; i < b.actions.length; i++) {
                buckets.add(factory.bucketCounter(U64.of(b.packets[i].sum()), U64.of(b.bytes[i].sum())));
            }
        }
        return factory.buildGroupStatsEntry()
                .setGroup(OFGroup.of(g.id))
                .setRefCount(refCount)
                .setPacketCount(U64.of(g.packets.sum()))
                .setByteCount(U64.of(g.bytes.sum()))
                .setBucketStats(buckets)
                .setDurationSec(age / NANOS_PER_SECOND)
                .setDurationNsec(age % NANOS_PER_SECOND)
                .build();
    }

    OFGroupDescStatsEntry groupDesc(GroupEntry g) {
        GroupEntry.Buckets b = g.buckets();
        return factory.buildGroupDescStatsEntry()
                .setGroupType(OFGroupType.ALL)
                .setGroup(OFGroup.of(g.id))
                .setBuckets(b == null ? List.of() : b.source)
                .build();
    }

    OFTableStatsEntry tableStats(FlowTable t) {
        return factory.buildTableStatsEntry()
                .setTableId(TableId.of(t.id))
                .setActiveCount(t.size())
                .setLookupCount(U64.of(t.lookupCount()))
                .setMatchedCount(U64.of(t.matchedCount()))
                .build();
    }
}
