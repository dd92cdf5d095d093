package io.portmesh.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sequenced one-way streams between two VMs on a {@link TestRelay}, counted by sequence number at the receiver. */
class FrameStreamTest {
    private static final Duration SETTLE = Duration.ofSeconds(5);

    private RelayedVms vms;
    private TestRelay relay;
    private SimulatedVm a;
    private SimulatedVm b;

    @BeforeEach
    void connect() throws Exception {
        vms = new RelayedVms();
        relay = vms.relay;
        a = vms.a;
        b = vms.b;
    }

    @AfterEach
    void close() throws Exception {
        vms.close();
    }

    /** Frames of {@code stream} with one of {@code seqs}. */
    private static Predicate<byte[]> frames(FrameStream stream, Long... seqs) {
        Set<Long> wanted = Set.of(seqs);
        return f -> StreamFrames.is(f, f.length)
                && StreamFrames.streamId(f) == stream.id()
                && wanted.contains(StreamFrames.seq(f));
    }

    @Test
    void pacedStreamsBothWaysArriveWholeAtTheirRate() throws Exception {
        long started = System.nanoTime();
        try (FrameStream ab = FrameStream.from(a).to(b).rate(1_000).count(300).start();
                FrameStream ba = FrameStream.from(b)
                        .to(a)
                        .rate(1_000)
                        .count(300)
                        .frameSize(200)
                        .start()) {
            assertThat(ab.awaitFinished(SETTLE)).isTrue();
            assertThat(ba.awaitFinished(SETTLE)).isTrue();
            long tookMillis = (System.nanoTime() - started) / 1_000_000;

            assertThat(ab.awaitReceived(SETTLE)).isEqualTo(new StreamStats(300, 300, 0, 0, 0, 0));
            assertThat(ba.awaitReceived(SETTLE)).isEqualTo(new StreamStats(300, 300, 0, 0, 0, 0));
            // frame 300 is due 299 ms after frame 1
            assertThat(tookMillis).isGreaterThanOrEqualTo(299);
            assertThat(ab.id()).isNotEqualTo(ba.id());
            assertThat(a.receivedFrames()).last().satisfies(f -> assertThat(f).hasSize(200));
        }
        // streams are not pings: neither VM counted a ping
        assertThat(a.pingStats()).isEqualTo(new PingStats(0, 0, 0, 0, 0, 0, 0));
        assertThat(b.pingStats()).isEqualTo(new PingStats(0, 0, 0, 0, 0, 0, 0));
    }

    @Test
    void gapsCountAsLost() throws Exception {
        try (FrameStream s = FrameStream.from(a).to(b).open()) {
            relay.setPolicy(f -> frames(s, 3L, 4L, 10L).test(f) ? TestRelay.Action.DROP : TestRelay.Action.FORWARD);
            for (long seq = 1; seq <= 12; seq++) {
                s.send(seq);
            }
            Await.until(() -> b.hasReceived(frames(s, 12L)), () -> "B: " + s.stats());

            assertThat(s.stats()).isEqualTo(new StreamStats(12, 9, 3, 0, 0, 0));
        }
    }

    @Test
    void aNumberReceivedTwiceIsADuplicateNeverHidden() throws Exception {
        try (FrameStream s = FrameStream.from(a).to(b).open()) {
            s.send(1);
            s.send(2);
            s.send(2); // by hand
            s.send(3);
            relay.setPolicy(f -> frames(s, 4L).test(f) ? TestRelay.Action.DUPLICATE : TestRelay.Action.FORWARD);
            s.send(4); // by the network
            s.send(5);
            Await.until(() -> b.hasReceived(frames(s, 5L)), () -> "B: " + s.stats());

            assertThat(s.stats()).isEqualTo(new StreamStats(5, 5, 0, 2, 0, 0));
        }
    }

