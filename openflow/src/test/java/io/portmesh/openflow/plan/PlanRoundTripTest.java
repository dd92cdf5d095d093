package io.portmesh.openflow.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.VlanId;
import io.portmesh.model.Vni;
import io.portmesh.model.flow.Action;
import io.portmesh.model.flow.Cookies;
import io.portmesh.model.flow.FlowCompiler;
import io.portmesh.model.flow.FlowEntry;
import io.portmesh.model.flow.FlowPlan;
import io.portmesh.model.flow.HostView;
import io.portmesh.model.flow.Instruction;
import io.portmesh.openflow.OpenFlowBytes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFGroupAdd;
import org.projectfloodlight.openflow.protocol.OFGroupDescStatsEntry;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.protocol.action.OFActionOutput;
import org.projectfloodlight.openflow.protocol.action.OFActionPopVlan;
import org.projectfloodlight.openflow.protocol.instruction.OFInstruction;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionApplyActions;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.IPv4Address;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.OFVlanVidMatch;
import org.projectfloodlight.openflow.types.U64;

/** A compiled plan sent as flow-mods and read back as stats must equal itself: reconciliation depends on it. */
class PlanRoundTripTest {
    private final OFFactory f = OFFactories.getFactory(OFVersion.OF_13);

    private static HostView view() {
        return new HostView(
                HostId.of("a"),
                List.of(
                        new HostView.LocalPort(
                                PortId.of("p1"), Mac.parse("52:54:00:00:00:01"), new Vni(100), new VlanId(10)),
                        new HostView.LocalPort(
                                PortId.of("p2"), Mac.parse("52:54:00:00:00:02"), new Vni(100), new VlanId(11))),
                List.of(new HostView.RemotePort(
                        PortId.of("p3"), Mac.parse("52:54:00:00:00:03"), new Vni(100), Ipv4.parse("10.9.0.2"))));
    }

