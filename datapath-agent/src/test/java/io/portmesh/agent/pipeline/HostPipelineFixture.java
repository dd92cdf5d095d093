package io.portmesh.agent.pipeline;

import static io.portmesh.agent.table.Of.add;
import static io.portmesh.agent.table.Of.apply;
import static io.portmesh.agent.table.Of.ethDst;
import static io.portmesh.agent.table.Of.ethSrc;
import static io.portmesh.agent.table.Of.ethType;
import static io.portmesh.agent.table.Of.gotoTable;
import static io.portmesh.agent.table.Of.group;
import static io.portmesh.agent.table.Of.groupAdd;
import static io.portmesh.agent.table.Of.inPort;
import static io.portmesh.agent.table.Of.match;
import static io.portmesh.agent.table.Of.metadata;
import static io.portmesh.agent.table.Of.output;
import static io.portmesh.agent.table.Of.popVlan;
import static io.portmesh.agent.table.Of.pushVlan;
import static io.portmesh.agent.table.Of.setTunDst;
import static io.portmesh.agent.table.Of.setTunnelId;
import static io.portmesh.agent.table.Of.setVlan;
import static io.portmesh.agent.table.Of.tunnelId;
import static io.portmesh.agent.table.Of.vlan;
import static io.portmesh.agent.table.Of.write;
import static io.portmesh.agent.table.Of.writeMetadata;
import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.agent.table.SwitchTables;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFGroupMod;
import org.projectfloodlight.openflow.types.IPv4Address;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.U64;

/**
 * The docs/architecture.md section 5 pipeline on one host. VNI 100: local VM1 (VLAN 10) and VM2 (VLAN 11),
 * remote VM3 behind 192.0.2.3 and a second remote host 192.0.2.4. VNI 200: local VM4 on VLAN 20
 * with the same MAC as VM2, and a remote VM behind 192.0.2.9.
 *
 *
 * <p>Shared by the forwarding tests and the controller-facing tests.
 */
abstract class HostPipelineFixture {
    static final String VM1 = "02:00:00:00:00:01";
    static final String VM2 = "02:00:00:00:00:02";
    static final String VM3 = "02:00:00:00:00:03";
    static final String VM4 = VM2;
    static final String REMOTE_200 = "02:00:00:00:02:09";
    static final String MOVING = "02:00:00:00:00:05";
    static final String BROADCAST = "ff:ff:ff:ff:ff:ff";
    static final long COOKIE = 0xC0FFEEL;
    static final long ACTIVATION_COOKIE = 0xACL;

    final RecordingOutput out = new RecordingOutput();
    final SwitchTables tables = new SwitchTables(4, msg -> {});
    final Pipeline pipeline = new Pipeline(tables, out);

    void ok(OFFlowMod mod) {
        assertThat(tables.apply(mod)).as("%s", mod).isEmpty();
    }

    void ok(OFGroupMod mod) {
        assertThat(tables.apply(mod)).as("%s", mod).isEmpty();
    }

    void classify(int vid, String mac, long vni) {
        ok(add(
                        0,
                        100,
                        ethSrc(vlan(inPort(match(), 1), vid), mac).build(),
                        apply(popVlan()),
                        writeMetadata(vni, -1L),
                        gotoTable(1))
                .setCookie(U64.of(COOKIE))
                .build());
    }

    void localFromTrunk(long vni, String mac, int vid) {
        ok(add(
                        1,
                        110,
                        ethDst(metadata(inPort(match(), 1), vni), mac).build(),
                        apply(pushVlan(), setVlan(vid), output(OFPort.IN_PORT)))
                .build());
        ok(add(1, 100, ethDst(metadata(match(), vni), mac).build(), apply(pushVlan(), setVlan(vid), output(1)))
                .build());
    }

    void remote(long vni, String mac, String endpoint) {
        ok(add(
                        1,
                        100,
                        ethDst(metadata(match(), vni), mac).build(),
                        apply(setTunnelId(vni), setTunDst(endpoint), output(2)))
                .build());
    }

    @BeforeEach
    void installHostFlows() {
        classify(10, VM1, 100);
        classify(11, VM2, 100);
        classify(20, VM4, 200);
        ok(add(0, 100, tunnelId(inPort(match(), 2), 100).build(), writeMetadata(100, -1L), gotoTable(1))
                .build());
        ok(add(0, 100, tunnelId(inPort(match(), 2), 200).build(), writeMetadata(200, -1L), gotoTable(1))
                .build());
        // Activation of a VM moving here: its RARP goes to the controller.
        ok(add(
                        0,
                        200,
                        ethType(ethSrc(vlan(inPort(match(), 1), 30), MOVING), 0x8035)
                                .build(),
                        apply(output(OFPort.CONTROLLER)))
                .setCookie(U64.of(ACTIVATION_COOKIE))
                .build());

        localFromTrunk(100, VM1, 10);
        localFromTrunk(100, VM2, 11);
        localFromTrunk(200, VM4, 20);
        remote(100, VM3, "192.0.2.3");
        remote(200, REMOTE_200, "192.0.2.9");

        // Broadcast from the trunk: other local ports (back out of the trunk) and every remote host.
        ok(groupAdd(
                101,
                List.of(pushVlan(), setVlan(10), output(OFPort.IN_PORT)),
                List.of(pushVlan(), setVlan(11), output(OFPort.IN_PORT)),
                List.of(setTunnelId(100), setTunDst("192.0.2.3"), output(2)),
                List.of(setTunnelId(100), setTunDst("192.0.2.4"), output(2))));
        // Broadcast from the tunnel: local ports only, never back into the tunnel.
        ok(groupAdd(100, List.of(pushVlan(), setVlan(10), output(1)), List.of(pushVlan(), setVlan(11), output(1))));
        ok(add(1, 50, ethDst(metadata(inPort(match(), 1), 100), BROADCAST).build(), write(group(101)))
                .build());
        ok(add(1, 50, ethDst(metadata(inPort(match(), 2), 100), BROADCAST).build(), write(group(100)))
                .build());
    }

    void fromTrunk(byte[] f) {
        pipeline.process(1, 0, 0, f, 0, f.length);
    }

    void fromTunnel(long vni, byte[] f) {
        pipeline.process(2, vni, IPv4Address.of("192.0.2.3").getInt(), f, 0, f.length);
    }

    static int ip(String s) {
        return IPv4Address.of(s).getInt();
    }

    /** The VLAN id of a frame's 802.1Q tag, or -1 when untagged. */
    static int vidOf(byte[] f) {
        if ((f[12] & 0xFF) != 0x81 || f[13] != 0) {
            return -1;
        }
        return ((f[14] & 0x0F) << 8) | (f[15] & 0xFF);
    }
}