    @Test
    void aFrameOvertakenByALaterOneIsOutOfOrder() throws Exception {
        try (FrameStream s = FrameStream.from(a).to(b).open()) {
            relay.setPolicy(f -> frames(s, 5L).test(f) ? TestRelay.Action.HOLD : TestRelay.Action.FORWARD);
            for (long seq = 1; seq <= 8; seq++) {
                s.send(seq);
            }
            Await.until(() -> s.stats().received() == 8, () -> "B: " + s.stats());

            assertThat(s.stats()).isEqualTo(new StreamStats(8, 8, 0, 0, 1, 0));
        }
    }

    @Test
    void theFirstArrivalAfterAnInstantIsFound() throws Exception {
        try (FrameStream s = FrameStream.from(a).to(b).open()) {
            s.send(1);
            s.send(2);
            Await.until(() -> s.stats().received() == 2, () -> "B: " + s.stats());
            long instant = System.nanoTime();
            assertThat(s.firstArrivalAfter(instant)).isEmpty();
            s.send(3);
            s.send(2);
            Await.until(() -> s.stats().duplicates() == 1, () -> "B: " + s.stats());

            assertThat(s.firstArrivalAfter(instant)).hasValueSatisfying(arrival -> {
                assertThat(arrival.seq()).isEqualTo(3);
                assertThat(arrival.receivedNanos() - instant).isPositive();
            });
            assertThat(s.firstArrivalAfter(instant - 1_000_000_000L))
                    .map(FrameStream.Arrival::seq)
                    .contains(1L);
        }
    }

    @Test
    void theFirstFrameSentAfterAnInstantAndItsArrivalAreFound() throws Exception {
        try (FrameStream s = FrameStream.from(a).to(b).open()) {
            relay.setPolicy(f -> frames(s, 3L).test(f) ? TestRelay.Action.DROP : TestRelay.Action.FORWARD);
            s.send(1);
            s.send(2);
            long instant = System.nanoTime();
            assertThat(s.firstSentAfter(instant)).isEmpty();
            s.send(3); // dropped: sent, never received
            s.send(4);
            Await.until(() -> s.stats().received() == 3, () -> "B: " + s.stats());

            assertThat(s.firstSentAfter(instant)).hasValue(3);
            assertThat(s.arrivalOf(3)).as("dropped by the relay").isEmpty();
            assertThat(s.arrivalOf(4))
                    .hasValueSatisfying(arrival ->
                            assertThat(arrival.receivedNanos() - instant).isPositive());
            assertThat(s.firstSentAfter(instant - 1_000_000_000L)).hasValue(1);
        }
    }

    @Test
    void theSenderStopsAtItsCountItsTimeOrWhenStopped() throws Exception {
        try (FrameStream byCount =
                        FrameStream.from(a).to(b).rate(5_000).count(50).start();
                FrameStream byTime = FrameStream.from(b)
                        .to(a)
                        .rate(100)
                        .count(10_000)
                        .maxDuration(Duration.ofMillis(200))
                        .start();
                FrameStream stopped =
                        FrameStream.from(a).to(b).rate(1_000).count(100_000).start()) {
            assertThat(byCount.awaitFinished(SETTLE)).isTrue();
            assertThat(byCount.sent()).isEqualTo(50);
            assertThat(byTime.awaitFinished(SETTLE)).isTrue();
            // frames are due at 0, 10, ..., 190 ms
            assertThat(byTime.sent()).isEqualTo(20);
            Await.until(() -> stopped.sent() > 0, () -> "nothing sent");
            stopped.stop();
            assertThat(stopped.awaitFinished(SETTLE)).isTrue();
            long sent = stopped.sent();
            Thread.sleep(20);
            assertThat(stopped.sent()).isEqualTo(sent).isLessThan(100_000);

            assertThat(byCount.awaitReceived(SETTLE).lost()).isZero();
            assertThat(byTime.awaitReceived(SETTLE).lost()).isZero();
            assertThat(stopped.awaitReceived(SETTLE).lost()).isZero();
        }
    }
}
