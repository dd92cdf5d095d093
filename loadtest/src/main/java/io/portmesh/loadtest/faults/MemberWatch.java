package io.portmesh.loadtest.faults;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.loadtest.demo.NodeProcess;
import io.portmesh.loadtest.demo.RestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Asks every controller node for {@code GET /v1/cluster} at a fixed interval (one thread per node, so that a slow node
 * delays only its own polls) and keeps every answer: whether each node's process lived, answered, and saw every member
 * Up. For fault tests that must show that no node crashed or left the cluster.
 */
public final class MemberWatch implements AutoCloseable {
    /**
     * One poll of one node.
     *
     * @param status the HTTP status, or -1 when the node did not answer (process gone, connection failed, timeout)
     * @param members each member's status as the node reported it (empty when it did not answer)
     */
    public record Poll(
            int node, long atNanos, long nanos, boolean alive, int status, List<String> members, String error) {
        /** The node lived, answered 200 and reported {@code expected} members, all Up. */
        public boolean healthy(int expected) {
            return alive
                    && status == 200
                    && members.size() == expected
                    && members.stream().allMatch("Up"::equals);
        }
    }

    private final List<Poll> polls = new ArrayList<>(); // guarded by itself
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    private MemberWatch() {}

    public static MemberWatch start(List<NodeProcess> nodes, Duration interval) {
        MemberWatch w = new MemberWatch();
        for (NodeProcess n : nodes) {
            Thread t = new Thread(() -> w.poll(n, interval), "member-watch-node-" + n.index);
            t.setDaemon(true);
            w.threads.add(t);
            t.start();
        }
        return w;
    }

    private void poll(NodeProcess n, Duration interval) {
        RestClient api = n.api();
        while (running) {
            long start = System.nanoTime();
            Poll p;
            try {
                RestClient.Response r = api.get("/v1/cluster");
                List<String> members = new ArrayList<>();
                for (JsonNode m : r.body().path("members")) {
                    members.add(m.path("status").asText());
                }
                p = new Poll(
                        n.index,
                        start,
                        System.nanoTime() - start,
                        n.isAlive(),
                        r.status(),
                        members,
                        r.ok() ? null : r.body().toString());
            } catch (Exception e) {
                p = new Poll(n.index, start, System.nanoTime() - start, n.isAlive(), -1, List.of(), e.toString());
            }
            synchronized (polls) {
                polls.add(p);
            }
            long wait = interval.toNanos() - (System.nanoTime() - start);
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
        }
    }

    public List<Poll> polls() {
        synchronized (polls) {
            return List.copyOf(polls);
        }
    }

    /** The polls in which a node was not {@link Poll#healthy healthy} with {@code expected} members. */
    public List<Poll> unhealthy(int expected) {
        return polls().stream().filter(p -> !p.healthy(expected)).toList();
    }

    /** The longest time a poll took to be answered. */
    public long slowestNanos() {
        return polls().stream().mapToLong(Poll::nanos).max().orElse(0);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(35_000);
        }
    }
}
