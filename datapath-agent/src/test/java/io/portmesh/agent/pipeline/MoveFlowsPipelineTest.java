package io.portmesh.agent.pipeline;

import static io.portmesh.agent.table.Of.F;
import static io.portmesh.agent.table.Of.add;
import static io.portmesh.agent.table.Of.apply;
import static io.portmesh.agent.table.Of.arp;
import static io.portmesh.agent.table.Of.ethDst;
import static io.portmesh.agent.table.Of.ethSrc;
import static io.portmesh.agent.table.Of.ethType;
import static io.portmesh.agent.table.Of.frame;
import static io.portmesh.agent.table.Of.gotoTable;
import static io.portmesh.agent.table.Of.inPort;
import static io.portmesh.agent.table.Of.match;
import static io.portmesh.agent.table.Of.metadata;
import static io.portmesh.agent.table.Of.output;
import static io.portmesh.agent.table.Of.popVlan;
import static io.portmesh.agent.table.Of.pushVlan;
import static io.portmesh.agent.table.Of.setTunDst;
import static io.portmesh.agent.table.Of.setTunnelId;
import static io.portmesh.agent.table.Of.setVlan;
import static io.portmesh.agent.table.Of.vlan;
import static io.portmesh.agent.table.Of.writeMetadata;
import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.agent.pipeline.RecordingOutput.Sent;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFPacketInReason;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/**
 * The flows of a live port move (docs/architecture.md section 7.1) in the pipeline: one apply-actions list that sends
 * a frame to two tunnel endpoints, one that delivers locally and tunnels, and the activation flow that sends the
 * arriving VM's RARP or ARP to the controller and still forwards it.
 */
class MoveFlowsPipelineTest extends HostPipelineFixture {
    /** A VM arriving on this host: VLAN 31 here, VNI 100. Not the fixture's MOVING, whose flow has priority 200. */
    static final String ARRIVING = "02:00:00:00:00:06";

    static final int ARRIVING_VLAN = 31;
    static final long ACTIVATE_RARP = 0xAC01L;
    static final long ACTIVATE_ARP = 0xAC02L;

    @Test
    void oneApplyListSendsTheFrameToTwoTunnelEndpoints() {
        // peers during a move: the remote flow for VM3 goes to its old and its new host
        ok(add(
                        1,
                        120,
                        ethDst(metadata(match(), 100), VM3).build(),
                        apply(setTunnelId(100), setTunDst("192.0.2.3"), output(2), setTunDst("192.0.2.7"), output(2)))
                .build());
        byte[] f = frame(VM3, VM1, 10, 0x0800, 64);
        fromTrunk(f);

        assertThat(out.sent).hasSize(2).allSatisfy(s -> {
            assertThat(s.port()).isEqualTo(2);
            assertThat(s.tunnelId()).isEqualTo(100);
            assertThat(vidOf(s.frame())).isEqualTo(-1);
            assertThat(Arrays.copyOfRange(s.frame(), 14, s.frame().length))
                    .isEqualTo(Arrays.copyOfRange(f, 18, f.length));
        });
        assertThat(out.sent).extracting(Sent::tunnelDstIp).containsExactly(ip("192.0.2.3"), ip("192.0.2.7"));
        assertThat(pipeline.counters().framesOut()).isEqualTo(2);
    }

    @Test
    void oneApplyListDeliversLocallyAndTunnels() {
        // the moving VM's old host: frames from its trunk go to the VM here (VLAN 30) and to its new host
        ok(add(
                        1,
                        120,
                        ethDst(metadata(inPort(match(), 1), 100), MOVING).build(),
                        apply(
                                setTunnelId(100),
                                setTunDst("192.0.2.8"),
                                output(2),
                                pushVlan(),
                                setVlan(30),
                                output(OFPort.IN_PORT)))
                .build());
        byte[] f = frame(MOVING, VM1, 10, 0x0800, 64);
        fromTrunk(f);

        assertThat(out.sent).hasSize(2);
        assertThat(out.sent.get(0)).satisfies(s -> {
            assertThat(s.port()).isEqualTo(2);
            assertThat(s.tunnelId()).isEqualTo(100);
            assertThat(s.tunnelDstIp()).isEqualTo(ip("192.0.2.8"));
            assertThat(vidOf(s.frame())).isEqualTo(-1);
            assertThat(s.frame()).hasSize(f.length - 4);
        });
        assertThat(out.sent.get(1)).satisfies(s -> {
            assertThat(s.port()).isEqualTo(1);
            assertThat(vidOf(s.frame())).isEqualTo(30);
            assertThat(s.frame()).hasSize(f.length);
            assertThat(Arrays.copyOfRange(s.frame(), 16, s.frame().length))
                    .isEqualTo(Arrays.copyOfRange(f, 16, f.length));
        });
    }

    /** Table 0, priority 120: the arriving VM's frames of {@code ethType} go to the controller, then on as usual. */
    private void activation(int ethType, long cookie) {
        ok(add(
                        0,
                        120,
                        ethType(ethSrc(vlan(inPort(match(), 1), ARRIVING_VLAN), ARRIVING), ethType)
                                .build(),
                        apply(F.actions().output(OFPort.CONTROLLER, 0xFFFF), popVlan()),
                        writeMetadata(100, 0xFF_FFFFL),
                        gotoTable(1))
                .setCookie(U64.of(cookie))
                .build());
    }

