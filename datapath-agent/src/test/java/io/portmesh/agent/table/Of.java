package io.portmesh.agent.table;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.projectfloodlight.openflow.protocol.OFBucket;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFFlowModFlags;
import org.projectfloodlight.openflow.protocol.OFGroupMod;
import org.projectfloodlight.openflow.protocol.OFGroupType;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.protocol.instruction.OFInstruction;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.IPv4Address;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFMetadata;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.OFVlanVidMatch;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/** Terse builders for the Loxi messages and the frames the tests need. */
public final class Of {
    public static final OFFactory F = OFFactories.getFactory(OFVersion.OF_13);

    private Of() {}

    public static Match.Builder match() {
        return F.buildMatch();
    }

    public static Match any() {
        return F.matchWildcardAll();
    }

    public static Match.Builder inPort(Match.Builder m, int port) {
        return m.setExact(MatchField.IN_PORT, OFPort.of(port));
    }

    public static Match.Builder vlan(Match.Builder m, int vid) {
        return m.setExact(MatchField.VLAN_VID, OFVlanVidMatch.ofVlan(vid));
    }

    public static Match.Builder ethSrc(Match.Builder m, String mac) {
        return m.setExact(MatchField.ETH_SRC, MacAddress.of(mac));
    }

    public static Match.Builder ethDst(Match.Builder m, String mac) {
        return m.setExact(MatchField.ETH_DST, MacAddress.of(mac));
    }

    public static Match.Builder metadata(Match.Builder m, long value) {
        return m.setExact(MatchField.METADATA, OFMetadata.ofRaw(value));
    }

    public static Match.Builder tunnelId(Match.Builder m, long vni) {
        return m.setExact(MatchField.TUNNEL_ID, U64.of(vni));
    }

    public static Match.Builder ethType(Match.Builder m, int type) {
        return m.setExact(MatchField.ETH_TYPE, EthType.of(type));
    }

    public static OFFlowAdd.Builder add(int table, int priority, Match match, OFInstruction... instructions) {
        return F.buildFlowAdd()
                .setTableId(TableId.of(table))
                .setPriority(priority)
                .setMatch(match)
                .setInstructions(Arrays.asList(instructions));
    }

    public static OFFlowAdd.Builder addWithFlags(
            int table, int priority, Match match, Set<OFFlowModFlags> flags, OFInstruction... instructions) {
        return add(table, priority, match, instructions).setFlags(flags);
    }

    public static OFInstruction apply(OFAction... actions) {
        return F.instructions().applyActions(Arrays.asList(actions));
    }

    public static OFInstruction write(OFAction... actions) {
        return F.instructions().writeActions(Arrays.asList(actions));
    }

    public static OFInstruction clear() {
        return F.instructions().clearActions();
    }

    public static OFInstruction gotoTable(int table) {
        return F.instructions().gotoTable(TableId.of(table));
    }

    public static OFInstruction writeMetadata(long value, long mask) {
        return F.instructions().writeMetadata(U64.of(value), U64.of(mask));
    }

    public static OFAction output(int port) {
        return F.actions().output(OFPort.of(port), 0xFFFF);
    }

    public static OFAction output(OFPort port) {
        return F.actions().output(port, 0xFFFF);
    }

    public static OFAction pushVlan() {
        return F.actions().pushVlan(EthType.of(0x8100));
    }

    public static OFAction popVlan() {
        return F.actions().popVlan();
    }

    public static OFAction setVlan(int vid) {
        return F.actions().setField(F.oxms().vlanVid(OFVlanVidMatch.ofVlan(vid)));
    }

    public static OFAction setEthDst(String mac) {
        return F.actions().setField(F.oxms().ethDst(MacAddress.of(mac)));
    }

    public static OFAction setTunnelId(long vni) {
        return F.actions().setField(F.oxms().tunnelId(U64.of(vni)));
    }

    public static OFAction setTunDst(String ip) {
        return F.actions().setField(F.oxms().tunnelIpv4Dst(IPv4Address.of(ip)));
    }

    public static OFAction group(int id) {
        return F.actions().group(OFGroup.of(id));
    }

    @SafeVarargs
    public static OFGroupMod groupAdd(int id, List<OFAction>... buckets) {
        return F.buildGroupAdd()
                .setGroup(OFGroup.of(id))
                .setGroupType(OFGroupType.ALL)
                .setBuckets(buckets(Arrays.asList(buckets)))
                .build();
    }

    @SafeVarargs
    public static OFGroupMod groupModify(int id, List<OFAction>... buckets) {
        return F.buildGroupModify()
                .setGroup(OFGroup.of(id))
                .setGroupType(OFGroupType.ALL)
                .setBuckets(buckets(Arrays.asList(buckets)))
                .build();
    }

    public static OFGroupMod groupDelete(int id) {
        return F.buildGroupDelete()
                .setGroup(OFGroup.of(id))
                .setGroupType(OFGroupType.ALL)
                .build();
    }

    private static List<OFBucket> buckets(List<List<OFAction>> buckets) {
        List<OFBucket> out = new ArrayList<>();
        for (List<OFAction> b : buckets) {
            out.add(F.buildBucket()
                    .setActions(b)
                    .setWatchGroup(OFGroup.ANY)
                    .setWatchPort(OFPort.ANY)
                    .build());
        }
        return out;
    }

    /** An Ethernet frame: 802.1Q-tagged when {@code vid >= 0}, with {@code payload} zero bytes. */
    public static byte[] frame(String dst, String src, int vid, int ethType, int payload) {
        int tag = vid >= 0 ? 4 : 0;
        byte[] f = new byte[14 + tag + payload];
        System.arraycopy(MacAddress.of(dst).getBytes(), 0, f, 0, 6);
        System.arraycopy(MacAddress.of(src).getBytes(), 0, f, 6, 6);
        int p = 12;
        if (vid >= 0) {
            f[p] = (byte) 0x81;
            f[p + 1] = 0;
            f[p + 2] = (byte) (vid >>> 8);
            f[p + 3] = (byte) vid;
            p += 4;
        }
        f[p] = (byte) (ethType >>> 8);
        f[p + 1] = (byte) ethType;
        for (int i = p + 2; i < f.length; i++) {
            f[i] = (byte) i; // recognisable payload
        }
        return f;
    }

    /** An ARP request (Ethernet/IPv4) from {@code src}/{@code spa} for {@code tpa}. */
    public static byte[] arp(String dst, String src, int vid, int op, String spa, String tpa) {
        byte[] f = frame(dst, src, vid, 0x0806, 28);
        int p = vid >= 0 ? 18 : 14;
        f[p] = 0;
        f[p + 1] = 1;
        f[p + 2] = 0x08;
        f[p + 3] = 0;
        f[p + 4] = 6;
        f[p + 5] = 4;
        f[p + 6] = 0;
        f[p + 7] = (byte) op;
        System.arraycopy(MacAddress.of(src).getBytes(), 0, f, p + 8, 6);
        System.arraycopy(IPv4Address.of(spa).getBytes(), 0, f, p + 14, 4);
        Arrays.fill(f, p + 18, p + 24, (byte) 0);
        System.arraycopy(IPv4Address.of(tpa).getBytes(), 0, f, p + 24, 4);
        return f;
    }
}
