package io.portmesh.agent.pipeline;

import static io.portmesh.agent.table.Of.add;
import static io.portmesh.agent.table.Of.any;
import static io.portmesh.agent.table.Of.apply;
import static io.portmesh.agent.table.Of.arp;
import static io.portmesh.agent.table.Of.clear;
import static io.portmesh.agent.table.Of.ethDst;
import static io.portmesh.agent.table.Of.ethType;
import static io.portmesh.agent.table.Of.frame;
import static io.portmesh.agent.table.Of.gotoTable;
import static io.portmesh.agent.table.Of.match;
import static io.portmesh.agent.table.Of.metadata;
import static io.portmesh.agent.table.Of.output;
import static io.portmesh.agent.table.Of.pushVlan;
import static io.portmesh.agent.table.Of.setTunnelId;
import static io.portmesh.agent.table.Of.setVlan;
import static io.portmesh.agent.table.Of.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.agent.pipeline.RecordingOutput.Sent;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.ArpOpcode;
import org.projectfloodlight.openflow.types.IPv4Address;
import org.projectfloodlight.openflow.types.OFPort;

/** Forwarding through the pipeline of docs/architecture.md section 5: classify, L2, groups, action set. */
class PipelineTest extends HostPipelineFixture {
    @Test
    void trunkFrameToRemoteVmIsUntaggedAndTunnelled() {
        byte[] f = frame(VM3, VM1, 10, 0x0800, 64);
        fromTrunk(f);

        assertThat(out.sent).singleElement().satisfies(s -> {
            assertThat(s.port()).isEqualTo(2);
            assertThat(s.inPort()).isEqualTo(1);
            assertThat(s.tunnelId()).isEqualTo(100);
            assertThat(s.tunnelDstIp()).isEqualTo(ip("192.0.2.3"));
            assertThat(s.frame()).hasSize(f.length - 4);
            assertThat(Arrays.copyOfRange(s.frame(), 12, 14)).containsExactly(0x08, 0x00);
            assertThat(Arrays.copyOfRange(s.frame(), 14, s.frame().length))
                    .isEqualTo(Arrays.copyOfRange(f, 18, f.length));
        });
        assertThat(pipeline.counters().framesIn()).isEqualTo(1);
        assertThat(pipeline.counters().framesOut()).isEqualTo(1);
        assertThat(pipeline.counters().dropped()).isZero();
    }

    @Test
    void trunkFrameToLocalVmGoesBackOutTheTrunkWithTheTargetVlan() {
        fromTrunk(frame(VM2, VM1, 10, 0x0800, 64));
        assertThat(out.sent).singleElement().satisfies(s -> {
            assertThat(s.port()).isEqualTo(1);
            assertThat(vidOf(s.frame())).isEqualTo(11);
        });
    }

    @Test
    void tunnelFrameToLocalVmIsTaggedForItsVlan() {
        byte[] f = frame(VM1, VM3, -1, 0x0800, 64);
        fromTunnel(100, f);
        assertThat(out.sent).singleElement().satisfies(s -> {
            assertThat(s.port()).isEqualTo(1);
            assertThat(s.inPort()).isEqualTo(2);
            assertThat(vidOf(s.frame())).isEqualTo(10);
            assertThat(s.frame()).hasSize(f.length + 4);
        });
    }

    @Test
    void broadcastFromTrunkReachesLocalVlansAndEveryRemoteHost() {
        fromTrunk(frame(BROADCAST, VM1, 10, 0x0806, 46));

        List<Sent> local = out.sent.stream().filter(s -> s.port() == 1).toList();
        List<Sent> tunnel = out.sent.stream().filter(s -> s.port() == 2).toList();
        assertThat(local).extracting(s -> vidOf(s.frame())).containsExactly(10, 11);
        assertThat(tunnel).extracting(Sent::tunnelDstIp).containsExactly(ip("192.0.2.3"), ip("192.0.2.4"));
        assertThat(tunnel).allSatisfy(s -> {
            assertThat(s.tunnelId()).isEqualTo(100);
            assertThat(vidOf(s.frame()))
                    .as("each bucket has its own copy: no tag leaks")
                    .isEqualTo(-1);
        });
        assertThat(pipeline.counters().framesOut()).isEqualTo(4);
    }

    @Test
    void broadcastFromTunnelReachesLocalPortsOnly() {
        fromTunnel(100, frame(BROADCAST, VM3, -1, 0x0806, 46));
        assertThat(out.sent).extracting(Sent::port).containsOnly(1);
        assertThat(out.sent).extracting(s -> vidOf(s.frame())).containsExactly(10, 11);
    }