    @Test
    void aSwitchSpanningThousandsOfHostsStillEncodesEveryMessageWithinOpenFlowsSizeLimit() {
        List<HostView.RemotePort> remotes = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            remotes.add(new HostView.RemotePort(
                    PortId.of("r" + i), new Mac(0x0200_0000_0000L + i), new Vni(100), new Ipv4(0x0A00_0000 + i + 1)));
        }
        HostView big = new HostView(HostId.of("a"), view().localPorts(), remotes);
        List<OFMessage> msgs =
                new PlanToOpenFlow(f).messages(FlowCompiler.compile(big).diffFrom(FlowPlan.EMPTY));
        int largest = 0;
        for (OFMessage m : msgs) {
            ByteBuf buf = Unpooled.buffer();
            m.writeTo(buf);
            largest = Math.max(largest, buf.readableBytes());
            buf.release();
        }
        assertThat(largest).isBetween(1_000, 0xFFFF); // the largest is a remote-host flood group, split to fit
    }

    @Test
    void planSurvivesTheWireAndStatsReadBack() {
        FlowPlan plan = FlowCompiler.compile(view());
        List<OFMessage> msgs = new PlanToOpenFlow(f).messages(plan.diffFrom(FlowPlan.EMPTY));
        assertThat(msgs).hasSize(plan.flows().size() + plan.groups().size());

        List<OFFlowStatsEntry> stats = new ArrayList<>();
        List<OFGroupDescStatsEntry> groups = new ArrayList<>();
        for (OFMessage m : msgs) {
            OFMessage wire = throughTheWire(m);
            assertThat(wire).isEqualTo(m);
            if (wire instanceof OFFlowAdd add) {
                stats.add(f.buildFlowStatsEntry()
                        .setTableId(add.getTableId())
                        .setPriority(add.getPriority())
                        .setCookie(add.getCookie())
                        .setMatch(add.getMatch())
                        .setInstructions(add.getInstructions())
                        .build());
            } else if (wire instanceof OFGroupAdd g) {
                groups.add(f.buildGroupDescStatsEntry()
                        .setGroup(g.getGroup())
                        .setGroupType(g.getGroupType())
                        .setBuckets(g.getBuckets())
                        .build());
            }
        }
        // a flow somebody else installed is not ours and is left alone
        stats.add(f.buildFlowStatsEntry()
                .setCookie(U64.of(0x1234))
                .setMatch(f.buildMatch().build())
                .setInstructions(List.of())
                .build());

        FlowPlan installed = OpenFlowToPlan.installed(stats, groups);
        assertThat(installed).isEqualTo(plan);
        assertThat(plan.diffFrom(installed).isEmpty()).isTrue();
    }

    @Test
    void aStragglerFlowKeepsItsHardTimeoutOnTheWireAndInTheStatsReadBack() {
        HostView.DepartedPort gone = new HostView.DepartedPort(PortId.of("p9"), M9, BLUE, B, 3);
        FlowPlan plan = FlowCompiler.compile(new HostView(HostId.of("a"), List.of(P1), List.of(), List.of(gone)));
        List<OFFlowStatsEntry> stats = new ArrayList<>();
        for (OFMessage m : new PlanToOpenFlow(f).messages(plan.diffFrom(FlowPlan.EMPTY))) {
            if (throughTheWire(m) instanceof OFFlowAdd add) {
                assertThat(add.getHardTimeout())
                        .isEqualTo(Cookies.rule(add.getCookie().getValue()) == Cookies.STRAGGLER ? 3 : 0);
                stats.add(f.buildFlowStatsEntry()
                        .setTableId(add.getTableId())
                        .setPriority(add.getPriority())
                        .setCookie(add.getCookie())
                        .setMatch(add.getMatch())
                        .setInstructions(add.getInstructions())
                        .setHardTimeout(add.getHardTimeout())
                        .build());
            }
        }
        assertThat(stats).anyMatch(e -> e.getHardTimeout() == 3);
        assertThat(OpenFlowToPlan.installed(stats, List.of()).flows()).isEqualTo(plan.flows());
    }

    // A live move: port p9 (MAC ...:09, BLUE = VNI 100) moves from host A (10.9.0.1) to host B (10.9.0.2).

    private static final Vni BLUE = new Vni(100);
    private static final Mac M9 = Mac.parse("52:54:00:00:00:09");
    private static final Ipv4 A = Ipv4.parse("10.9.0.1");
    private static final Ipv4 B = Ipv4.parse("10.9.0.2");
    private static final HostView.LocalPort P1 =
            new HostView.LocalPort(PortId.of("p1"), Mac.parse("52:54:00:00:00:01"), BLUE, new VlanId(10));

    /** A peer (dual delivery), host A (trunk copy to B), host B (trunk copy to A, activation flows). */
    private static List<HostView> moveViews() {
        return List.of(
                new HostView(
                        HostId.of("peer"),
                        List.of(P1),
                        List.of(new HostView.RemotePort(PortId.of("p9"), M9, BLUE, A, B))),
                new HostView(
                        HostId.of("a"),
                        List.of(P1, new HostView.LocalPort(PortId.of("p9"), M9, BLUE, new VlanId(5), B, false)),
                        List.of()),
                new HostView(
                        HostId.of("b"),
                        List.of(new HostView.LocalPort(PortId.of("p9"), M9, BLUE, new VlanId(7), A, true)),
                        List.of()));
    }

    @Test
    void theFlowsOfALiveMoveSurviveTheWireAndReadBackEqual() {
        for (HostView v : moveViews()) {
            FlowPlan plan = FlowCompiler.compile(v);
            List<OFMessage> msgs = new PlanToOpenFlow(f).messages(plan.diffFrom(FlowPlan.EMPTY));
            Stats read = readBack(msgs);
            assertThat(OpenFlowToPlan.installed(read.flows, read.groups))
                    .as("host %s", v.host())
                    .isEqualTo(plan);
            // and through PlanWire, as reconciliation reads them: nothing unreadable, nothing to send
            PlanWire.Installed installed = PlanWire.decodeInstalled(
                    OpenFlowBytes.encode(List.of(
                            f.buildFlowStatsReply().setEntries(read.flows).build())),
                    OpenFlowBytes.encode(List.of(
                            f.buildGroupDescStatsReply().setEntries(read.groups).build())));
            assertThat(installed.unreadableCookies()).isEmpty();
            assertThat(plan.diffFrom(installed.plan()).isEmpty()).isTrue();
        }
    }

    @Test
    void anActivationFlowMatchesVlanAndEthTypeAndSendsTheWholeFrameToTheController() {
        List<OFFlowAdd> activation = flowAdds(moveViews().get(2), Cookies.ACTIVATE);
        assertThat(activation).hasSize(2);
        assertThat(activation.stream().map(a -> a.getMatch().get(MatchField.ETH_TYPE)))
                .containsExactlyInAnyOrder(EthType.of(0x8035), EthType.ARP);
        for (OFFlowAdd add : activation) {
            assertThat(add.getCookie().getValue()).isEqualTo(Cookies.cookie(Cookies.ACTIVATE, 7));
            assertThat(add.getPriority()).isEqualTo(FlowCompiler.PRIORITY_ACTIVATION);
            assertThat(add.getMatch().get(MatchField.VLAN_VID)).isEqualTo(OFVlanVidMatch.ofVlan(7));
            assertThat(add.getMatch().get(MatchField.IN_PORT)).isEqualTo(OFPort.of(1));
            assertThat(add.getMatch().get(MatchField.ETH_SRC)).isEqualTo(MacAddress.of(M9.value()));
            List<OFAction> actions =
                    ((OFInstructionApplyActions) add.getInstructions().get(0)).getActions();
            OFActionOutput toController = (OFActionOutput) actions.get(0);
            assertThat(toController.getPort()).isEqualTo(OFPort.CONTROLLER);
            assertThat(toController.getMaxLen()).isEqualTo(0xFFFF); // OFPCML_NO_BUFFER: the whole frame
            assertThat(actions.get(1)).isInstanceOf(OFActionPopVlan.class);
            assertThat(add.getInstructions()).hasSize(3);
        }
    }

    @Test
    void aFlowToAMovingMemberCarriesBothTunnelDestinationsInOneActionList() {
        List<OFFlowAdd> remote = flowAdds(moveViews().get(0), Cookies.REMOTE);
        assertThat(remote).hasSize(1);
        List<OFAction> actions =
                ((OFInstructionApplyActions) remote.get(0).getInstructions().get(0)).getActions();
        assertThat(actions)
                .containsExactly(
                        f.actions().setField(f.oxms().tunnelId(U64.of(100))),
                        f.actions().setField(f.oxms().tunnelIpv4Dst(IPv4Address.of(A.value()))),
                        f.actions().output(OFPort.of(2), 0xFFFF),
                        f.actions().setField(f.oxms().tunnelIpv4Dst(IPv4Address.of(B.value()))),
                        f.actions().output(OFPort.of(2), 0xFFFF));
    }

    /** A switch that truncates packet-ins would lose the activation frame's body: the flow must be written again. */
    @Test
    void anOutputToTheControllerThatTruncatesTheFrameReadsBackDifferent() {
        OFFlowAdd add = flowAdds(moveViews().get(2), Cookies.ACTIVATE).get(0);
        List<OFAction> actions = new ArrayList<>(
                ((OFInstructionApplyActions) add.getInstructions().get(0)).getActions());
        actions.set(0, f.actions().output(OFPort.CONTROLLER, 128));
        List<OFInstruction> instructions = new ArrayList<>(add.getInstructions());
        instructions.set(0, f.instructions().applyActions(actions));
        OFFlowStatsEntry truncated = f.buildFlowStatsEntry()
                .setTableId(add.getTableId())
                .setPriority(add.getPriority())
                .setCookie(add.getCookie())
                .setMatch(add.getMatch())
                .setInstructions(instructions)
                .build();
        FlowEntry read = OpenFlowToPlan.flow(truncated).orElseThrow();
        FlowEntry planned = FlowCompiler.compile(moveViews().get(2)).flows().get(read.key());
        assertThat(planned).isNotNull();
        assertThat(read).isNotEqualTo(planned);
        assertThat(((Instruction.ApplyActions) read.instructions().get(0))
                        .actions()
                        .get(0))
                .isInstanceOf(Action.Unrecognized.class);
    }

    /** The flow-adds of {@code view}'s whole plan whose cookie is of compiler rule {@code rule}. */
    private List<OFFlowAdd> flowAdds(HostView view, int rule) {
        FlowPlan plan = FlowCompiler.compile(view);
        return new PlanToOpenFlow(f)
                .messages(plan.diffFrom(FlowPlan.EMPTY)).stream()
                        .map(this::throughTheWire)
                        .filter(m -> m instanceof OFFlowAdd)
                        .map(m -> (OFFlowAdd) m)
                        .filter(a -> Cookies.rule(a.getCookie().getValue()) == rule)
                        .toList();
    }

    private record Stats(List<OFFlowStatsEntry> flows, List<OFGroupDescStatsEntry> groups) {}

    /** What a switch given {@code msgs} (flow-adds and group-adds) reports in flow stats and group descriptions. */
    private Stats readBack(List<OFMessage> msgs) {
        List<OFFlowStatsEntry> stats = new ArrayList<>();
        List<OFGroupDescStatsEntry> groups = new ArrayList<>();
        for (OFMessage m : msgs) {
            OFMessage wire = throughTheWire(m);
            assertThat(wire).isEqualTo(m);
            if (wire instanceof OFFlowAdd add) {
                stats.add(f.buildFlowStatsEntry()
                        .setTableId(add.getTableId())
                        .setPriority(add.getPriority())
                        .setCookie(add.getCookie())
                        .setMatch(add.getMatch())
                        .setInstructions(add.getInstructions())
                        .build());
            } else if (wire instanceof OFGroupAdd g) {
                groups.add(f.buildGroupDescStatsEntry()
                        .setGroup(g.getGroup())
                        .setGroupType(g.getGroupType())
                        .setBuckets(g.getBuckets())
                        .build());
            }
        }
        return new Stats(stats, groups);
    }

    private OFMessage throughTheWire(OFMessage m) {
        ByteBuf buf = Unpooled.buffer();
        m.writeTo(buf);
        try {
            return OFFactories.getGenericReader().readFrom(buf);
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            buf.release();
        }
    }
}
