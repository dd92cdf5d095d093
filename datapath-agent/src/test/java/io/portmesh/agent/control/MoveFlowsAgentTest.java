package io.portmesh.agent.control;

import static io.portmesh.agent.control.ScriptedController.WAIT_SECONDS;
import static io.portmesh.agent.control.TwoHostNetwork.M1;
import static io.portmesh.agent.control.TwoHostNetwork.M2;
import static io.portmesh.agent.table.Of.F;
import static io.portmesh.agent.table.Of.add;
import static io.portmesh.agent.table.Of.apply;
import static io.portmesh.agent.table.Of.ethDst;
import static io.portmesh.agent.table.Of.ethSrc;
import static io.portmesh.agent.table.Of.ethType;
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

import io.portmesh.agent.io.TrunkPort;
import io.portmesh.agent.io.Vxlan;
import io.portmesh.agent.pipeline.Pipeline;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.openflow.OfConnection;
import io.portmesh.sim.Await;
import io.portmesh.sim.EtherFrames;
import io.portmesh.sim.FrameStream;
import io.portmesh.sim.SimulatedVm;
import io.portmesh.sim.StreamFrames;
import io.portmesh.sim.StreamStats;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFControllerRole;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFPacketInReason;
import org.projectfloodlight.openflow.protocol.OFRoleReply;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/**
 * The flows of a live port move (docs/architecture.md section 7.1), pushed over OpenFlow to real agents and run on
 * frames from simulated VMs: a frame sent to two tunnel endpoints by one apply-actions list, a frame delivered
 * locally and tunnelled by one list, and the activation flow that sends an arriving VM's RARP or ARP to the master
 * controller while forwarding it as usual.
 */
class MoveFlowsAgentTest {
    /** A third VXLAN endpoint, standing for the new host of a moving VM. */
    private static final String IP_C = "127.0.0.23";

    private static final Mac M5 = Mac.parse("52:54:00:00:01:05");
    private static final int FRAMES = 200;
    private static final Duration SETTLE = Duration.ofSeconds(10);

    private TwoHostNetwork net;
    private TunnelEndpoint hostC;

    @BeforeEach
    void start() throws Exception {
        net = TwoHostNetwork.running();
        hostC = new TunnelEndpoint(
                new InetSocketAddress(IP_C, net.agentA.vxlanAddress().getPort()));
    }

    @AfterEach
    void stop() throws IOException {
        if (hostC != null) {
            hostC.close();
        }
        if (net != null) {
            net.close();
        }
    }

    /** A VXLAN endpoint that only collects what it gets. */
    private static final class TunnelEndpoint implements AutoCloseable {
        record Datagram(int vni, byte[] inner) {}

        private final DatagramChannel channel;
        private final List<Datagram> received = new ArrayList<>();

        TunnelEndpoint(InetSocketAddress bind) throws IOException {
            channel = DatagramChannel.open().bind(bind);
            channel.configureBlocking(false);
        }

        /** Everything received so far, after reading what is queued. */
        synchronized List<Datagram> received() throws IOException {
            ByteBuffer b = ByteBuffer.allocate(65_535);
            while (channel.receive(b.clear()) != null) {
                byte[] d = Arrays.copyOf(b.array(), b.position());
                received.add(
                        new Datagram(Vxlan.vni(d, 0, d.length), Arrays.copyOfRange(d, Vxlan.HEADER_LEN, d.length)));
            }
            return List.copyOf(received);
        }