    @Test
    void foreignSourceMacIsDropped() {
        fromTrunk(frame(VM2, "02:00:00:00:66:66", 10, 0x0800, 64));
        fromTrunk(frame(VM2, VM2, 10, 0x0800, 64)); // VM2's MAC on VM1's VLAN: spoofed
        assertThat(out.sent).isEmpty();
        assertThat(pipeline.counters().tableMiss()).isEqualTo(2);
        assertThat(pipeline.counters().dropped()).isEqualTo(2);
    }

    @Test
    void twoVnisWithTheSameMacStayApart() {
        // VM2 (VNI 100, VLAN 11) and VM4 (VNI 200, VLAN 20) share a MAC.
        fromTrunk(frame(VM2, VM1, 10, 0x0800, 64));
        fromTunnel(200, frame(VM4, REMOTE_200, -1, 0x0800, 64));
        fromTrunk(frame(REMOTE_200, VM4, 20, 0x0800, 64));
        fromTrunk(frame(REMOTE_200, VM1, 10, 0x0800, 64)); // not in VNI 100: no flow, dropped

        assertThat(out.sent).hasSize(3);
        assertThat(vidOf(out.sent.get(0).frame())).isEqualTo(11);
        assertThat(vidOf(out.sent.get(1).frame())).isEqualTo(20);
        assertThat(out.sent.get(2).tunnelId()).isEqualTo(200);
        assertThat(out.sent.get(2).tunnelDstIp()).isEqualTo(ip("192.0.2.9"));
        assertThat(pipeline.counters().tableMiss()).isEqualTo(1);
    }

    @Test
    void arpMatchOnTargetAddress() {
        ok(add(
                        1,
                        120,
                        ethType(metadata(match(), 100), 0x0806)
                                .setExact(MatchField.ARP_OP, ArpOpcode.REQUEST)
                                .setExact(MatchField.ARP_TPA, IPv4Address.of("10.0.0.99"))
                                .build(),
                        apply(output(OFPort.CONTROLLER)))
                .build());
        fromTrunk(arp(BROADCAST, VM1, 10, 1, "10.0.0.1", "10.0.0.99"));
        fromTrunk(arp(BROADCAST, VM1, 10, 1, "10.0.0.1", "10.0.0.98"));
        assertThat(out.packetIns).hasSize(1);
        assertThat(out.sent).as("the other ARP is flooded by the group").hasSize(4);
    }

    @Test
    void tunnelOutputWithoutDestinationIsDroppedAndCounted() {
        ok(add(1, 100, ethDst(metadata(match(), 100), "02:00:00:00:00:77").build(), apply(setTunnelId(100), output(2)))
                .build());
        fromTrunk(frame("02:00:00:00:00:77", VM1, 10, 0x0800, 64));
        assertThat(out.sent).isEmpty();
        assertThat(pipeline.counters().tunnelNoDestination()).isEqualTo(1);
        assertThat(pipeline.counters().noOutput()).isEqualTo(1);
    }

    @Test
    void outputToTheInPortWithoutInPortIsDropped() {
        ok(add(1, 100, ethDst(metadata(match(), 100), "02:00:00:00:00:78").build(), apply(output(1)))
                .build());
        fromTrunk(frame("02:00:00:00:00:78", VM1, 10, 0x0800, 64));
        assertThat(out.sent).isEmpty();
        assertThat(pipeline.counters().inPortDrops()).isEqualTo(1);
    }

    @Test
    void actionSetRunsInSpecOrderAndClearActionsEmptiesIt() {
        // Table 2 writes an output; table 3 clears it and writes [output, set vid, push] out of order.
        ok(add(1, 100, ethDst(metadata(match(), 100), "02:00:00:00:00:79").build(), write(output(2)), gotoTable(2))
                .build());
        ok(add(2, 10, any(), clear(), write(output(OFPort.IN_PORT), setVlan(12), pushVlan()), gotoTable(3))
                .build());
        ok(add(3, 10, any()).build());
        fromTrunk(frame("02:00:00:00:00:79", VM1, 10, 0x0800, 64));
        assertThat(out.sent).singleElement().satisfies(s -> {
            assertThat(s.port()).isEqualTo(1);
            assertThat(vidOf(s.frame())).isEqualTo(12);
        });
    }
}
