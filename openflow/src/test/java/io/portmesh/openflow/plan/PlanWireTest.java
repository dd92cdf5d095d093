package io.portmesh.openflow.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.HostId;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.VlanId;
import io.portmesh.model.Vni;
import io.portmesh.model.flow.Cookies;
import io.portmesh.model.flow.FlowCompiler;
import io.portmesh.model.flow.FlowDiff;
import io.portmesh.model.flow.FlowPlan;
import io.portmesh.model.flow.HostView;
import io.portmesh.openflow.OpenFlowBytes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFFlowDelete;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFGroupAdd;
import org.projectfloodlight.openflow.protocol.OFGroupDelete;
import org.projectfloodlight.openflow.protocol.OFGroupDescStatsEntry;
import org.projectfloodlight.openflow.protocol.OFGroupType;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.IPv4Address;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/**
 * Reconciliation only ever touches what is Portmesh's: flows by cookie, groups by the ids the compiler derives. A
 * Portmesh flow the reader cannot express is purged by its cookie instead of being left behind forever.
 */
class PlanWireTest {
    private static final OFFactory F = OFFactories.getFactory(OFVersion.OF_13);
    private static final long FOREIGN_COOKIE = 0x1234L << 48;

    private static FlowPlan desired() {
        return FlowCompiler.compile(new HostView(
                HostId.of("a"),
                List.of(new HostView.LocalPort(
                        PortId.of("p1"), Mac.parse("52:54:00:00:00:01"), new Vni(100), new VlanId(10))),
                List.of()));
    }

    /** Fixed: before, every group not in the plan was deleted and unreadable Portmesh flows were never removed. */
    @Test
    void foreignFlowsAndGroupsAreLeftAloneAndUnreadablePortmeshFlowsArePurged() {
        PlanToOpenFlow encoder = new PlanToOpenFlow(F);
        FlowPlan desired = desired();
        List<OFFlowStatsEntry> flows = new ArrayList<>();
        List<OFGroupDescStatsEntry> groups = new ArrayList<>();
        for (OFMessage m : encoder.messages(desired.diffFrom(FlowPlan.EMPTY))) {
            if (m instanceof OFFlowAdd add) {
                flows.add(stats(add.getTableId(), add.getPriority(), add.getCookie(), add.getMatch())
                        .createBuilder()
                        .setInstructions(add.getInstructions())
                        .build());
            } else if (m instanceof OFGroupAdd add) {
                groups.add(groupDesc(add.getGroup().getGroupNumber())
                        .createBuilder()
                        .setBuckets(add.getBuckets())
                        .build());
            }
        }
        long unreadableCookie = Cookies.cookie(Cookies.LOCAL, 77);
        flows.add(stats(
                TableId.of(1),
                90,
                U64.of(unreadableCookie),
                F.buildMatch()
                        .setExact(MatchField.ETH_TYPE, EthType.IPv4)
                        .setExact(MatchField.IPV4_SRC, IPv4Address.of("10.1.2.3"))
                        .build()));
        flows.add(stats(TableId.of(0), 5, U64.of(FOREIGN_COOKIE), F.buildMatch().build()));
        groups.add(groupDesc(7)); // someone else's group
        groups.add(groupDesc(FlowCompiler.GROUP_FLOOD_FROM_TRUNK | 99)); // ours, no longer wanted

        PlanWire.Installed installed = PlanWire.decodeInstalled(
                OpenFlowBytes.encode(
                        List.of(F.buildFlowStatsReply().setEntries(flows).build())),
                OpenFlowBytes.encode(
                        List.of(F.buildGroupDescStatsReply().setEntries(groups).build())));

        assertThat(installed.unreadableCookies()).containsExactly(unreadableCookie);
        assertThat(installed.plan().groups()).doesNotContainKey(7);
        FlowDiff diff = desired.diffFrom(installed.plan());
        assertThat(diff.deleteGroups()).containsExactly(FlowCompiler.GROUP_FLOOD_FROM_TRUNK | 99);
        assertThat(diff.addFlows()).isEmpty();
        assertThat(diff.deleteFlows()).isEmpty();

        List<OFMessage> sent = OpenFlowBytes.decode(
                PlanWire.encodeReconciliation(installed.unreadableCookies(), diff), OFMessage.class);
        assertThat(sent).hasSize(2);
        OFFlowDelete purge = (OFFlowDelete) sent.get(0);
        assertThat(purge.getCookie().getValue()).isEqualTo(unreadableCookie);
        assertThat(purge.getCookieMask()).isEqualTo(U64.NO_MASK);
        assertThat(purge.getTableId()).isEqualTo(TableId.ALL);
        assertThat(((OFGroupDelete) sent.get(1)).getGroup().getGroupNumber())
                .isEqualTo(FlowCompiler.GROUP_FLOOD_FROM_TRUNK | 99);
    }