    private void removeActivations() {
        ok(F.buildFlowDelete()
                .setTableId(TableId.of(0))
                .setCookie(U64.of(0xAC00L))
                .setCookieMask(U64.of(0xFF00L))
                .setOutPort(OFPort.ANY)
                .setOutGroup(OFGroup.ANY)
                .setMatch(F.matchWildcardAll())
                .build());
    }

    @Test
    void activationFlowsSendRarpAndArpToTheControllerAndStillForwardThem() {
        classify(ARRIVING_VLAN, ARRIVING, 100);
        activation(0x8035, ACTIVATE_RARP);
        activation(0x0806, ACTIVATE_ARP);
        byte[] rarp = frame(BROADCAST, ARRIVING, ARRIVING_VLAN, 0x8035, 46);
        byte[] garp = arp(BROADCAST, ARRIVING, ARRIVING_VLAN, 1, "10.0.0.6", "10.0.0.6");
        byte[] ipv4 = frame(VM1, ARRIVING, ARRIVING_VLAN, 0x0800, 64);

        fromTrunk(rarp);
        List<Sent> rarpOut = List.copyOf(out.sent);
        fromTrunk(garp);
        List<Sent> garpOut = List.copyOf(out.sent.subList(rarpOut.size(), out.sent.size()));
        fromTrunk(ipv4);

        assertThat(out.packetIns).hasSize(2);
        assertThat(out.packetIns.get(0)).satisfies(pi -> {
            assertThat(pi.reason()).isEqualTo(OFPacketInReason.ACTION);
            assertThat(pi.cookie()).isEqualTo(ACTIVATE_RARP);
            assertThat(pi.tableId()).isZero();
            assertThat(pi.frame()).isEqualTo(rarp); // whole, and still tagged: output came before pop_vlan
            assertThat(pi.match().get(MatchField.IN_PORT)).isEqualTo(OFPort.of(1));
        });
        assertThat(out.packetIns.get(1)).satisfies(pi -> {
            assertThat(pi.cookie()).isEqualTo(ACTIVATE_ARP);
            assertThat(pi.frame()).isEqualTo(garp);
        });
        // forwarded: the broadcasts flooded (group 101: VLANs 10 and 11, two remote hosts), the unicast to VM1
        assertThat(rarpOut).hasSize(4);
        assertThat(garpOut).hasSize(4);
        assertThat(out.sent.get(out.sent.size() - 1)).satisfies(s -> {
            assertThat(s.port()).isEqualTo(1);
            assertThat(vidOf(s.frame())).isEqualTo(10);
        });
        assertThat(flowPackets(ACTIVATE_RARP)).isEqualTo(1);
        assertThat(flowPackets(ACTIVATE_ARP)).isEqualTo(1);

        // exactly what the classify flow alone does with the same frames
        removeActivations();
        out.clear();
        fromTrunk(rarp);
        fromTrunk(garp);
        assertThat(out.packetIns).isEmpty();
        assertThat(sentAsComparable(out.sent))
                .containsExactlyElementsOf(sentAsComparable(
                        Stream.concat(rarpOut.stream(), garpOut.stream()).toList()));
    }

    @Test
    void ethTypeMatchesTheEthertypeInsideTheTag() {
        activation(0x8035, ACTIVATE_RARP);
        // the same frames untagged never come from the trunk; tagged with another VLAN or carrying another
        // ethertype, they miss the activation flow
        fromTrunk(frame(BROADCAST, ARRIVING, ARRIVING_VLAN + 1, 0x8035, 46));
        fromTrunk(frame(BROADCAST, ARRIVING, ARRIVING_VLAN, 0x88B5, 46));
        fromTrunk(frame(BROADCAST, ARRIVING, -1, 0x8035, 46));
        assertThat(out.packetIns).isEmpty();
        fromTrunk(frame(BROADCAST, ARRIVING, ARRIVING_VLAN, 0x8035, 46));
        assertThat(out.packetIns)
                .singleElement()
                .extracting(RecordingOutput.PacketIn::cookie)
                .isEqualTo(ACTIVATE_RARP);
    }

    private long flowPackets(long cookie) {
        return tables.flowStats(F.buildFlowStatsRequest()
                        .setTableId(TableId.ALL)
                        .setOutPort(OFPort.ANY)
                        .setOutGroup(OFGroup.ANY)
                        .setCookie(U64.of(cookie))
                        .setCookieMask(U64.NO_MASK)
                        .setMatch(F.matchWildcardAll())
                        .build())
                .get(0)
                .getPacketCount()
                .getValue();
    }

    private static List<String> sentAsComparable(List<Sent> sent) {
        return sent.stream()
                .map(s -> s.port() + "/" + s.inPort() + "/" + s.tunnelId() + "/" + s.tunnelDstIp() + "/"
                        + Arrays.toString(s.frame()))
                .toList();
    }
}
