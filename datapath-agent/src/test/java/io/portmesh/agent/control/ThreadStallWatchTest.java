package io.portmesh.agent.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
}
