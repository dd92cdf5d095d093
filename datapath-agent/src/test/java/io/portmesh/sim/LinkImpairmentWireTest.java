package io.portmesh.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A slow and lossy link on a real wire: two VMs on a {@link TestRelay} over loopback UDP, VM A's wire impaired, the
 * frames counted by sequence number at the receivers both ways (A's sends and what A receives both pass it).
 */
class LinkImpairmentWireTest {
    private static final Duration SETTLE = Duration.ofSeconds(5);

    private RelayedVms vms;

    @BeforeEach
    void connect() throws Exception {
        vms = new RelayedVms();
    }

    @AfterEach
    void close() throws Exception {
        vms.close();
    }

    @Test
    void whatTheStreamsLoseIsWhatTheLinkDroppedAndNothingAfterItsHeal() throws Exception {
        SimulatedVm a = vms.a;
        SimulatedVm b = vms.b;
        LinkImpairment link = new LinkImpairment(0.1, Duration.ofMillis(20), 11);
        try (FrameStream ab = FrameStream.from(a).to(b).open();
                FrameStream ba = FrameStream.from(b).to(a).open()) {
            a.wire().setImpairment(link);
            long impairedFrom = System.nanoTime();
            for (long seq = 1; seq <= 1_000; seq++) {
                ab.send(seq);
                ba.send(seq);
                if (seq % 50 == 0) {
                    Thread.sleep(5); // a paced stream's gaps, so no socket buffer overflows on a loaded machine
                }
            }
            // every frame of either stream passes A's wire once: A's on its way out, B's on its way in
            Await.until(() -> link.passed() == 2_000, link::toString);
            link.heal();
            long healedAt = System.nanoTime();
            assertThat(link.awaitDrained(SETTLE)).isTrue();
            a.wire().setImpairment(null);
            link.close();
            for (long seq = 1_001; seq <= 1_200; seq++) {
                ab.send(seq);
                ba.send(seq);
            }
            StreamStats sab = ab.awaitReceived(Duration.ofSeconds(2));
            StreamStats sba = ba.awaitReceived(Duration.ofSeconds(2));

            assertThat(link.dropped()).isBetween(100L, 300L); // 10 % of 2,000: mean 200, deviation 13
            assertThat(link.delayed()).isEqualTo(2_000 - link.dropped());
            assertThat(link.overflowed()).isZero();
            assertThat(sab.lost() + sba.lost()).as("%s / %s", sab, sba).isEqualTo(link.dropped());
            assertThat(sab.lost()).as("A's sends lost some").isPositive();
            assertThat(sba.lost()).as("what A receives lost some").isPositive();
            assertThat(sab.outOfOrder() + sba.outOfOrder())
                    .as("a delay keeps the order")
                    .isZero();
            assertThat(sab.duplicates() + sba.duplicates()).isZero();
            assertThat(ab.lostSentBetween(impairedFrom, healedAt) + ba.lostSentBetween(impairedFrom, healedAt))
                    .as("lost while impaired")
                    .isEqualTo(link.dropped());
            assertThat(ab.lostSentBetween(healedAt, System.nanoTime()))
                    .as("lost after the heal")
                    .isZero();
            assertThat(ba.lostSentBetween(healedAt, System.nanoTime())).isZero();
        }
    }

    @Test
    void aVmMovingOffADelayingWireStillGetsWhatItDelayedBeforeItLeaves() throws Exception {
        SimulatedVm a = vms.a;
        SimulatedVm b = vms.b;
        LinkImpairment link = new LinkImpairment(0, Duration.ofMillis(200), 1);
        try (PseudoWire other = PseudoWire.open(vms.relay.address());
                FrameStream ba = FrameStream.from(b).to(a).open()) {
            vms.relay.addLeg(TestRelay.Side.A, 103, other.localAddress());
            a.wire().setImpairment(link);
            for (long seq = 1; seq <= 20; seq++) {
                ba.send(seq);
            }
            Await.until(() -> link.delayed() == 20, link::toString);
            a.moveTo(other, 103); // its departure marker queues behind the 20 frames in the delay line
            assertThat(a.lastMove().orElseThrow().departureInOrder()).isTrue();
            for (long seq = 21; seq <= 40; seq++) {
                ba.send(seq);
            }
            StreamStats s = ba.awaitReceived(SETTLE);
            assertThat(s.lost()).as("%s", s).isZero();
            assertThat(s.outOfOrder()).isZero();
            link.heal();
            assertThat(link.awaitDrained(SETTLE)).isTrue();
            link.close();
        }
    }
}
