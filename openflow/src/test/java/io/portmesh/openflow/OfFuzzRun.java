package io.portmesh.openflow;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The driver every OpenFlow fuzz test shares: {@code workers} threads, each with its own {@link OfFuzzMessages}
 * seeded {@code seed + w} (so a run replays from its printed seed), fuzz one connection after another until the
 * quota is spent (the tests count their malformed messages against it, not the valid ones between them), while one
 * more thread repeats a round of work on a healthy connection beside them. The healthy rounds stop when the fuzzers
 * are done; a failure in either (an assertion included) fails the run.
 *
 * <p>Part of the openflow test-jar (listed in openflow/pom.xml) for the agent's fuzz test.
 */
public final class OfFuzzRun {
    /** How long the fuzzing workers may take, and the healthy side after them. */
    private static final long WORKERS_MINUTES = 5;

    private static final long ALONGSIDE_MINUTES = 1;

    private OfFuzzRun() {}

    /**
     * One fuzzing connection from start to end: it sends messages of {@code gen} and takes the malformed ones off
     * {@code quota}.
     */
    @FunctionalInterface
    public interface OneConnection {
        void fuzz(OfFuzzMessages gen, AtomicLong quota) throws Exception;
    }

    /** One round of the healthy work done beside the fuzzers (a round trip, a ping round), repeated until they end. */
    @FunctionalInterface
    public interface Round {
        void run() throws Exception;
    }

    /**
     * Runs the fuzzers until {@code quota} malformed messages are sent, with {@code alongside} repeated next to them.
     *
     * @return the milliseconds the run took
     */
    public static long run(int workers, long seed, long quota, OneConnection oneConnection, Round alongside)
            throws Exception {
        AtomicBoolean fuzzing = new AtomicBoolean(true);
        AtomicLong left = new AtomicLong(quota);
        ExecutorService pool = Executors.newFixedThreadPool(workers + 1);
        long start = System.nanoTime();
        try {
            Future<?> side = pool.submit(() -> {
                while (fuzzing.get()) {
                    alongside.run();
                }
                return null;
            });
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                OfFuzzMessages gen = new OfFuzzMessages(seed + w);
                running.add(pool.submit(() -> {
                    while (left.get() > 0) {
                        oneConnection.fuzz(gen, left);
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get(WORKERS_MINUTES, TimeUnit.MINUTES);
            }
            fuzzing.set(false);
            side.get(ALONGSIDE_MINUTES, TimeUnit.MINUTES);
        } finally {
            fuzzing.set(false);
            pool.shutdownNow();
        }
        return (System.nanoTime() - start) / 1_000_000;
    }
}
