package io.portmesh.openflow;

import java.util.List;
import java.util.Map;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowModFlags;
import org.projectfloodlight.openflow.protocol.OFGroupType;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/** Multipart samples: DESC, PORT_DESC, FLOW, PORT, GROUP, GROUP_DESC and TABLE requests and replies. */
final class Multiparts {
    private static final OFFactory F = FakeSwitch.F;

    private Multiparts() {}

    static void addAll(Map<String, OFMessage> m) {
        m.put("DESC request", F.buildDescStatsRequest().setXid(40).build());
        m.put("DESC reply", SampleMessages.descReply(40, "host-1/a"));
        m.put("PORT_DESC request", F.buildPortDescStatsRequest().setXid(41).build());
        m.put(
                "PORT_DESC reply",
                F.buildPortDescStatsReply()
                        .setXid(41)
                        .setFlags(SampleMessages.more())
                        .setEntries(List.of(SampleMessages.port(1, "trunk"), SampleMessages.port(2, "vxlan")))
                        .build());
        m.put(
                "FLOW request",
                F.buildFlowStatsRequest()
                        .setXid(42)
                        .setTableId(TableId.ALL)
                        .setOutPort(OFPort.ANY)
                        .setOutGroup(OFGroup.ANY)
                        .setCookie(U64.of(0x0100_0000_0000_0000L))
                        .setCookieMask(U64.of(0xff00_0000_0000_0000L))
                        .setMatch(F.matchWildcardAll())
                        .build());
        m.put(
                "FLOW reply",
                F.buildFlowStatsReply()
                        .setXid(42)
                        .setEntries(List.of(F.buildFlowStatsEntry()
                                .setTableId(TableId.of(0))
                                .setDurationSec(5)
                                .setDurationNsec(7)
                                .setPriority(100)
                                .setIdleTimeout(0)
                                .setHardTimeout(0)
                                .setFlags(java.util.EnumSet.of(OFFlowModFlags.SEND_FLOW_REM))
                                .setCookie(U64.of(0x0100_0000_0000_0001L))
                                .setPacketCount(U64.of(10))
                                .setByteCount(U64.of(1000))
                                .setMatch(SampleMessages.trunkMatch())
                                .setInstructions(SampleMessages.classifyInstructions())
                                .build()))
                        .build());
        m.put(
                "PORT request",
                F.buildPortStatsRequest().setXid(43).setPortNo(OFPort.ANY).build());
        m.put(
                "PORT reply",
                F.buildPortStatsReply()
                        .setXid(43)
                        .setEntries(List.of(F.buildPortStatsEntry()
                                .setPortNo(OFPort.of(1))
                                .setRxPackets(U64.of(1))
                                .setTxPackets(U64.of(2))
                                .setRxBytes(U64.of(3))
                                .setTxBytes(U64.of(4))
                                .setRxDropped(U64.ZERO)
                                .setTxDropped(U64.ZERO)
                                .setRxErrors(U64.ZERO)
                                .setTxErrors(U64.ZERO)
                                .setRxFrameErr(U64.ZERO)
                                .setRxOverErr(U64.ZERO)
                                .setRxCrcErr(U64.ZERO)
                                .setCollisions(U64.ZERO)
                                .setDurationSec(9)
                                .setDurationNsec(0)
                                .build()))
                        .build());
        m.put(
                "GROUP request",
                F.buildGroupStatsRequest().setXid(44).setGroup(OFGroup.ALL).build());
        m.put(
                "GROUP reply",
                F.buildGroupStatsReply()
                        .setXid(44)
                        .setEntries(List.of(F.buildGroupStatsEntry()
                                .setGroup(OFGroup.of(5001))
                                .setRefCount(1)
                                .setPacketCount(U64.of(5))
                                .setByteCount(U64.of(500))
                                .setDurationSec(3)
                                .setDurationNsec(0)
                                .setBucketStats(List.of(F.bucketCounter(U64.of(5), U64.of(500))))
                                .build()))
                        .build());
        m.put("GROUP_DESC request", F.buildGroupDescStatsRequest().setXid(45).build());
        m.put(
                "GROUP_DESC reply",
                F.buildGroupDescStatsReply()
                        .setXid(45)
                        .setEntries(List.of(F.buildGroupDescStatsEntry()
                                .setGroupType(OFGroupType.ALL)
                                .setGroup(OFGroup.of(5001))
                                .setBuckets(List.of(SampleMessages.bucket(SampleMessages.remoteActions())))
                                .build()))
                        .build());
        m.put("TABLE request", F.buildTableStatsRequest().setXid(46).build());
        m.put(
                "TABLE reply",
                F.buildTableStatsReply()
                        .setXid(46)
                        .setEntries(List.of(
                                F.buildTableStatsEntry()
                                        .setTableId(TableId.of(0))
                                        .setActiveCount(3)
                                        .setLookupCount(U64.of(100))
                                        .setMatchedCount(U64.of(90))
                                        .build(),
                                F.buildTableStatsEntry()
                                        .setTableId(TableId.of(1))
                                        .setActiveCount(7)
                                        .setLookupCount(U64.of(90))
                                        .setMatchedCount(U64.of(80))
                                        .build()))
                        .build());
    }
}
