package io.portmesh.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SimulatedVmTest {
    private static final int VLAN_A = 101;
    private static final int VLAN_B = 202;
    private static final Mac MAC_A = Mac.parse("52:54:00:00:00:0a");
    private static final Mac MAC_B = Mac.parse("52:54:00:00:00:0b");
    private static final Ipv4 IP_A = Ipv4.parse("10.0.0.10");
    private static final Ipv4 IP_B = Ipv4.parse("10.0.0.11");

    private TestRelay relay;
    private SimulatedVm a;
    private SimulatedVm b;

    @BeforeEach
    void connect() throws Exception {
        relay = new TestRelay(VLAN_A, VLAN_B);
        a = new SimulatedVm(MAC_A, IP_A, VLAN_A, relay.address());
        b = new SimulatedVm(MAC_B, IP_B, VLAN_B, relay.address());
        relay.connect(a.wire().localAddress(), b.wire().localAddress());
    }

    @AfterEach
    void close() throws Exception {
        a.close();
        b.close();
        relay.close();
    }

    private static Predicate<byte[]> pingReply(long seq) {
        return f -> PingFrames.type(f, f.length) == PingFrames.REPLY && PingFrames.seq(f) == seq;
    }

    private static Predicate<byte[]> pingRequest(long seq) {
        return f -> PingFrames.type(f, f.length) == PingFrames.REQUEST && PingFrames.seq(f) == seq;
    }

    @Test
    void resolvesTheOtherVmByArpAndIsLearnedByIt() throws Exception {
        Mac resolved = a.resolve(IP_B).orTimeout(5, TimeUnit.SECONDS).get();

        assertThat(resolved).isEqualTo(MAC_B);
        assertThat(a.arpCache(IP_B)).contains(MAC_B);
        assertThat(b.arpCache(IP_A)).contains(MAC_A);
        assertThat(a.resolve(IP_B).isDone()).isTrue();
        byte[] reply = a.receivedFrames().get(0);
        assertThat(EtherFrames.vlan(reply, reply.length)).isEqualTo(VLAN_A);
        assertThat(EtherFrames.innerEtherType(reply)).isEqualTo(EtherFrames.ETHERTYPE_ARP);
        assertThat(EtherFrames.u16(reply, 18 + 6)).isEqualTo(EtherFrames.ARP_REPLY);
        assertThat(EtherFrames.dst(reply)).isEqualTo(MAC_A);
    }

    @Test
    void pingsAreAnsweredAndTimed() {
        RttHistogram rtt = new RttHistogram();
        a.setRttHook(rtt);
        for (int i = 0; i < 20; i++) {
            a.sendPing(MAC_B, 64 + i * 70);
        }
        Await.until(() -> a.pingStats().received() == 20, () -> "A: " + a.pingStats());

        assertThat(a.pingStats()).isEqualTo(new PingStats(20, 20, 0, 0, 0, 0, 0));
        assertThat(b.pingStats().answered()).isEqualTo(20);
        assertThat(rtt.cumulative().getTotalCount()).isEqualTo(20);
        List<byte[]> atA = a.receivedFrames();
        assertThat(atA).hasSize(20);
        assertThat(atA.get(19)).hasSize(64 + 19 * 70);
        assertThat(atA.get(0)).hasSize(64);
    }

    @Test
    void countsLossDuplicatesAndReordering() {
        relay.setPolicy(f -> {
            if (pingReply(3).test(f)) {
                return TestRelay.Action.DROP;
            }
            if (pingRequest(4).test(f)) {
                return TestRelay.Action.DROP;
            }
            if (pingReply(5).test(f)) {
                return TestRelay.Action.DUPLICATE;
            }
            if (pingReply(7).test(f)) {
                return TestRelay.Action.HOLD;
            }
            return TestRelay.Action.FORWARD;
        });
        for (int i = 0; i < 10; i++) {
            a.sendPing(MAC_B, 100);
        }
        Await.until(() -> a.hasReceived(pingReply(10)) && a.hasReceived(pingReply(7)), () -> "A: " + a.pingStats());

        assertThat(a.pingStats()).isEqualTo(new PingStats(10, 8, 2, 1, 1, 0, 0));
        assertThat(b.pingStats().answered()).isEqualTo(9);
        // The VM did not receive what the relay dropped.
        assertThat(b.hasReceived(pingRequest(4))).isFalse();
        assertThat(a.hasReceived(pingReply(3))).isFalse();
        assertThat(b.hasReceived(pingRequest(3))).isTrue();
    }

    @Test
    void ignoresPingsForOtherMacsButRecordsThem() {
        Mac stranger = Mac.parse("52:54:00:00:00:99");
        a.sendPing(stranger, 64);
        a.sendPing(MAC_B, 64);
        Await.until(() -> a.pingStats().received() == 1, () -> "A: " + a.pingStats());

        assertThat(b.pingStats().answered()).isEqualTo(1);
        assertThat(b.hasReceived(f -> EtherFrames.dst(f).equals(stranger))).isTrue();
        assertThat(a.pingStats().lost()).isEqualTo(1);
        assertThat(b.receivedCount()).isEqualTo(2);
    }

    @Test
    void sendsGratuitousArpAndRarpInTheUsualFormat() {
        a.sendGratuitousArp();
        a.sendRarp();
        Await.until(() -> b.receivedCount() == 2, () -> "B got " + b.receivedCount());

        byte[] garp = b.receivedFrames().get(0);
        assertThat(EtherFrames.dst(garp).isBroadcast()).isTrue();
        assertThat(EtherFrames.src(garp)).isEqualTo(MAC_A);
        assertThat(EtherFrames.innerEtherType(garp)).isEqualTo(EtherFrames.ETHERTYPE_ARP);
        assertThat(EtherFrames.u16(garp, 18 + 6)).isEqualTo(EtherFrames.ARP_REQUEST);
        assertThat(Mac.of(garp, 18 + 8)).isEqualTo(MAC_A);
        assertThat(EtherFrames.i32(garp, 18 + 14)).isEqualTo(IP_A.value());
        assertThat(EtherFrames.i32(garp, 18 + 24)).isEqualTo(IP_A.value());
        assertThat(garp).hasSize(64);

        byte[] rarp = b.receivedFrames().get(1);
        assertThat(EtherFrames.dst(rarp).isBroadcast()).isTrue();
        assertThat(EtherFrames.innerEtherType(rarp)).isEqualTo(EtherFrames.ETHERTYPE_RARP);
        assertThat(EtherFrames.u16(rarp, 18 + 6)).isEqualTo(EtherFrames.RARP_REQUEST);
        assertThat(Mac.of(rarp, 18 + 8)).isEqualTo(MAC_A);
        assertThat(Mac.of(rarp, 18 + 18)).isEqualTo(MAC_A);
        assertThat(EtherFrames.i32(rarp, 18 + 14)).isZero();
        // Not for B's address: B learned nothing and answered nothing.
        assertThat(b.arpCache(IP_A)).isEmpty();
        assertThat(a.receivedCount()).isZero();
    }

    @Test
    void vmsOnOneSharedWireAreToldApartByVlan() throws Exception {
        try (TestRelay shared = new TestRelay(301, 302);
                PseudoWire wire = PseudoWire.open(shared.address());
                SimulatedVm c = new SimulatedVm(Mac.parse("52:54:00:00:00:0c"), Ipv4.parse("10.0.1.1"), 301, wire);
                SimulatedVm d = new SimulatedVm(Mac.parse("52:54:00:00:00:0d"), Ipv4.parse("10.0.1.2"), 302, wire)) {
            shared.connect(wire.localAddress(), wire.localAddress());
            assertThat(c.resolve(d.ip()).orTimeout(5, TimeUnit.SECONDS).get()).isEqualTo(d.mac());
            c.sendPing(d.mac(), 64);
            Await.until(() -> c.pingStats().received() == 1, () -> "C: " + c.pingStats());
            assertThat(d.pingStats().answered()).isEqualTo(1);
            assertThatThrownBy(() -> new SimulatedVm(Mac.parse("52:54:00:00:00:0e"), Ipv4.parse("10.0.1.3"), 301, wire))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void framesForVlansWithoutAVmAreCountedByTheWire() {
        // Rewire B straight to A's wire and send on a VLAN nobody has there.
        byte[] toWire = EtherFrames.tag(new byte[60], 55);
        b.wire().setTrunks(List.of(a.wire().localAddress()));
        b.sendTagged(toWire);
        Await.until(
                () -> a.wire().unclaimedFrames() == 1,
                () -> "unclaimed " + a.wire().unclaimedFrames());
        assertThat(a.receivedCount()).isZero();
    }
}
