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
import io.portmesh.model.flow.FlowCompiler;
import io.portmesh.model.flow.FlowPlan;
import io.portmesh.model.flow.HostView;
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
