package io.portmesh.openflow;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.projectfloodlight.openflow.protocol.OFBucket;
import org.projectfloodlight.openflow.protocol.OFConfigFlags;
import org.projectfloodlight.openflow.protocol.OFControllerRole;
import org.projectfloodlight.openflow.protocol.OFDescStatsReply;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowModFailedCode;
import org.projectfloodlight.openflow.protocol.OFFlowModFlags;
import org.projectfloodlight.openflow.protocol.OFFlowRemovedReason;
import org.projectfloodlight.openflow.protocol.OFGroupType;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPacketInReason;
import org.projectfloodlight.openflow.protocol.OFPortConfig;
import org.projectfloodlight.openflow.protocol.OFPortDesc;
import org.projectfloodlight.openflow.protocol.OFPortFeatures;
import org.projectfloodlight.openflow.protocol.OFPortReason;
import org.projectfloodlight.openflow.protocol.OFPortState;
import org.projectfloodlight.openflow.protocol.OFStatsReplyFlags;
import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.protocol.instruction.OFInstruction;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.ArpOpcode;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.IPv4Address;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFAuxId;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFErrorCauseData;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFMetadata;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.OFVlanVidMatch;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/** One instance of every message the agent and the controller exchange, built with Loxi. */
final class SampleMessages {
    private static final OFFactory F = FakeSwitch.F;
    static final MacAddress MAC_A = MacAddress.of("02:00:00:00:00:0a");
    static final MacAddress MAC_B = MacAddress.of("02:00:00:00:00:0b");
    static final byte[] FRAME = frame();

    private SampleMessages() {}

    static byte[] encode(OFMessage m) {
        ByteBuf buf = Unpooled.buffer();
        m.writeTo(buf);
        return ByteBufUtil.getBytes(buf);
    }

    static OFPortDesc port(int number, String name) {
        return F.buildPortDesc()
                .setPortNo(OFPort.of(number))
                .setHwAddr(MacAddress.of(0x020000000100L + number))
                .setName(name)
                .setConfig(EnumSet.noneOf(OFPortConfig.class))
                .setState(EnumSet.of(OFPortState.LIVE))
                .setCurr(EnumSet.of(OFPortFeatures.PF_10GB_FD))
                .setAdvertised(EnumSet.noneOf(OFPortFeatures.class))
                .setSupported(EnumSet.of(OFPortFeatures.PF_10GB_FD))
                .setPeer(EnumSet.noneOf(OFPortFeatures.class))
                .setCurrSpeed(10_000_000)
                .setMaxSpeed(10_000_000)
                .build();
    }

    static OFDescStatsReply descReply(long xid, String dpDesc) {
        return F.buildDescStatsReply()
                .setXid(xid)
                .setMfrDesc("Portmesh")
                .setHwDesc("software")
                .setSwDesc("0.1.0")
                .setSerialNum("42")
                .setDpDesc(dpDesc)
                .build();
    }

    /** Matches: in_port, eth_src, vlan_vid (table 0, trunk). */
    static Match trunkMatch() {
        return F.buildMatch()
                .setExact(MatchField.IN_PORT, OFPort.of(1))
                .setExact(MatchField.VLAN_VID, OFVlanVidMatch.ofVlan(100))
                .setExact(MatchField.ETH_SRC, MAC_A)
                .build();
    }

    /** Matches: metadata, eth_dst (table 1). */
    static Match l2Match() {
        return F.buildMatch()
                .setExact(MatchField.METADATA, OFMetadata.ofRaw(5001))
                .setExact(MatchField.ETH_DST, MAC_B)
                .build();
    }

    /** Matches: in_port, tunnel_id (from the tunnel). */
    static Match tunnelMatch() {
        return F.buildMatch()
                .setExact(MatchField.IN_PORT, OFPort.of(2))
                .setExact(MatchField.TUNNEL_ID, U64.of(5001))
                .build();
    }

    /** Matches: eth_type ARP, arp_op, arp_tpa (activation / ARP handling). */
    static Match arpMatch() {
        return F.buildMatch()
                .setExact(MatchField.ETH_TYPE, EthType.ARP)
                .setExact(MatchField.ARP_OP, ArpOpcode.REQUEST)
                .setExact(MatchField.ARP_TPA, IPv4Address.of("10.0.0.7"))
                .build();
    }

    static List<OFAction> remoteActions() {
        return List.of(
                F.actions().setField(F.oxms().tunnelId(U64.of(5001))),
                F.actions().setField(F.oxms().tunnelIpv4Dst(IPv4Address.of("192.0.2.2"))),
                F.actions().output(OFPort.of(2), 0xffff));
    }

    static List<OFAction> localActions() {
        return List.of(
                F.actions().pushVlan(EthType.VLAN_FRAME),
                F.actions().setField(F.oxms().vlanVid(OFVlanVidMatch.ofVlan(101))),
                F.actions().setField(F.oxms().ethDst(MAC_B)),
                F.actions().output(OFPort.of(1), 0xffff));
    }

    static List<OFInstruction> classifyInstructions() {
        return List.of(
                F.instructions().applyActions(List.of(F.actions().popVlan())),
                F.instructions().writeMetadata(U64.of(5001), U64.NO_MASK),
                F.instructions().gotoTable(TableId.of(1)));
    }

