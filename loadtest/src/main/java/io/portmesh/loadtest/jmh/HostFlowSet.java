package io.portmesh.loadtest.jmh;

import java.util.ArrayList;
import java.util.List;
import org.projectfloodlight.openflow.protocol.OFBucket;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
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

/**
 * The flow table of one host as docs/architecture.md section 5 lays it out, sized to about {@code flows}
 * entries: per local port a classify flow (table 0) and an L2 delivery flow (table 1), per remote
 * port an L2 tunnel flow, per VNI a tunnel classify flow, a broadcast flow and an ALL group.
 */
final class HostFlowSet {
    static final OFFactory F = OFFactories.getFactory(OFVersion.OF_13);

    final int localPorts;
    final int remotePorts;
    final int vnis;
    final List<OFGroupMod> groups = new ArrayList<>();
    final List<OFFlowMod> flows = new ArrayList<>();

    HostFlowSet(int targetFlows) {
        // Local ports are bounded by the trunk's VLAN space; most of a large table is remote MACs.
        this.localPorts = Math.max(2, Math.min(4000, targetFlows / 10));
        this.vnis = Math.max(1, localPorts / 10);
        this.remotePorts = Math.max(1, targetFlows - 2 * localPorts - 2 * vnis);
        for (int v = 0; v < vnis; v++) {
            groups.add(broadcastGroup(v));
            flows.add(flow(0, 100, inPort(2).setExact(MatchField.TUNNEL_ID, U64.of(vni(v))), metadataGoto(v)));
            flows.add(flow(
                    1,
                    50,
                    l2(v, MacAddress.BROADCAST),
                    F.instructions().writeActions(List.of(F.actions().group(OFGroup.of(v + 1))))));
        }
        for (int p = 0; p < localPorts; p++) {
            int v = p % vnis;
            Match.Builder classify = inPort(1)
                    .setExact(MatchField.VLAN_VID, OFVlanVidMatch.ofVlan(vlan(p)))
                    .setExact(MatchField.ETH_SRC, localMac(p));
            flows.add(flow(
                    0,
                    100,
                    classify,
                    F.instructions().applyActions(List.of(F.actions().popVlan())),
                    F.instructions().writeMetadata(U64.of(vni(v)), U64.NO_MASK),
                    F.instructions().gotoTable(TableId.of(1))));
            flows.add(flow(1, 100, l2(v, localMac(p)), apply(deliverLocal(p))));
        }
        for (int r = 0; r < remotePorts; r++) {
            int v = r % vnis;
            flows.add(flow(1, 100, l2(v, remoteMac(r)), apply(deliverRemote(v, r))));
        }
    }

    static long vni(int v) {
        return 5000 + v;
    }

    static int vlan(int localPort) {
        return 1 + localPort;
    }

    static MacAddress localMac(int p) {
        return MacAddress.of(0x0200_0000_0000L + p);
    }

    static MacAddress remoteMac(int r) {
        return MacAddress.of(0x0600_0000_0000L + r);
    }

    static IPv4Address endpoint(int remotePort) {
        // TEST-NET-2 addresses: 250 remote hosts; nothing is ever sent, they are table values.
        return IPv4Address.of(198, 51, 100, 1 + remotePort % 250);
    }

    private Match.Builder l2(int v, MacAddress dst) {
        return F.buildMatch()
                .setExact(MatchField.METADATA, OFMetadata.ofRaw(vni(v)))
                .setExact(MatchField.ETH_DST, dst);
    }

    private static Match.Builder inPort(int port) {
        return F.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(port));
    }

    private static OFInstruction[] metadataGoto(int v) {
        return new OFInstruction[] {
            F.instructions().writeMetadata(U64.of(vni(v)), U64.NO_MASK),
            F.instructions().gotoTable(TableId.of(1))
        };
    }

    private static OFInstruction apply(List<OFAction> actions) {
        return F.instructions().applyActions(actions);
    }

    private static List<OFAction> deliverLocal(int p) {
        return List.of(
                F.actions().pushVlan(EthType.of(0x8100)),
                F.actions().setField(F.oxms().vlanVid(OFVlanVidMatch.ofVlan(vlan(p)))),
                F.actions().output(OFPort.IN_PORT, 0));
    }

    private static List<OFAction> deliverRemote(int v, int r) {
        return List.of(
                F.actions().setField(F.oxms().tunnelId(U64.of(vni(v)))),
                F.actions().setField(F.oxms().tunnelIpv4Dst(endpoint(r))),
                F.actions().output(OFPort.of(2), 0));
    }

    private OFGroupMod broadcastGroup(int v) {
        List<OFBucket> buckets = new ArrayList<>();
        for (int p = v; p < localPorts; p += vnis) {
            buckets.add(F.buildBucket()
                    .setActions(deliverLocal(p))
                    .setWatchGroup(OFGroup.ANY)
                    .setWatchPort(OFPort.ANY)
                    .build());
        }
        for (int host = 0; host < Math.min(250, remotePorts); host++) {
            buckets.add(F.buildBucket()
                    .setActions(deliverRemote(v, host))
                    .setWatchGroup(OFGroup.ANY)
                    .setWatchPort(OFPort.ANY)
                    .build());
        }
        return F.buildGroupAdd()
                .setGroup(OFGroup.of(v + 1))
                .setGroupType(OFGroupType.ALL)
                .setBuckets(buckets)
                .build();
    }

    private static OFFlowMod flow(int table, int priority, Match.Builder match, OFInstruction... instructions) {
        return F.buildFlowAdd()
                .setTableId(TableId.of(table))
                .setPriority(priority)
                .setCookie(U64.of(0x5000_0000L + table))
                .setMatch(match.build())
                .setInstructions(List.of(instructions))
                .build();
    }

    /** An 802.1Q-tagged IPv4-sized frame from local port {@code from} to {@code dst}. */
    byte[] trunkFrame(int from, MacAddress dst, int payload) {
        byte[] f = new byte[18 + payload];
        System.arraycopy(dst.getBytes(), 0, f, 0, 6);
        System.arraycopy(localMac(from).getBytes(), 0, f, 6, 6);
        f[12] = (byte) 0x81;
        f[14] = (byte) (vlan(from) >>> 8);
        f[15] = (byte) vlan(from);
        f[16] = 0x08;
        return f;
    }
}
