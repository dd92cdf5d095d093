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
        AtomicLong now = new AtomicLong();
        List<Runnable> ticks = new ArrayList<>(); // the watched thread runs nothing: it is silent throughout
        long ms = TimeUnit.MILLISECONDS.toNanos(1);
        ThreadStallWatch watch = ThreadStallWatch.unscheduled("test thread", ticks::add, 50 * ms, 300 * ms, now::get);
        now.set(50 * ms);
        watch.check();
        now.set(1_050 * ms); // the checker ran 950 ms late: a GC pause, or no CPU for the whole JVM
        watch.check();
        assertThat(watch.pausedSinceTick()).isEqualTo(950 * ms);
        assertThat(ThreadStallWatch.pauseLogged())
                .as("the pause is logged, once for the JVM")
                .isTrue();
        assertThat(watch.stalled())
                .as("silent 1,050 ms, 950 of them with the whole process")
                .isFalse();
        for (long t = 1_100; t <= 1_250; t += 50) { // checks on time again: the thread's own silence grows
            now.set(t * ms);
            watch.check();
        }
        assertThat(watch.stalled()).as("300 ms of its own").isFalse();
        now.set(1_300 * ms);
        watch.check();
        assertThat(watch.stalled()).as("350 ms of its own").isTrue();
        ticks.get(0).run(); // it runs again: over, and the pause credit with it
        assertThat(watch.stalled()).isFalse();
        assertThat(watch.pausedSinceTick()).isZero();
    }

    @Test
    void aPauseCreditsOnlyTheSilenceAfterTheThreadsLastTickNotALaterStall() {
        AtomicLong now = new AtomicLong();
        List<Runnable> ticks = new ArrayList<>();
        long ms = TimeUnit.MILLISECONDS.toNanos(1);
        ThreadStallWatch watch = ThreadStallWatch.unscheduled("test thread", ticks::add, 50 * ms, 300 * ms, now::get);
        now.set(50 * ms);
        watch.check(); // queues a tick
        now.set(2_000 * ms); // a 1,950 ms pause; the thread runs its tick first when it ends
        ticks.remove(0).run();
        now.set(2_010 * ms);
        watch.check(); // the checker, late: the pause was before the tick, none of it is the thread's silence
        assertThat(watch.pausedSinceTick()).isEqualTo(10 * ms);
        for (long t = 2_060; t <= 2_360; t += 50) { // now the thread stalls, the checker on time
            now.set(t * ms);
            watch.check();
        }
        assertThat(watch.stalled()).as("350 ms silent, 10 of them paused").isTrue();
    }

    @Test
    void aThreadSilentWhileTheCheckerRunsOnTimeIsReportedPastTheThreshold() {
        AtomicLong now = new AtomicLong();
        List<Runnable> ticks = new ArrayList<>();
        long ms = TimeUnit.MILLISECONDS.toNanos(1);
        ThreadStallWatch watch = ThreadStallWatch.unscheduled("test thread", ticks::add, 50 * ms, 300 * ms, now::get);
        for (long t = 50; t <= 300; t += 50) {
            now.set(t * ms);
            watch.check();
        }
        assertThat(watch.stalled()).isFalse();
        now.set(350 * ms);
        watch.check();
        assertThat(watch.stalled()).isTrue();
    }
}
