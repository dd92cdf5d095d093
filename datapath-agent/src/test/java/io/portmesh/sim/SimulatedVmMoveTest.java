package io.portmesh.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A simulated VM moving between wires (hosts' trunks) and VLANs, as in a live migration. */
class SimulatedVmMoveTest {
    private static final Mac MAC = Mac.parse("52:54:00:00:00:0a");
    private static final Ipv4 IP = Ipv4.parse("10.0.0.10");

    /** A trunk seen from the switch side: a UDP socket that receives the VM's frames and sends it some. */
    private static final class Trunk implements AutoCloseable {
        final DatagramChannel channel;

        Trunk() throws IOException {
            channel = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            channel.configureBlocking(false);
        }

        InetSocketAddress address() throws IOException {
            return (InetSocketAddress) channel.getLocalAddress();
        }

        /** The next frame from the VM side, waiting up to 5 s. */
        byte[] next() throws Exception {
            ByteBuffer b = ByteBuffer.allocate(2048);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (channel.receive(b) == null) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no frame on trunk " + address() + " within 5 s");
                }
                Thread.sleep(1);
            }
            return Arrays.copyOf(b.array(), b.position());
        }

        boolean nothingMore() throws IOException {
            return channel.receive(ByteBuffer.allocate(2048)) == null;
        }

        void send(byte[] frame, PseudoWire to) throws IOException {
            channel.send(ByteBuffer.wrap(frame), to.localAddress());
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    private static byte[] frameTo(Mac dst, int vlan, int marker) {
        byte[] f = EtherFrames.tagged(dst, Mac.parse("52:54:00:00:00:99"), vlan, 0x0800, 64)
                .array();
        f[40] = (byte) marker;
        return f;
    }

    @Test
    void sendsAndReceivesOnlyWhereItIsNow() throws Exception {
        try (Trunk hostA = new Trunk();
                Trunk hostB = new Trunk();
                SimulatedVm vm = new SimulatedVm(MAC, IP, 10, hostA.address());
                PseudoWire wireB = PseudoWire.open(hostB.address())) {
            PseudoWire wireA = vm.wire();
            vm.sendGratuitousArp();
            assertThat(EtherFrames.vlan(hostA.next(), 64)).isEqualTo(10);
            vm.sendPing(Mac.parse("52:54:00:00:00:0b"), 64);
            hostA.next();

            vm.moveTo(wireB, 20, true);

            assertThat(vm.wire()).isSameAs(wireB);
            assertThat(vm.vlan()).isEqualTo(20);
            byte[] rarp = hostB.next();
            assertThat(EtherFrames.vlan(rarp, rarp.length)).isEqualTo(20);
            assertThat(EtherFrames.innerEtherType(rarp)).isEqualTo(EtherFrames.ETHERTYPE_RARP);
            assertThat(EtherFrames.src(rarp)).isEqualTo(MAC);
            long seq = vm.sendPing(Mac.parse("52:54:00:00:00:0b"), 64);
            byte[] ping = hostB.next();
            assertThat(EtherFrames.vlan(ping, ping.length)).isEqualTo(20);
            assertThat(PingFrames.seq(ping)).isEqualTo(seq).isEqualTo(2);
            assertThat(vm.pingStats().sent()).isEqualTo(2);

            // the port group it left: the old VLAN is unclaimed there now; the new one delivers
            hostA.send(frameTo(MAC, 10, 1), wireA);
            hostB.send(frameTo(MAC, 10, 2), wireB); // its old VLAN on its new wire: not its port group
            hostB.send(frameTo(MAC, 20, 3), wireB);
            Await.until(() -> vm.receivedCount() == 1, () -> "received " + vm.receivedCount());
            Await.until(() -> wireA.unclaimedFrames() == 1, () -> "unclaimed on A " + wireA.unclaimedFrames());
            Await.until(() -> wireB.unclaimedFrames() == 1, () -> "unclaimed on B " + wireB.unclaimedFrames());
            assertThat(vm.receivedFrames())
                    .singleElement()
                    .satisfies(f -> assertThat(f[40]).isEqualTo((byte) 3));
            assertThat(hostA.nothingMore()).isTrue();
        }
    }

    @Test
    void keepsItsArpCacheCountersAndAnswersFromItsNewPlace() throws Exception {
        try (TestRelay relay = new TestRelay(101, 202);
                SimulatedVm peer = new SimulatedVm(MAC, IP, 101, relay.address());
                SimulatedVm vm =
                        new SimulatedVm(Mac.parse("52:54:00:00:00:0b"), Ipv4.parse("10.0.0.11"), 202, relay.address());
                PseudoWire hostB = PseudoWire.open(relay.address())) {
            relay.connect(peer.wire().localAddress(), vm.wire().localAddress());
            relay.addLeg(TestRelay.Side.B, 203, hostB.localAddress());
            assertThat(vm.resolve(IP).get(5, TimeUnit.SECONDS)).isEqualTo(MAC);
            for (int i = 0; i < 3; i++) {
                vm.sendPing(MAC, 64);
                peer.sendPing(vm.mac(), 64);
            }
            Await.until(() -> vm.pingStats().received() == 3 && peer.pingStats().received() == 3, () -> "pings");
            // and the copies of the peer's 7 frames (ARP reply, 3 requests, 3 replies) at the port group to come
            Await.until(() -> hostB.unclaimedFrames() == 7, () -> "unclaimed " + hostB.unclaimedFrames());
            long framesBefore = vm.receivedCount();

            vm.moveTo(hostB, 203);

            assertThat(vm.arpCache(IP)).contains(MAC);
            assertThat(vm.resolve(IP).isDone()).isTrue();
            assertThat(vm.sendPing(MAC, 64)).isEqualTo(4);
            peer.sendPing(vm.mac(), 64);
            Await.until(() -> vm.pingStats().received() == 4 && peer.pingStats().received() == 4, () -> "pings");
            assertThat(vm.pingStats()).isEqualTo(new PingStats(4, 4, 0, 0, 0, 0, 4));
            assertThat(peer.pingStats()).isEqualTo(new PingStats(4, 4, 0, 0, 0, 0, 4));
            assertThat(vm.receivedCount()).isEqualTo(framesBefore + 2);
            // ARP for it is answered from its new place too
            peer.sendArpRequest(vm.ip());
            Await.until(() -> peer.arpCache(vm.ip()).isPresent(), () -> "no ARP reply");
        }
    }

    @Test
    void aTakenVlanRefusesTheMoveAndClosingKeepsWiresItWasGiven() throws Exception {
        try (Trunk host = new Trunk();
                PseudoWire shared = PseudoWire.open(host.address());
                SimulatedVm other =
                        new SimulatedVm(Mac.parse("52:54:00:00:00:0c"), Ipv4.parse("10.0.0.12"), 30, shared)) {
            SimulatedVm vm = new SimulatedVm(MAC, IP, 10, host.address());
            PseudoWire own = vm.wire();

            assertThatThrownBy(() -> vm.moveTo(shared, 30)).isInstanceOf(IllegalStateException.class);
            assertThat(vm.wire()).isSameAs(own);
            assertThat(vm.vlan()).isEqualTo(10);

            vm.moveTo(shared, 31);
            vm.close();
            // its own wire is closed although it had left it; the wire it was given is still up
            own.send(new byte[64], 0, 64);
            assertThat(own.sendFailures()).isEqualTo(1);
            other.sendGratuitousArp();
            assertThat(EtherFrames.src(host.next())).isEqualTo(other.mac());
            // VLAN 31 is free again
            new SimulatedVm(Mac.parse("52:54:00:00:00:0d"), Ipv4.parse("10.0.0.13"), 31, shared).close();
            assertThatThrownBy(() -> vm.moveTo(shared, 32)).isInstanceOf(IllegalStateException.class);
        }
    }

    /**
     * Dual delivery as in docs/architecture.md 7.1 step 3: the relay sends every frame for the moving VM to its old
     * port group and (after it) to its new one. The VM moves while streams run both ways: no frame is lost either
     * way; what the old port group gets after the move and what the new one got before it are unclaimed, and every
     * copy is accounted for.
     */
    @Test
    void aMoveInTheMiddleOfAStreamLosesNothingWhenBothPortGroupsDeliver() throws Exception {
        try (TestRelay relay = new TestRelay(101, 202);
                SimulatedVm x = new SimulatedVm(MAC, IP, 101, relay.address());
                SimulatedVm y =
                        new SimulatedVm(Mac.parse("52:54:00:00:00:0b"), Ipv4.parse("10.0.0.11"), 202, relay.address());
                PseudoWire hostB = PseudoWire.open(relay.address())) {
            PseudoWire hostA = y.wire();
            relay.connect(x.wire().localAddress(), hostA.localAddress());
            relay.addLeg(TestRelay.Side.B, 203, hostB.localAddress());
            long moveAt;
            try (FrameStream toY =
                            FrameStream.from(x).to(y).rate(1_000).count(1_500).start();
                    FrameStream fromY =
                            FrameStream.from(y).to(x).rate(1_000).count(1_500).start()) {
                Await.until(() -> toY.stats().received() >= 500, () -> "before the move: " + toY.stats());
                moveAt = System.nanoTime();
                y.moveTo(hostB, 203, true);
                long movedMillis = (System.nanoTime() - moveAt) / 1_000_000;
                // the RARP went out from the new port group (the relay takes VLAN 203 from there only) and reached X
                Await.until(
                        () -> x.hasReceived(f -> EtherFrames.innerEtherType(f) == EtherFrames.ETHERTYPE_RARP
                                && EtherFrames.src(f).equals(y.mac())),
                        () -> "no RARP at X");

                StreamStats in = toY.awaitReceived(Duration.ofSeconds(20));
                StreamStats out = fromY.awaitReceived(Duration.ofSeconds(20));
                assertThat(in)
                        .as("to the moving VM (move took %d ms)", movedMillis)
                        .satisfies(s -> {
                            assertThat(s.sent()).isEqualTo(1_500);
                            assertThat(s.received()).isEqualTo(1_500);
                            assertThat(s.lost()).isZero();
                            assertThat(s.outOfOrder()).isZero();
                            // A frame whose two copies straddle the instant between the move's two markers comes in
                            // through both port groups: counted. Microseconds wide, unless the moving thread is
                            // descheduled right there (then about one frame per millisecond of it).
                            assertThat(s.duplicates()).isLessThanOrEqualTo(50);
                        });
                assertThat(out).as("from the moving VM").isEqualTo(new StreamStats(1_500, 1_500, 0, 0, 0, 0));
                assertThat(toY.firstArrivalAfter(moveAt)).isPresent();
                // every frame for Y went to both port groups: each copy was delivered once or counted unclaimed
                long unclaimed = 2 * in.sent() - in.received() - in.duplicates();
                Await.until(
                        () -> hostA.unclaimedFrames() + hostB.unclaimedFrames() == unclaimed,
                        () -> "unclaimed A " + hostA.unclaimedFrames() + " B " + hostB.unclaimedFrames() + ", "
                                + unclaimed + " expected");
                assertThat(hostA.unclaimedFrames())
                        .as("old port group after the move")
                        .isPositive();
                assertThat(hostB.unclaimedFrames())
                        .as("new port group before the move")
                        .isPositive();
            }
        }
    }

    @Test
    void aReceiverMovingBackAndForthKeepsCounting() throws Exception {
        try (TestRelay relay = new TestRelay(101, 202);
                SimulatedVm x = new SimulatedVm(MAC, IP, 101, relay.address());
                SimulatedVm y =
                        new SimulatedVm(Mac.parse("52:54:00:00:00:0b"), Ipv4.parse("10.0.0.11"), 202, relay.address());
                PseudoWire hostB = PseudoWire.open(relay.address())) {
            PseudoWire hostA = y.wire();
            relay.connect(x.wire().localAddress(), hostA.localAddress());
            relay.addLeg(TestRelay.Side.B, 203, hostB.localAddress());
            try (FrameStream s = FrameStream.from(x).to(y).open()) {
                long seq = 0;
                for (int round = 0; round < 6; round++) {
                    for (int i = 0; i < 10; i++) {
                        s.send(++seq);
                    }
                    long sent = seq;
                    // both copies of every frame handled: one delivered, one unclaimed
                    Await.until(
                            () -> s.stats().received() == sent
                                    && hostA.unclaimedFrames() + hostB.unclaimedFrames() == sent,
                            () -> "round: " + s.stats() + ", unclaimed A " + hostA.unclaimedFrames() + " B "
                                    + hostB.unclaimedFrames());
                    if (round % 2 == 0) {
                        y.moveTo(hostB, 203);
                    } else {
                        y.moveTo(hostA, 202);
                    }
                }
                assertThat(s.stats()).isEqualTo(new StreamStats(60, 60, 0, 0, 0, 0));
                // three rounds on each side: the other side's copies went unclaimed
                assertThat(hostA.unclaimedFrames()).isEqualTo(30);
                assertThat(hostB.unclaimedFrames()).isEqualTo(30);
            }
        }
    }
}
