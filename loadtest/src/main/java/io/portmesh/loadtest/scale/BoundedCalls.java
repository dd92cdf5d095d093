package io.portmesh.loadtest.scale;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs {@code op(i)} for i in [from, to) with at most {@code concurrency} calls in flight: each worker takes the next
 * index when its call returns, so the calls go at the rate the cluster answers them and never queue up in it. No new
 * call starts past the deadline; failures are counted and the first few kept for the report.
 */
final class BoundedCalls {
    private static final int KEPT_FAILURES = 5;

    interface Op {
        void run(int i) throws Exception;
    }

    /** What one batch did: calls done (successful), failed, the first failures' messages, and its seconds. */
    record Outcome(int done, int failed, List<String> failures, double seconds, boolean pastDeadline) {}

    private BoundedCalls() {}

    static Outcome run(int from, int to, int concurrency, long deadlineNanos, Op op) throws InterruptedException {
        AtomicInteger next = new AtomicInteger(from);
        AtomicInteger done = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<String> failures = new ArrayList<>();
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        for (int w = 0; w < concurrency; w++) {
            pool.execute(() -> {
                for (int i = next.getAndIncrement(); i < to; i = next.getAndIncrement()) {
                    if (System.nanoTime() - deadlineNanos >= 0) {
                        return;
                    }
                    try {
                        op.run(i);
                        done.incrementAndGet();
                    } catch (Exception | AssertionError e) {
                        failed.incrementAndGet();
                        synchronized (failures) {
                            if (failures.size() < KEPT_FAILURES) {
                                failures.add(i + ": " + e); // the class too: a refused connection has no message
                            }
                        }
                    }
                }
            });
        }
        pool.shutdown();
        long left = Math.max(1, deadlineNanos - System.nanoTime()) + TimeUnit.MINUTES.toNanos(2);
        if (!pool.awaitTermination(left, TimeUnit.NANOSECONDS)) {
            pool.shutdownNow();
        }
        boolean past = System.nanoTime() - deadlineNanos >= 0 && done.get() + failed.get() < to - from;
        return new Outcome(done.get(), failed.get(), List.copyOf(failures), (System.nanoTime() - t0) / 1e9, past);
    }
}
