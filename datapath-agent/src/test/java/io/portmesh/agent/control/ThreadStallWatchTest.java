package io.portmesh.agent.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A watched thread that stops running tasks is reported as stalled, and no longer once it runs again. */
class ThreadStallWatchTest {
    @Test
    void aBlockedThreadIsReportedAndTheReportEndsWhenItRunsAgain() throws Exception {
        ExecutorService watched = Executors.newSingleThreadExecutor();
        ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor();
        try (ThreadStallWatch watch = ThreadStallWatch.start("test thread", watched, checker, 10, 2_000)) {
            Thread.sleep(150); // it ticks: nothing reported (2 s: far above any scheduling delay of a loaded machine)
            assertThat(watch.stalled()).isFalse();
            CountDownLatch release = new CountDownLatch(1);
            watched.execute(() -> {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!watch.stalled() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(watch.stalled())
                    .as("reported within 10 s of a block past 2 s")
                    .isTrue();
            release.countDown();
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (watch.stalled() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(watch.stalled())
                    .as("over once the thread runs its tasks again")
                    .isFalse();
        } finally {
            watched.shutdownNow();
            checker.shutdownNow();
        }
    }

    @Test
    void silenceWhileTheCheckerItselfWasPausedIsTheProcesssNotTheThreadsStall() {
        DrivenWatch d = new DrivenWatch(); // the watched thread runs nothing: it is silent throughout
        d.checkAt(50);
        d.checkAt(1_050); // the checker ran 950 ms late: a GC pause, or no CPU for the whole JVM
        assertThat(d.watch.pausedSinceTick()).isEqualTo(950 * MS);
        assertThat(ThreadStallWatch.pauseLogged())
                .as("the pause is logged, once for the JVM")
                .isTrue();
        assertThat(d.watch.stalled())
                .as("silent 1,050 ms, 950 of them with the whole process")
                .isFalse();
        for (long t = 1_100; t <= 1_250; t += 50) { // checks on time again: the thread's own silence grows
            d.checkAt(t);
        }
        assertThat(d.watch.stalled()).as("300 ms of its own").isFalse();
        d.checkAt(1_300);
        assertThat(d.watch.stalled()).as("350 ms of its own").isTrue();
        d.ticks.get(0).run(); // it runs again: over, and the pause credit with it
        assertThat(d.watch.stalled()).isFalse();
        assertThat(d.watch.pausedSinceTick()).isZero();
    }

    @Test
    void aPauseCreditsOnlyTheSilenceAfterTheThreadsLastTickNotALaterStall() {
        DrivenWatch d = new DrivenWatch();
        d.checkAt(50); // queues a tick
        d.now.set(2_000 * MS); // a 1,950 ms pause; the thread runs its tick first when it ends
        d.ticks.remove(0).run();
        d.checkAt(2_010); // the checker, late: the pause was before the tick, none of it is the thread's silence
        assertThat(d.watch.pausedSinceTick()).isEqualTo(10 * MS);
        for (long t = 2_060; t <= 2_360; t += 50) { // now the thread stalls, the checker on time
            d.checkAt(t);
        }
        assertThat(d.watch.stalled()).as("350 ms silent, 10 of them paused").isTrue();
    }

    @Test
    void aThreadSilentWhileTheCheckerRunsOnTimeIsReportedPastTheThreshold() {
        DrivenWatch d = new DrivenWatch();
        for (long t = 50; t <= 300; t += 50) {
            d.checkAt(t);
        }
        assertThat(d.watch.stalled()).isFalse();
        d.checkAt(350);
        assertThat(d.watch.stalled()).isTrue();
    }

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /**
     * A watch with no scheduler: checked (every 50 ms, stall past 300 ms) when the test says, on a clock the test
     * sets; the watched thread runs the ticks the watch queues only when the test runs them.
     */
    private static final class DrivenWatch {
        final AtomicLong now = new AtomicLong();
        final List<Runnable> ticks = new ArrayList<>();
        final ThreadStallWatch watch =
                ThreadStallWatch.unscheduled("test thread", ticks::add, 50 * MS, 300 * MS, now::get);

        /** The checker runs at {@code millis} on the clock. */
        void checkAt(long millis) {
            now.set(millis * MS);
            watch.check();
        }
    }
}
