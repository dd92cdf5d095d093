package io.portmesh.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A slow or lossy link on its own: which frames it drops, how it delays, heals and overflows. */
class LinkImpairmentTest {
    /** What a sink got: each frame's index (its first 4 bytes), when, and on which thread. */
    private static final class Got {
        final List<Integer> indexes = Collections.synchronizedList(new ArrayList<>());
        final List<Long> atNanos = Collections.synchronizedList(new ArrayList<>());
        final List<Thread> threads = Collections.synchronizedList(new ArrayList<>());

        void accept(byte[] frame, int off, int len) {
            indexes.add(ByteBuffer.wrap(frame, off, len).getInt());
            atNanos.add(System.nanoTime());
            threads.add(Thread.currentThread());
        }
    }

    private static byte[] frame(int index) {
        return ByteBuffer.allocate(64).putInt(index).array();
    }

    /** The indexes of {@code n} frames that {@code link} dropped, passed one after the other. */
    private static BitSet dropped(LinkImpairment link, int n) {
        Got got = new Got();
        for (int i = 0; i < n; i++) {
            link.pass(frame(i), 0, 64, got::accept);
        }
        BitSet out = new BitSet();
        out.set(0, n);
        got.indexes.forEach(out::clear);
        return out;
    }

    @Test
    void aLossOfOneTenthDropsAboutATenthAndTheSameSeedDropsTheSameFrames() {
        try (LinkImpairment a = new LinkImpairment(0.1, Duration.ZERO, 42);
                LinkImpairment b = new LinkImpairment(0.1, Duration.ZERO, 42);
                LinkImpairment c = new LinkImpairment(0.1, Duration.ZERO, 43)) {
            BitSet droppedA = dropped(a, 10_000);
            // binomial(10,000, 0.1): mean 1,000, standard deviation 30; 850..1,150 is five deviations either way
            assertThat(a.dropped()).isEqualTo(droppedA.cardinality()).isBetween(850L, 1_150L);
            assertThat(a.passed()).isEqualTo(10_000);
            assertThat(a.delayed()).isZero();
            assertThat(dropped(b, 10_000)).as("same seed, same frames").isEqualTo(droppedA);
            assertThat(dropped(c, 10_000)).as("another seed, other frames").isNotEqualTo(droppedA);
        }
    }

    @Test
    void aDelayKeepsTheOrderAndDelaysEveryFrameAtLeastTheDelay() {
        Duration delay = Duration.ofMillis(30);
        Got got = new Got();
        long[] passedAt = new long[200];
        try (LinkImpairment link = new LinkImpairment(0, delay, 1)) {
            for (int i = 0; i < passedAt.length; i++) {
                passedAt[i] = System.nanoTime();
                link.pass(frame(i), 0, 64, got::accept);
            }
            Await.until(() -> got.indexes.size() == passedAt.length, () -> got.indexes.size() + " handed on");
            assertThat(link.delayed()).isEqualTo(passedAt.length);
            assertThat(link.dropped()).isZero();
        }
        List<Integer> inOrder = new ArrayList<>();
        for (int i = 0; i < passedAt.length; i++) {
            inOrder.add(i);
            assertThat(got.atNanos.get(i) - passedAt[got.indexes.get(i)])
                    .as("frame %d's delay", got.indexes.get(i))
                    .isGreaterThanOrEqualTo(delay.toNanos());
        }
        assertThat(got.indexes).isEqualTo(inOrder);
    }

    @Test
    void healedTheNextFrameGoesBehindTheDelayedOnesThenAtOnceOnTheCallersThread() throws Exception {
        Got got = new Got();
        try (LinkImpairment link = new LinkImpairment(0.5, Duration.ofMillis(300), 7)) {
            for (int i = 0; i < 40; i++) {
                link.pass(frame(i), 0, 64, got::accept);
            }
            long delayedBefore = link.delayed();
            long droppedBefore = link.dropped();
            assertThat(droppedBefore + delayedBefore).isEqualTo(40);
            assertThat(droppedBefore).isPositive();
            link.heal();
            link.pass(frame(100), 0, 64, got::accept); // the line still holds frames: behind them
            boolean[] markerRan = new boolean[1];
            link.after(() -> markerRan[0] = got.indexes.contains(100));
            assertThat(link.awaitDrained(Duration.ofSeconds(5))).isTrue();
            assertThat(got.indexes).hasSize((int) delayedBefore + 1).last().isEqualTo(100);
            assertThat(got.indexes.subList(0, (int) delayedBefore)).isSorted();
            assertThat(markerRan[0])
                    .as("an action after the line ran after frame 100")
                    .isTrue();

            link.pass(frame(101), 0, 64, got::accept); // the line is empty: at once, here
            assertThat(got.indexes).last().isEqualTo(101);
            assertThat(got.threads).last().isEqualTo(Thread.currentThread());
            for (int i = 0; i < 100; i++) {
                link.pass(frame(200 + i), 0, 64, got::accept);
            }
            assertThat(link.dropped()).as("healed: no more loss").isEqualTo(droppedBefore);
            assertThat(link.delayed()).as("healed: no more delay").isEqualTo(delayedBefore);
            assertThat(got.indexes).hasSize((int) delayedBefore + 2 + 100);
        }
    }

    @Test
    void framesOverTheLinesBoundAreDroppedAndCountedApart() {
        Got got = new Got();
        try (LinkImpairment link = new LinkImpairment(0, Duration.ofSeconds(30), 1, 10)) {
            for (int i = 0; i < 15; i++) {
                link.pass(frame(i), 0, 64, got::accept);
            }
            assertThat(link.delayed()).isEqualTo(10);
            assertThat(link.overflowed()).isEqualTo(5);
            assertThat(link.dropped()).as("loss 0: nothing dropped by loss").isZero();
            assertThat(link.inLine()).isEqualTo(10);
            assertThat(got.indexes).isEmpty();
        }
    }

    @Test
    void noLossAndNoDelayAfterTheHealOfALossOnlyLink() {
        Got got = new Got();
        try (LinkImpairment link = new LinkImpairment(1.0, Duration.ZERO, 3)) {
            link.pass(frame(1), 0, 64, got::accept);
            assertThat(got.indexes).isEmpty();
            link.heal();
            link.pass(frame(2), 0, 64, got::accept);
            assertThat(got.indexes).containsExactly(2);
            assertThat(link.dropped()).isEqualTo(1);
        }
    }
}
