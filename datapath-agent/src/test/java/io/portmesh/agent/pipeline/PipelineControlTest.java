package io.portmesh.agent.pipeline;

import static io.portmesh.agent.table.Of.F;
import static io.portmesh.agent.table.Of.add;
import static io.portmesh.agent.table.Of.any;
import static io.portmesh.agent.table.Of.apply;
import static io.portmesh.agent.table.Of.arp;
import static io.portmesh.agent.table.Of.ethDst;
import static io.portmesh.agent.table.Of.ethSrc;
import static io.portmesh.agent.table.Of.frame;
import static io.portmesh.agent.table.Of.group;
import static io.portmesh.agent.table.Of.inPort;
import static io.portmesh.agent.table.Of.match;
import static io.portmesh.agent.table.Of.metadata;
import static io.portmesh.agent.table.Of.output;
import static io.portmesh.agent.table.Of.pushVlan;
import static io.portmesh.agent.table.Of.setTunDst;
import static io.portmesh.agent.table.Of.setTunnelId;
import static io.portmesh.agent.table.Of.setVlan;
import static io.portmesh.agent.table.Of.vlan;
import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.agent.pipeline.RecordingOutput.Sent;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFPacketInReason;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/** The controller side of the pipeline: packet-ins, packet-outs, flow changes, counters, bad frames. */
class PipelineControlTest extends HostPipelineFixture {
    @Test
    void activationFrameGoesToTheControllerWithCookieAndReason() {
        fromTrunk(frame(BROADCAST, MOVING, 30, 0x8035, 46));
        assertThat(out.packetIns).singleElement().satisfies(pi -> {
            assertThat(pi.reason()).isEqualTo(OFPacketInReason.ACTION);
            assertThat(pi.cookie()).isEqualTo(ACTIVATION_COOKIE);
            assertThat(pi.tableId()).isZero();
            assertThat(pi.match().get(MatchField.IN_PORT)).isEqualTo(OFPort.of(1));
            assertThat(vidOf(pi.frame())).isEqualTo(30);
        });
        assertThat(pipeline.counters().toController()).isEqualTo(1);
    }

    @Test
    void tableMissFlowSendsNoMatchPacketIns() {
        ok(add(1, 0, any(), apply(output(OFPort.CONTROLLER)))
                .setCookie(U64.of(0x77))
                .build());
        fromTrunk(frame("02:00:00:00:09:99", VM1, 10, 0x0800, 64));
        assertThat(out.packetIns).singleElement().satisfies(pi -> {
            assertThat(pi.reason()).isEqualTo(OFPacketInReason.NO_MATCH);
            assertThat(pi.cookie()).isEqualTo(0x77);
            assertThat(pi.tableId()).isEqualTo(1);
            assertThat(pi.match().get(MatchField.METADATA).getValue().getValue())
                    .isEqualTo(100);
        });
    }

    @Test
    void modifiedAndDeletedFlowsChangeForwardingAtOnce() {
        // VM3 moved behind another host: the controller re-points its flow (docs/architecture.md section 7.1).
        ok(F.buildFlowModifyStrict()
                .setTableId(TableId.of(1))
                .setPriority(100)
                .setMatch(ethDst(metadata(match(), 100), VM3).build())
                .setInstructions(List.of(apply(setTunnelId(100), setTunDst("192.0.2.7"), output(2))))
                .build());
        fromTrunk(frame(VM3, VM1, 10, 0x0800, 64));
        assertThat(out.sent).singleElement().extracting(Sent::tunnelDstIp).isEqualTo(ip("192.0.2.7"));

        ok(F.buildFlowDeleteStrict()
                .setTableId(TableId.of(1))
                .setPriority(100)
                .setMatch(ethDst(metadata(match(), 100), VM3).build())
                .build());
        fromTrunk(frame(VM3, VM1, 10, 0x0800, 64));
        assertThat(out.sent).hasSize(1);
        assertThat(pipeline.counters().tableMiss()).isEqualTo(1);
    }

    @Test
    void packetOutToTableRunsThePipelineWithItsInPort() {
        byte[] f = frame(VM3, VM1, 10, 0x0800, 64);
        pipeline.packetOut(F.buildPacketOut()
                .setInPort(OFPort.of(1))
                .setActions(List.of(output(OFPort.TABLE)))
                .setData(f)
                .build());
        assertThat(out.sent).singleElement().satisfies(s -> {
            assertThat(s.port()).isEqualTo(2);
            assertThat(s.tunnelId()).isEqualTo(100);
        });
        assertThat(pipeline.counters().framesIn())
                .as("packet-outs are not input frames")
                .isZero();
    }

    @Test
    void packetOutWithDirectActions() {
        byte[] f = frame(VM1, "02:00:00:00:00:aa", -1, 0x0800, 64);
        pipeline.packetOut(F.buildPacketOut()
                .setInPort(OFPort.CONTROLLER)
                .setActions(List.of(pushVlan(), setVlan(10), output(1)))
                .setData(f)
                .build());
        assertThat(out.sent).singleElement().satisfies(s -> {
            assertThat(s.port()).isEqualTo(1);
            assertThat(vidOf(s.frame())).isEqualTo(10);
        });

        pipeline.packetOut(F.buildPacketOut()
                .setInPort(OFPort.CONTROLLER)
                .setActions(List.of(group(999)))
                .setData(f)
                .build());
        assertThat(pipeline.counters().packetOutRejected()).isEqualTo(1);
    }

    @Test
    void malformedFramesAreCountedNotThrown() {
        byte[] f = frame(VM3, VM1, 10, 0x0800, 64);
        pipeline.process(1, 0, 0, f, 0, 10);
        pipeline.process(1, 0, 0, f, 0, 16);
        pipeline.process(1, 0, 0, null, 0, 60);
        pipeline.process(1, 0, 0, f, 50, 60);
        pipeline.process(1, 0, 0, f, -3, 20);
        byte[] shortArp = arp(BROADCAST, VM1, 10, 1, "10.0.0.1", "10.0.0.2");
        pipeline.process(1, 0, 0, shortArp, 0, shortArp.length - 5);

        assertThat(out.sent).isEmpty();
        assertThat(pipeline.counters().malformed()).isEqualTo(6);
        assertThat(pipeline.counters().errors()).isZero();
    }

    @Test
    void flowAndGroupCountersMove() {
        byte[] f = frame(BROADCAST, VM1, 10, 0x0806, 46);
        fromTrunk(f);
        fromTrunk(f);
        var stats = tables.flowStats(F.buildFlowStatsRequest()
                .setTableId(TableId.of(0))
                .setOutPort(OFPort.ANY)
                .setOutGroup(OFGroup.ANY)
                .setMatch(ethSrc(vlan(inPort(match(), 1), 10), VM1).build())
                .build());
        assertThat(stats).singleElement().satisfies(s -> {
            assertThat(s.getPacketCount().getValue()).isEqualTo(2);
            assertThat(s.getByteCount().getValue()).isEqualTo(2L * f.length);
        });
        var groups = tables.groupStats(
                F.buildGroupStatsRequest().setGroup(OFGroup.of(101)).build());
        assertThat(groups).singleElement().satisfies(g -> {
            assertThat(g.getPacketCount().getValue()).isEqualTo(2);
            assertThat(g.getBucketStats())
                    .allSatisfy(b -> assertThat(b.getPacketCount().getValue()).isEqualTo(2));
        });
    }
}