    /** Read as exact, a masked tunnel id would have equalled a desired flow's key and hidden that flow's absence. */
    @Test
    void aPortmeshFlowWithAMaskTheModelCannotHoldIsPurgedNotMisread() {
        long cookie = Cookies.cookie(Cookies.CLASSIFY_TUNNEL, 100);
        OFFlowStatsEntry masked = stats(
                TableId.of(0),
                100,
                U64.of(cookie),
                F.buildMatch()
                        .setExact(MatchField.IN_PORT, org.projectfloodlight.openflow.types.OFPort.of(2))
                        .setMasked(MatchField.TUNNEL_ID, U64.of(100), U64.of(0xFFFF))
                        .build());
        PlanWire.Installed installed = PlanWire.decodeInstalled(
                OpenFlowBytes.encode(List.of(
                        F.buildFlowStatsReply().setEntries(List.of(masked)).build())),
                new byte[0]);
        assertThat(installed.unreadableCookies()).containsExactly(cookie);
        assertThat(installed.plan().flows()).isEmpty();
    }

    /** The activation flows of a live move (rule 8) are Portmesh's: read when readable, purged by cookie when not. */
    @Test
    void theActivationCookieIsPortmeshsForReadingAndForThePurge() {
        long cookie = Cookies.cookie(Cookies.ACTIVATE, 7);
        assertThat(Cookies.isPortmesh(cookie)).isTrue();
        assertThat(Cookies.rule(cookie)).isEqualTo(Cookies.ACTIVATE);
        OFFlowStatsEntry readable = stats(
                TableId.of(0),
                FlowCompiler.PRIORITY_ACTIVATION,
                U64.of(cookie),
                F.buildMatch()
                        .setExact(MatchField.IN_PORT, org.projectfloodlight.openflow.types.OFPort.of(1))
                        .setExact(MatchField.VLAN_VID, org.projectfloodlight.openflow.types.OFVlanVidMatch.ofVlan(7))
                        .setExact(MatchField.ETH_TYPE, EthType.of(0x8035))
                        .build());
        long unreadableCookie = Cookies.cookie(Cookies.ACTIVATE, 8);
        OFFlowStatsEntry unreadable = stats(
                TableId.of(0),
                FlowCompiler.PRIORITY_ACTIVATION,
                U64.of(unreadableCookie),
                F.buildMatch()
                        .setExact(MatchField.ETH_TYPE, EthType.IPv4)
                        .setExact(MatchField.IPV4_SRC, IPv4Address.of("10.1.2.3"))
                        .build());
        PlanWire.Installed installed = PlanWire.decodeInstalled(
                OpenFlowBytes.encode(List.of(F.buildFlowStatsReply()
                        .setEntries(List.of(readable, unreadable))
                        .build())),
                new byte[0]);
        assertThat(installed.plan().flows().values())
                .extracting(f -> f.cookie())
                .containsExactly(cookie);
        assertThat(installed.unreadableCookies()).containsExactly(unreadableCookie);
        List<OFMessage> sent = OpenFlowBytes.decode(
                PlanWire.encodeReconciliation(installed.unreadableCookies(), FlowDiff.NONE), OFMessage.class);
        assertThat(((OFFlowDelete) sent.get(0)).getCookie().getValue()).isEqualTo(unreadableCookie);
    }

    @Test
    void portmeshGroupIdsAreExactlyTheOnesTheCompilerDerives() {
        assertThat(Cookies.isPortmeshGroup(FlowCompiler.GROUP_FLOOD_FROM_TUNNEL | 100))
                .isTrue();
        assertThat(Cookies.isPortmeshGroup(FlowCompiler.GROUP_FLOOD_FROM_TRUNK | 4094))
                .isTrue();
        assertThat(Cookies.isPortmeshGroup(FlowCompiler.GROUP_FLOOD_TO_TUNNEL | 100))
                .isTrue();
        assertThat(Cookies.isPortmeshGroup(FlowCompiler.GROUP_FLOOD_TO_TUNNEL + (5 << 24) | 100))
                .isTrue();
        assertThat(Cookies.isPortmeshGroup(0)).isFalse();
        assertThat(Cookies.isPortmeshGroup(0x00FF_FFFF)).isFalse();
        assertThat(Cookies.isPortmeshGroup(FlowCompiler.GROUP_FLOOD_FROM_TRUNK | 4095))
                .isFalse();
        assertThat(Cookies.isPortmeshGroup(0xFFFF_FF00)).isFalse(); // OFPG_MAX and the reserved ids
    }

    private static OFFlowStatsEntry stats(
            TableId table, int priority, U64 cookie, org.projectfloodlight.openflow.protocol.match.Match match) {
        return F.buildFlowStatsEntry()
                .setTableId(table)
                .setPriority(priority)
                .setCookie(cookie)
                .setMatch(match)
                .build();
    }

    private static OFGroupDescStatsEntry groupDesc(int id) {
        return F.buildGroupDescStatsEntry()
                .setGroup(OFGroup.of(id))
                .setGroupType(OFGroupType.ALL)
                .setBuckets(List.of())
                .build();
    }
}
