package io.portmesh.loadtest.nodeloss;

import io.portmesh.loadtest.demo.RestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code GET /v1/cluster} on one node, asked again {@code every} after each answer (or failure) until stopped or for at
 * most {@code max}: how long each answer took and what it said. One thread; the client's timeout is long (30 s) so
 * that a slow answer is measured, not cut.
 */
public final class ClusterWatch implements AutoCloseable {
    /** One ask: when it started (nanoTime), how long it took, and the view, or why there was none. */
    public record Poll(long startNanos, long tookNanos, ClusterView view, String failure) {
        public long endNanos() {
            return startNanos + tookNanos;
        }
    }

    private final int node;
    private final List<Poll> polls = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopped;

    private ClusterWatch(int node, RestClient api, Duration every, Duration max) {
        this.node = node;
        long deadline = System.nanoTime() + max.toNanos();
        this.thread = new Thread(
                () -> {
                    while (!stopped && System.nanoTime() - deadline < 0) {
                        long t = System.nanoTime();
                        Poll p;
                        try {
                            RestClient.Response r = api.get("/v1/cluster");
                            long took = System.nanoTime() - t;
                            p = r.ok()
                                    ? new Poll(t, took, ClusterView.parse(r.body()), null)
                                    : new Poll(t, took, null, r.status() + " " + r.body());
                        } catch (InterruptedException e) {
                            return;
                        } catch (Exception e) {
                            p = new Poll(t, System.nanoTime() - t, null, e.toString());
                        }
                        synchronized (polls) {
                            polls.add(p);
                        }
                        try {
                            TimeUnit.NANOSECONDS.sleep(every.toNanos());
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "cluster-watch-" + node);
        thread.setDaemon(true);
    }

    /** Starts polling node {@code node} (its index, for messages) through {@code api}. */
    public static ClusterWatch start(int node, RestClient api, Duration every, Duration max) {
        ClusterWatch w = new ClusterWatch(node, api, every, max);
        w.thread.start();
        return w;
    }

    public int node() {
        return node;
    }

    public List<Poll> polls() {
        synchronized (polls) {
            return List.copyOf(polls);
        }
    }

    /** When an answer first showed {@code seen} (its end, nanoTime), at or after {@code from}; -1 when none did. */
    public long firstSeen(long from, Predicate<ClusterView> seen) {
        for (Poll p : polls()) {
            if (p.startNanos() - from >= 0 && p.view() != null && seen.test(p.view())) {
                return p.endNanos();
            }
        }
        return -1;
    }

    /** Polls that started in [from, to). */
    public List<Poll> between(long from, long to) {
        return polls().stream()
                .filter(p -> p.startNanos() - from >= 0 && p.startNanos() - to < 0)
                .toList();
    }

    /** Stops polling; waits for an ask in progress (at most the client's timeout). */
    @Override
    public void close() {
        stopped = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(35));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
