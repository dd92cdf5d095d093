package io.portmesh.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.sim.FrameStream;
import io.portmesh.sim.PseudoWire;
import io.portmesh.sim.SimulatedVm;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A link fault on real wires, back to back over loopback UDP (host 0's wire sends to host 1's and back, no agent): it
 * impairs the wires of its host only, heals and restores them, and its record holds the streams through its host
 * against what it dropped.
 */
class LinkFaultsTest {
    private static final int VLAN = 10;

    private PseudoWire wire0;
    private PseudoWire wire1;
    private SimulatedVm vm0;
    private SimulatedVm vm1;
    /**
     * On host 1, on a wire to no trunk: it sends nothing anywhere, and frames for it reach VM 1's wire (or VM 0's),
     * where they are not counted for it.
     */
    private SimulatedVm absent;

    private PseudoWire absentWire;

    @BeforeEach
    void wire() throws Exception {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        wire0 = PseudoWire.open(loopback, List.of());
        wire1 = PseudoWire.open(loopback, List.of(wire0.localAddress()));
        wire0.setTrunks(List.of(wire1.localAddress()));
        absentWire = PseudoWire.open(loopback, List.of());
        vm0 = new SimulatedVm(Mac.parse("52:54:00:00:10:00"), Ipv4.parse("10.1.0.1"), VLAN, wire0);
        vm1 = new SimulatedVm(Mac.parse("52:54:00:00:10:01"), Ipv4.parse("10.1.0.2"), VLAN, wire1);
        absent = new SimulatedVm(Mac.parse("52:54:00:00:10:02"), Ipv4.parse("10.1.0.3"), VLAN, absentWire);
    }

    @AfterEach
    void close() {
        vm0.close();
        vm1.close();
        absent.close();
        wire0.close();
        wire1.close();
        absentWire.close();
    }

    private static InjectedFault lossyLink(int host) {
        return new InjectedFault(new FaultSchedule.Planned(
                1,
                Duration.ofSeconds(1),
                Scenario.Kind.LINK,
                host,
                null,
                Duration.ofSeconds(10),
                Duration.ofSeconds(10),
                Scenario.ACTIVE,
                new LinkSpec(0.2, Duration.ZERO)));
    }

    @Test
    void whatTheStreamsThroughTheHostLostIsWhatTheLinkDroppedOrAViolation() throws Exception {
        HostLinks links = new HostLinks(List.of(vm0, vm1, absent), List.of(0, 1, 1));
        LinkFaults faults = new LinkFaults(Scenario.parse("seed = 8"), links, (fmt, args) -> {}, n -> n / 1_000_000);
        InjectedFault f = lossyLink(0);
        long zero = System.nanoTime();
        try (FrameStream there = FrameStream.from(vm0).to(vm1).open();
                FrameStream back = FrameStream.from(vm1).to(vm0).open();
                FrameStream elsewhere = FrameStream.from(absent).to(vm1).open()) {
            faults.impair(f);
            assertThat(wire0.impairment()).isSameAs(f.link.impairment);
            assertThat(wire1.impairment()).as("another host's wire").isNull();
            assertThat(faults.busy(f)).as("one link fault per host at a time").isPresent();
            for (long seq = 1; seq <= 200; seq++) {
                there.send(seq);
                back.send(seq);
                elsewhere.send(seq);
            }
            // "there" passes VM 0's wire on its way out, "back" on its way in: 400 frames
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (f.link.impairment.passed() < 400 && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            there.awaitReceived(Duration.ofSeconds(1));
            back.awaitReceived(Duration.ofSeconds(1));
            f.link.healNow.countDown();
            faults.holdAndHeal(f);
            assertThat(wire0.impairment()).as("restored").isNull();
            assertThat(f.restartFailure).isNull();

            List<Invariants.LinkLoss> losses = LinkFaults.losses(List.of(f), List.of(there, back, elsewhere), zero);
            assertThat(losses).singleElement().satisfies(l -> {
                assertThat(l.dropped()).isEqualTo(f.link.impairment.dropped()).isPositive();
                assertThat(l.lost())
                        .as("the streams through host 0, not host 1's own")
                        .isEqualTo(there.stats().lost() + back.stats().lost())
                        .isEqualTo(l.dropped());
            });
            assertThat(Invariants.linkLoss(losses)).isEmpty();
            assertThat(elsewhere.stats().lost())
                    .as("lost, but not through host 0")
                    .isEqualTo(200);

            // the same window with a stream through host 0 that lost frames the link did not drop
            try (FrameStream lost = FrameStream.from(vm0).to(absent).open()) {
                InjectedFault g = lossyLink(0);
                faults.impair(g);
                for (long seq = 1; seq <= 50; seq++) {
                    lost.send(seq);
                }
                g.link.healNow.countDown();
                faults.holdAndHeal(g);
                assertThat(Invariants.linkLoss(LinkFaults.losses(List.of(g), List.of(lost), zero)))
                        .singleElement()
                        .satisfies(v -> assertThat(v.what())
                                .startsWith((50 - g.link.impairment.dropped()) + " frames lost beyond what the link"
                                        + " dropped: the streams through host 1 lost 50"));
            }
        }
    }
}