    static Map<String, OFMessage> all() {
        Map<String, OFMessage> m = new LinkedHashMap<>();
        m.put("HELLO", OfChannelHandshakeHandler.ourHello());
        m.put("HELLO plain", F.buildHello().setXid(1).build());
        m.put(
                "ERROR",
                F.errorMsgs()
                        .buildFlowModFailedErrorMsg()
                        .setXid(7)
                        .setCode(OFFlowModFailedCode.TABLE_FULL)
                        .setData(OFErrorCauseData.of(new byte[] {4, 14, 0, 8, 0, 0, 0, 7}, FakeSwitch.F.getVersion()))
                        .build());
        m.put(
                "ECHO_REQUEST",
                F.buildEchoRequest().setXid(8).setData(new byte[] {1, 2, 3}).build());
        m.put(
                "ECHO_REPLY",
                F.buildEchoReply().setXid(8).setData(new byte[] {1, 2, 3}).build());
        m.put("FEATURES_REQUEST", F.buildFeaturesRequest().setXid(9).build());
        m.put(
                "FEATURES_REPLY",
                F.buildFeaturesReply()
                        .setXid(9)
                        .setDatapathId(DatapathId.of(0x1234))
                        .setNBuffers(0)
                        .setNTables((short) 2)
                        .setAuxiliaryId(OFAuxId.MAIN)
                        .setCapabilities(Set.of())
                        .build());
        m.put("GET_CONFIG_REQUEST", F.buildGetConfigRequest().setXid(10).build());
        m.put(
                "GET_CONFIG_REPLY",
                F.buildGetConfigReply()
                        .setXid(10)
                        .setFlags(EnumSet.of(OFConfigFlags.FRAG_NORMAL))
                        .setMissSendLen(0xffff)
                        .build());
        m.put(
                "SET_CONFIG",
                F.buildSetConfig()
                        .setXid(11)
                        .setFlags(EnumSet.of(OFConfigFlags.FRAG_NORMAL))
                        .setMissSendLen(128)
                        .build());
        m.put(
                "PACKET_IN",
                F.buildPacketIn()
                        .setXid(0)
                        .setBufferId(OFBufferId.NO_BUFFER)
                        .setTotalLen(FRAME.length)
                        .setReason(OFPacketInReason.ACTION)
                        .setTableId(TableId.of(0))
                        .setCookie(U64.of(0xabcdL))
                        .setMatch(F.buildMatch()
                                .setExact(MatchField.IN_PORT, OFPort.of(1))
                                .build())
                        .setData(FRAME)
                        .build());
        m.put(
                "PACKET_OUT",
                F.buildPacketOut()
                        .setXid(12)
                        .setBufferId(OFBufferId.NO_BUFFER)
                        .setInPort(OFPort.CONTROLLER)
                        .setActions(List.of(F.actions().output(OFPort.of(1), 0xffff)))
                        .setData(FRAME)
                        .build());
        FlowMods.addAll(m);
        m.put(
                "GROUP_MOD add ALL",
                F.buildGroupAdd()
                        .setXid(20)
                        .setGroup(OFGroup.of(5001))
                        .setGroupType(OFGroupType.ALL)
                        .setBuckets(List.of(bucket(localActions()), bucket(remoteActions())))
                        .build());
        m.put(
                "GROUP_MOD modify ALL",
                F.buildGroupModify()
                        .setXid(21)
                        .setGroup(OFGroup.of(5001))
                        .setGroupType(OFGroupType.ALL)
                        .setBuckets(List.of(bucket(remoteActions())))
                        .build());
        m.put(
                "GROUP_MOD delete",
                F.buildGroupDelete()
                        .setXid(22)
                        .setGroup(OFGroup.of(5001))
                        .setGroupType(OFGroupType.ALL)
                        .build());
        m.put(
                "PORT_STATUS",
                F.buildPortStatus()
                        .setXid(0)
                        .setReason(OFPortReason.MODIFY)
                        .setDesc(port(1, "trunk"))
                        .build());
        m.put(
                "FLOW_REMOVED",
                F.buildFlowRemoved()
                        .setXid(0)
                        .setCookie(U64.of(0x77))
                        .setPriority(100)
                        .setReason(OFFlowRemovedReason.DELETE)
                        .setTableId(TableId.of(1))
                        .setDurationSec(12)
                        .setDurationNsec(500)
                        .setIdleTimeout(0)
                        .setHardTimeout(0)
                        .setPacketCount(U64.of(3))
                        .setByteCount(U64.of(300))
                        .setMatch(l2Match())
                        .build());
        m.put("BARRIER_REQUEST", F.buildBarrierRequest().setXid(30).build());
        m.put("BARRIER_REPLY", F.buildBarrierReply().setXid(30).build());
        m.put(
                "ROLE_REQUEST",
                F.buildRoleRequest()
                        .setXid(31)
                        .setRole(OFControllerRole.ROLE_MASTER)
                        .setGenerationId(U64.of(3))
                        .build());
        m.put(
                "ROLE_REPLY",
                F.buildRoleReply()
                        .setXid(31)
                        .setRole(OFControllerRole.ROLE_SLAVE)
                        .setGenerationId(U64.of(3))
                        .build());
        Multiparts.addAll(m);
        return m;
    }

    static OFBucket bucket(List<OFAction> actions) {
        return F.buildBucket()
                .setWatchGroup(OFGroup.ANY)
                .setWatchPort(OFPort.ANY)
                .setActions(actions)
                .build();
    }

    static Set<OFFlowModFlags> sendFlowRem() {
        return EnumSet.of(OFFlowModFlags.SEND_FLOW_REM);
    }

    static Set<OFStatsReplyFlags> more() {
        return EnumSet.of(OFStatsReplyFlags.REPLY_MORE);
    }

    private static byte[] frame() {
        byte[] frame = new byte[64];
        System.arraycopy(MAC_B.getBytes(), 0, frame, 0, 6);
        System.arraycopy(MAC_A.getBytes(), 0, frame, 6, 6);
        frame[12] = 0x08; // IPv4 ethertype, payload left zero
        return frame;
    }
}
