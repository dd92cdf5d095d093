package io.portmesh.agent.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portmesh.model.Mac;
import io.portmesh.sim.Await;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VxlanPortTest {
    private static final int LOOPBACK = 0x7F00_0001;
    private final CollectingSink sink = new CollectingSink();
    private UdpPeer remoteVtep;
    private VxlanPort port;

    @BeforeEach
    void open() throws Exception {
        remoteVtep = new UdpPeer();
        port = VxlanPort.open(
                2,
                "vxlan",
                Mac.parse("02:00:00:00:02:02"),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                remoteVtep.address().getPort());
        port.start(sink);
    }

    @AfterEach
    void close() {
        port.close();
        remoteVtep.close();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] header(int flags, int vni) {
        return new byte[] {(byte) flags, 0, 0, 0, (byte) (vni >>> 16), (byte) (vni >>> 8), (byte) vni, 0};
    }

    @Test
    void decapsulatesIntoTheSinkWithVniAndOuterSource() throws Exception {
        byte[] inner = TestFrames.untagged(1);
        remoteVtep.send(concat(header(0x08, 0x123456), inner), port.localAddress());

        CollectingSink.Received r = sink.next();
        assertThat(r.inPort()).isEqualTo(2);
        assertThat(r.tunnelId()).isEqualTo(0x123456);
        assertThat(r.tunnelSrcIp()).isEqualTo(LOOPBACK);
        assertThat(r.frame()).isEqualTo(inner);
        assertThat(port.stats().rxPackets()).isEqualTo(1);
        assertThat(port.stats().rxBytes()).isEqualTo(inner.length);
    }

    @Test
    void ignoresReservedBitsAsTheRfcAsks() throws Exception {
        byte[] inner = TestFrames.untagged(2);
        byte[] h = {(byte) 0xFF, 0x11, 0x22, 0x33, 0x00, 0x00, 0x2A, 0x44};
        remoteVtep.send(concat(h, inner), port.localAddress());

        CollectingSink.Received r = sink.next();
        assertThat(r.tunnelId()).isEqualTo(42);
        assertThat(r.frame()).isEqualTo(inner);
    }

    @Test
    void countsMalformedDatagramsAndKeepsReceiving() throws Exception {
        remoteVtep.send(new byte[4], port.localAddress()); // shorter than the header
        remoteVtep.send(concat(header(0x00, 7), TestFrames.untagged(3)), port.localAddress()); // I flag clear
        remoteVtep.send(concat(header(0x08, 7), new byte[5]), port.localAddress()); // no room for an Ethernet header
        remoteVtep.send(header(0x08, 7), port.localAddress()); // header only
        byte[] inner = TestFrames.untagged(4);
        remoteVtep.send(concat(header(0x08, 7), inner), port.localAddress());

        assertThat(sink.next().frame()).isEqualTo(inner);
        assertThat(sink.isEmpty()).isTrue();
        assertThat(port.stats().rxErrors()).isEqualTo(4);
        assertThat(port.stats().rxPackets()).isEqualTo(1);
    }

    @Test
    void encapsulatesExactlyAsRfc7348Section5() throws Exception {
        byte[] frame = TestFrames.untagged(5);
        port.send(frame, 0, frame.length, 0xABCDEF, LOOPBACK);

        UdpPeer.Packet p = remoteVtep.receivePacket();
        byte[] expectedHeader = {0x08, 0, 0, 0, (byte) 0xAB, (byte) 0xCD, (byte) 0xEF, 0};
        assertThat(p.data()).isEqualTo(concat(expectedHeader, frame));
        assertThat(p.from()).isEqualTo(port.localAddress());
        assertThat(port.stats().txPackets()).isEqualTo(1);
        assertThat(port.stats().txBytes()).isEqualTo(frame.length);
    }

    @Test
    void sendsOnlyTheGivenSliceOfTheArray() throws Exception {
        byte[] frame = TestFrames.untagged(6);
        byte[] padded = new byte[frame.length + 10];
        System.arraycopy(frame, 0, padded, 7, frame.length);
        port.send(padded, 7, frame.length, 1, LOOPBACK);
        assertThat(remoteVtep.receive()).isEqualTo(concat(header(0x08, 1), frame));
    }

    @Test
    void dropsFramesWithoutADestinationOrWithAVniOver24Bits() {
        byte[] frame = TestFrames.untagged(7);
        port.send(frame, 0, frame.length, 5, 0);
        port.send(frame, 0, frame.length, 1L << 24, LOOPBACK);
        port.send(frame, 0, 10, 5, LOOPBACK);
        assertThat(port.stats().txDropped()).isEqualTo(1);
        assertThat(port.stats().txErrors()).isEqualTo(2);
        assertThat(port.stats().txPackets()).isZero();
    }

    @Test
    void adminDownDropsBothWays() throws Exception {
        port.setAdminUp(false);
        remoteVtep.send(concat(header(0x08, 9), TestFrames.untagged(8)), port.localAddress());
        Await.until(() -> port.stats().rxDropped() == 1, () -> "rx dropped: " + port.stats());
        byte[] frame = TestFrames.untagged(9);
        port.send(frame, 0, frame.length, 9, LOOPBACK);
        assertThat(port.stats().txDropped()).isEqualTo(1);
        assertThat(sink.isEmpty()).isTrue();

        port.setAdminUp(true);
        port.send(frame, 0, frame.length, 9, LOOPBACK);
        assertThat(remoteVtep.receive()).isEqualTo(concat(header(0x08, 9), frame));
    }

    @Test
    void refusesARemotePortOutsideTheUdpRange() {
        assertThatThrownBy(() -> VxlanPort.open(2, "v", Mac.parse("02:00:00:00:02:03"), new InetSocketAddress(0), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
