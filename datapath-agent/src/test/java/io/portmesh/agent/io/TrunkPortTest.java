package io.portmesh.agent.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.Mac;
import io.portmesh.sim.Await;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TrunkPortTest {
    private static final Mac HW = Mac.parse("02:00:00:00:01:01");
    private final CollectingSink sink = new CollectingSink();
    private final List<PortChange> changes = new CopyOnWriteArrayList<>();
    private TrunkPort trunk;
    private UdpPeer vmA;
    private UdpPeer vmB;

    private void open(boolean adminUp) throws Exception {
        trunk = TrunkPort.open(1, "trunk", HW, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), adminUp);
        trunk.setStateListener((p, c) -> changes.add(c));
        trunk.start(sink);
        vmA = new UdpPeer();
        vmB = new UdpPeer();
    }

    @AfterEach
    void close() {
        if (trunk != null) {
            trunk.close();
        }
        if (vmA != null) {
            vmA.close();
            vmB.close();
        }
    }

    private static int marker(byte[] frame) {
        return ByteBuffer.wrap(frame).getInt(18);
    }

    @Test
    void learnsTheVlanOfASenderAndDeliversThatVlanOnlyToIt() throws Exception {
        open(true);
        byte[] fromA = TestFrames.tagged(10, 1);
        vmA.send(fromA, trunk.localAddress());

        CollectingSink.Received r = sink.next();
        assertThat(r.inPort()).isEqualTo(1);
        assertThat(r.tunnelId()).isZero();
        assertThat(r.tunnelSrcIp()).isZero();
        assertThat(r.frame()).isEqualTo(fromA);
        assertThat(trunk.endpoints().lookup(10)).isEqualTo(vmA.address());

        vmB.send(TestFrames.tagged(20, 2), trunk.localAddress());
        sink.next();

        trunk.send(TestFrames.tagged(30, 3), 0, 64, 0, 0); // nobody on VLAN 30
        byte[] toA = TestFrames.tagged(10, 4);
        trunk.send(toA, 0, toA.length, 0, 0);
        byte[] toB = TestFrames.tagged(20, 5);
        trunk.send(toB, 0, toB.length, 0, 0);

        assertThat(vmA.receive()).isEqualTo(toA);
        assertThat(vmB.receive()).isEqualTo(toB);
        PortStats s = trunk.stats();
        assertThat(s.rxPackets()).isEqualTo(2);
        assertThat(s.rxBytes()).isEqualTo(128);
        assertThat(s.txPackets()).isEqualTo(2);
        assertThat(s.txDropped()).isEqualTo(1);
    }

    @Test
    void aBroadcastGoesToTheEndpointOfItsVlanOnly() throws Exception {
        open(true);
        vmA.send(TestFrames.tagged(10, 1), trunk.localAddress());
        vmB.send(TestFrames.tagged(20, 2), trunk.localAddress());
        sink.next();
        sink.next();

        byte[] broadcast = TestFrames.tagged(20, 7);
        for (int i = 0; i < 6; i++) {
            broadcast[i] = (byte) 0xFF;
        }
        trunk.send(broadcast, 0, broadcast.length, 0, 0);
        byte[] markerToA = TestFrames.tagged(10, 8);
        trunk.send(markerToA, 0, markerToA.length, 0, 0);

        assertThat(vmB.receive()).isEqualTo(broadcast);
        // A's first datagram is the marker sent after the broadcast: the broadcast did not leak to VLAN 10.
        assertThat(marker(vmA.receive())).isEqualTo(8);
    }

    @Test
    void untaggedFramesAreCountedAsErrorsAndTheLoopGoesOn() throws Exception {
        open(true);
        vmA.send(TestFrames.untagged(1), trunk.localAddress());
        vmA.send(new byte[3], trunk.localAddress());
        byte[] good = TestFrames.tagged(10, 2);
        vmA.send(good, trunk.localAddress());

        assertThat(sink.next().frame()).isEqualTo(good);
        assertThat(trunk.stats().rxErrors()).isEqualTo(2);
        assertThat(trunk.stats().rxPackets()).isEqualTo(1);

        trunk.send(TestFrames.untagged(3), 0, 60, 0, 0);
        assertThat(trunk.stats().txErrors()).isEqualTo(1);
    }

    @Test
    void aStaticBindingRefusesOtherEndpointsOnItsVlan() throws Exception {
        open(true);
        trunk.bindVlan(20, vmB.address());

        vmA.send(TestFrames.tagged(20, 1), trunk.localAddress());
        byte[] fromB = TestFrames.tagged(20, 2);
        vmB.send(fromB, trunk.localAddress());

        assertThat(sink.next().frame()).isEqualTo(fromB);
        assertThat(trunk.stats().rxDropped()).isEqualTo(1);
        assertThat(trunk.endpoints().lookup(20)).isEqualTo(vmB.address());
        assertThat(trunk.endpoints().isStatic(20)).isTrue();

        byte[] out = TestFrames.tagged(20, 3);
        trunk.send(out, 0, out.length, 0, 0);
        assertThat(vmB.receive()).isEqualTo(out);
    }

    @Test
    void aStaticBindingDeliversBeforeTheVmHasSentAnything() throws Exception {
        open(true);
        trunk.bindVlan(42, vmA.address());
        byte[] out = TestFrames.tagged(42, 1);
        trunk.send(out, 0, out.length, 0, 0);
        assertThat(vmA.receive()).isEqualTo(out);
    }

    @Test
    void adminDownNeitherDeliversNorTransmitsButStillLearns() throws Exception {
        open(false);
        assertThat(trunk.isAdminUp()).isFalse();
        assertThat(trunk.isLinkUp()).isTrue();

        vmA.send(TestFrames.tagged(10, 1), trunk.localAddress());
        Await.until(() -> trunk.stats().rxDropped() == 1, () -> "rx dropped: " + trunk.stats());
        trunk.send(TestFrames.tagged(10, 2), 0, 64, 0, 0);
        assertThat(trunk.stats().txDropped()).isEqualTo(1);
        assertThat(sink.isEmpty()).isTrue();
        assertThat(trunk.endpoints().lookup(10)).isEqualTo(vmA.address());

        assertThat(trunk.setAdminUp(true)).isTrue();
        assertThat(trunk.setAdminUp(true)).isFalse();
        assertThat(changes).containsExactly(PortChange.MODIFIED, PortChange.MODIFIED);

        byte[] out = TestFrames.tagged(10, 3);
        trunk.send(out, 0, out.length, 0, 0);
        // The first datagram A ever gets is the one sent after the port came up.
        assertThat(vmA.receive()).isEqualTo(out);
        byte[] in = TestFrames.tagged(10, 4);
        vmA.send(in, trunk.localAddress());
        assertThat(sink.next().frame()).isEqualTo(in);
        assertThat(trunk.stats().rxPackets()).isEqualTo(1);
    }

    @Test
    void closingTakesTheLinkDownAndDropsLaterSends() throws Exception {
        open(true);
        trunk.bindVlan(10, vmA.address());
        trunk.close();
        assertThat(trunk.isLinkUp()).isFalse();
        trunk.send(TestFrames.tagged(10, 1), 0, 64, 0, 0);
        assertThat(trunk.stats().txDropped()).isEqualTo(1);
        // start (link up) and close (link down)
        assertThat(changes).containsExactly(PortChange.MODIFIED, PortChange.MODIFIED);
    }
}