        int count() {
            try {
                return received().size();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    private void pushToA(OFMessage... messages) throws Exception {
        ScriptedController.sendAndSync(net.toA, List.of(messages));
        assertThat(net.ctl1.received(net.toA)).noneMatch(m -> m instanceof OFErrorMsg);
    }

    private static int u16(byte[] f, int off) {
        return ((f[off] & 0xFF) << 8) | (f[off + 1] & 0xFF);
    }

    @Test
    void oneApplyListSendsEachFrameToBothTunnelEndpoints() throws Exception {
        // A's flow for vm2 during a move of vm2 from B to C: both endpoints, one list
        pushToA(add(
                        1,
                        120,
                        ethDst(metadata(match(), 100), M2.toString()).build(),
                        apply(
                                setTunnelId(100),
                                setTunDst(TwoHostNetwork.IP_B),
                                output(Pipeline.TUNNEL_PORT),
                                setTunDst(IP_C),
                                output(Pipeline.TUNNEL_PORT)))
                .build());
        long txBefore = net.agentA.ports().get(Pipeline.TUNNEL_PORT).stats().txPackets();

        try (FrameStream s =
                FrameStream.from(net.vm1).to(net.vm2).rate(1_000).count(FRAMES).start()) {
            assertThat(s.awaitReceived(SETTLE)).isEqualTo(new StreamStats(FRAMES, FRAMES, 0, 0, 0, 0));
            Await.until(() -> hostC.count() == FRAMES, () -> "host C got " + hostC.count() + net.counters());

            List<TunnelEndpoint.Datagram> atC = hostC.received();
            assertThat(atC).allSatisfy(d -> {
                assertThat(d.vni()).isEqualTo(100);
                assertThat(EtherFrames.dst(d.inner())).isEqualTo(M2);
                assertThat(EtherFrames.src(d.inner())).isEqualTo(M1);
                assertThat(u16(d.inner(), 12)).as("untagged").isEqualTo(EtherFrames.ETHERTYPE_STREAM);
            });
            // the same frames, once each
            assertThat(atC.stream().map(d -> streamSeq(d.inner())).distinct().count())
                    .isEqualTo(FRAMES);
        }
        assertThat(net.agentA.ports().get(Pipeline.TUNNEL_PORT).stats().txPackets() - txBefore)
                .isEqualTo(2L * FRAMES);
    }

    /** The sequence number of an untagged stream frame (the tag's 4 bytes are gone). */
    private static long streamSeq(byte[] untagged) {
        byte[] tagged = EtherFrames.tag(untagged, 1);
        assertThat(StreamFrames.is(tagged, tagged.length)).isTrue();
        return StreamFrames.seq(tagged);
    }

    @Test
    void oneApplyListDeliversLocallyAndTunnels() throws Exception {
        // vm5, a second blue VM on A (VLAN 12), sends to vm1 while vm1 moves from A to C: A delivers to vm1 here and
        // tunnels a copy to C
        try (SimulatedVm vm5 = new SimulatedVm(M5, Ipv4.parse("10.0.1.5"), 12, net.agentA.trunkAddress())) {
            vm5.sendGratuitousArp();
            TrunkPort trunkA = (TrunkPort) net.agentA.ports().get(Pipeline.TRUNK_PORT);
            Await.until(() -> trunkA.endpoints().lookup(12) != null, () -> "VLAN 12 not learned");
            pushToA(
                    add(
                                    0,
                                    100,
                                    ethSrc(vlan(inPort(match(), 1), 12), M5.toString())
                                            .build(),
                                    apply(popVlan()),
                                    writeMetadata(100, 0xFF_FFFFL),
                                    gotoTable(1))
                            .build(),
                    add(
                                    1,
                                    120,
                                    ethDst(metadata(inPort(match(), 1), 100), M1.toString())
                                            .build(),
                                    apply(
                                            setTunnelId(100),
                                            setTunDst(IP_C),
                                            output(Pipeline.TUNNEL_PORT),
                                            pushVlan(),
                                            setVlan(10),
                                            output(OFPort.IN_PORT)))
                            .build());

            try (FrameStream s =
                    FrameStream.from(vm5).to(net.vm1).rate(1_000).count(FRAMES).start()) {
                assertThat(s.awaitReceived(SETTLE)).isEqualTo(new StreamStats(FRAMES, FRAMES, 0, 0, 0, 0));
                Await.until(() -> hostC.count() == FRAMES, () -> "host C got " + hostC.count() + net.counters());
            }
            assertThat(hostC.received()).allSatisfy(d -> {
                assertThat(d.vni()).isEqualTo(100);
                assertThat(EtherFrames.dst(d.inner())).isEqualTo(M1);
                assertThat(EtherFrames.src(d.inner())).isEqualTo(M5);
                assertThat(u16(d.inner(), 12)).as("untagged").isEqualTo(EtherFrames.ETHERTYPE_STREAM);
            });
            // the local copy came back out of the trunk tagged with vm1's VLAN; red vm3 (same MAC, VLAN 11) got none
            assertThat(net.vm1.receivedFrames())
                    .filteredOn(f -> StreamFrames.is(f, f.length))
                    .isNotEmpty()
                    .allSatisfy(f -> assertThat(EtherFrames.vlan(f, f.length)).isEqualTo(10));
            assertThat(net.vm3.hasReceived(f -> StreamFrames.is(f, f.length))).isFalse();
        }
    }

    /** The activation flow of step 1 for vm1 (VLAN 10 on A, VNI 100) and {@code ethType}, at priority 120. */
    private static OFFlowMod activation(int ethType, long cookie) {
        return add(
                        0,
                        120,
                        ethType(ethSrc(vlan(inPort(match(), 1), 10), M1.toString()), ethType)
                                .build(),
                        apply(F.actions().output(OFPort.CONTROLLER, 0xFFFF), popVlan()),
                        writeMetadata(100, 0xFF_FFFFL),
                        gotoTable(1))
                .setCookie(U64.of(cookie))
                .build();
    }

    private static List<OFPacketIn> packetIns(ScriptedController ctl, OfConnection c) {
        return ctl.received(c).stream()
                .filter(m -> m instanceof OFPacketIn)
                .map(OFPacketIn.class::cast)
                .toList();
    }

    @Test
    void activationFlowsSendRarpAndArpToTheMasterAndStillForwardThem() throws Exception {
        long rarpCookie = 0xAC00_0000_0000_000AL;
        long arpCookie = 0xAC00_0000_0000_000BL;
        // ctl1 is master of A (installFlows); ctl2 becomes slave: a slave gets no packet-ins
        var slave = net.toA2
                .factory()
                .buildRoleRequest()
                .setRole(OFControllerRole.ROLE_SLAVE)
                .setGenerationId(U64.of(1))
                .build();
        assertThat(net.toA2
                        .request(slave, OFRoleReply.class)
                        .get(WAIT_SECONDS, TimeUnit.SECONDS)
                        .getRole())
                .isEqualTo(OFControllerRole.ROLE_SLAVE);
        pushToA(activation(0x8035, rarpCookie), activation(0x0806, arpCookie));
        byte[] rarp = EtherFrames.arp(
                Mac.BROADCAST,
                M1,
                10,
                EtherFrames.ETHERTYPE_RARP,
                EtherFrames.RARP_REQUEST,
                M1,
                new Ipv4(0),
                M1,
                new Ipv4(0));

        net.vm1.sendRarp();
        Await.until(() -> packetIns(net.ctl1, net.toA).size() == 1, () -> "no packet-in for the RARP");
        net.vm1.sendGratuitousArp();
        Await.until(() -> packetIns(net.ctl1, net.toA).size() == 2, () -> "no packet-in for the ARP");

        OFPacketIn onRarp = packetIns(net.ctl1, net.toA).get(0);
        assertThat(onRarp.getReason()).isEqualTo(OFPacketInReason.ACTION);
        assertThat(onRarp.getCookie()).isEqualTo(U64.of(rarpCookie));
        assertThat(onRarp.getTableId()).isEqualTo(TableId.of(0));
        assertThat(onRarp.getBufferId()).isEqualTo(OFBufferId.NO_BUFFER);
        assertThat(onRarp.getData()).isEqualTo(rarp); // the whole frame, tagged as it came in
        assertThat(onRarp.getTotalLen()).isEqualTo(rarp.length);
        assertThat(onRarp.getMatch().get(MatchField.IN_PORT)).isEqualTo(OFPort.of(1));
        OFPacketIn onArp = packetIns(net.ctl1, net.toA).get(1);
        assertThat(onArp.getCookie()).isEqualTo(U64.of(arpCookie));
        assertThat(EtherFrames.innerEtherType(onArp.getData())).isEqualTo(EtherFrames.ETHERTYPE_ARP);

        // forwarded as the classify flow does: flooded in VNI 100, across the tunnel to vm2 on B
        Await.until(
                () -> net.vm2.hasReceived(f -> EtherFrames.src(f).equals(M1)
                                && EtherFrames.innerEtherType(f) == EtherFrames.ETHERTYPE_RARP)
                        && net.vm2.hasReceived(f -> EtherFrames.src(f).equals(M1)
                                && EtherFrames.innerEtherType(f) == EtherFrames.ETHERTYPE_ARP),
                () -> "vm2 did not get vm1's RARP and ARP" + net.counters());
        // other frames of vm1 miss the activation flows (eth_type is the ethertype inside the tag)
        net.quiesce();
        assertThat(packetIns(net.ctl1, net.toA)).hasSize(2);
        assertThat(packetIns(net.ctl2, net.toA2)).as("the slave connection").isEmpty();
        assertThat(packetIns(net.ctl1, net.toB)).as("B has no activation flow").isEmpty();
        // the activation flows count their packets: what a rollback asks before it gives up on the move
        assertThat(flowPackets(rarpCookie)).isEqualTo(1);
        assertThat(flowPackets(arpCookie)).isEqualTo(1);
    }

    private long flowPackets(long cookie) throws Exception {
        List<OFFlowStatsEntry> entries = net
                .toA
                .multipart(F.buildFlowStatsRequest()
                        .setTableId(TableId.ALL)
                        .setOutPort(OFPort.ANY)
                        .setOutGroup(OFGroup.ANY)
                        .setCookie(U64.of(cookie))
                        .setCookieMask(U64.NO_MASK)
                        .setMatch(F.matchWildcardAll())
                        .build())
                .get(WAIT_SECONDS, TimeUnit.SECONDS)
                .stream()
                .flatMap(r -> r.getEntries().stream())
                .toList();
        assertThat(entries).hasSize(1);
        return entries.get(0).getPacketCount().getValue();
    }
}
