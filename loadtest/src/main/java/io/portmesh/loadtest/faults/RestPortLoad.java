package io.portmesh.loadtest.faults;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.loadtest.demo.NodeProcess;
import io.portmesh.loadtest.demo.RestClient;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A steady create-and-bind load through the REST API of every controller node, for fault tests: one worker per node
 * creates a port on a switch, binds it to the next host (round robin), pauses, and again; a node whose process is gone
 * is skipped. Every call is kept with its status and how long it took, and every binding that was acknowledged (2xx)
 * is kept with its host, so that a test can read them all back afterwards ("nothing acknowledged is lost").
 *
 * <p>Each worker waits for its call's answer (at most {@link RestClient}'s 30 s) before the next: a node that stalls
 * slows its own worker only, and the number of calls in flight stays at most one per node.
 */
public final class RestPortLoad implements AutoCloseable {
    public enum Op {
        CREATE,
        BIND
    }

    /** Status of a call that got no HTTP answer: the connection failed (refused, reset). */
    public static final int NO_ANSWER = -1;
    /** Status of a call the client gave up on: no answer within the client's timeout. */
    public static final int CLIENT_TIMEOUT = -2;

    /**
     * One REST call.
     *
     * @param status the HTTP status, {@link #NO_ANSWER} or {@link #CLIENT_TIMEOUT}
     * @param startNanos when it was sent (System.nanoTime)
     * @param nanos how long its answer took
     * @param error the error body or exception text when not 2xx
     */
    public record Call(int node, Op op, String port, int status, long startNanos, long nanos, String error) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }

        public long endNanos() {
            return startNanos + nanos;
        }
    }

    /**
     * A binding the API acknowledged: port {@code port} is bound to {@code host}; its creation was sent at {@code
     * createdFromNanos}, the binding's answer came at {@code atNanos}.
     */
    public record Acked(String port, String host, int node, long createdFromNanos, long atNanos) {}

    private final List<NodeProcess> nodes;
    private final String switchName;
    private final List<String> hosts;
    private final Duration pause;
    private final int macByte;
    private final AtomicInteger next = new AtomicInteger();
    private final List<Call> calls = new ArrayList<>(); // guarded by itself
    private final List<Acked> acked = new ArrayList<>(); // guarded by calls
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean running = true;

    private RestPortLoad(List<NodeProcess> nodes, String switchName, List<String> hosts, Duration pause, int macByte) {
        this.nodes = List.copyOf(nodes);
        this.switchName = switchName;
        this.hosts = List.copyOf(hosts);
        this.pause = pause;
        this.macByte = macByte;
    }

    /**
     * Starts one worker per node.
     *
     * @param switchName the switch the ports join (it must exist)
     * @param hosts the hosts the ports are bound to, in turn
     * @param pause each worker's pause after a port (bound or not)
     * @param macByte the fourth byte of every MAC (52:54:00:{macByte}:..), so that runs do not collide
     */
    public static RestPortLoad start(
            List<NodeProcess> nodes, String switchName, List<String> hosts, Duration pause, int macByte) {
        RestPortLoad load = new RestPortLoad(nodes, switchName, hosts, pause, macByte);
        for (NodeProcess n : load.nodes) {
            Thread t = new Thread(() -> load.work(n), "port-load-node-" + n.index);
            t.setDaemon(true);
            load.workers.add(t);
            t.start();
        }
        return load;
    }

    private void work(NodeProcess node) {
        RestClient api = node.api();
        while (running) {
            if (node.isAlive()) {
                int k = next.getAndIncrement();
                String mac = String.format("52:54:00:%02x:%02x:%02x", macByte & 0xFF, (k >> 8) & 0xFF, k & 0xFF);
                Answer create = call(
                        node,
                        Op.CREATE,
                        null,
                        () -> api.post("/v1/switches/" + switchName + "/ports", Map.of("mac", mac)));
                if (create.call().ok()) {
                    String port = create.body().path("id").asText();
                    String host = hosts.get(k % hosts.size());
                    Call bind = call(
                                    node,
                                    Op.BIND,
                                    port,
                                    () -> api.put("/v1/ports/" + port + "/binding", Map.of("host", host)))
                            .call();
                    if (bind.ok()) {
                        synchronized (calls) {
                            acked.add(new Acked(
                                    port, host, node.index, create.call().startNanos(), bind.endNanos()));
                        }
                    }
                }
            }
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private interface Request {
        RestClient.Response send() throws Exception;
    }

    private record Answer(Call call, JsonNode body) {}

    private Answer call(NodeProcess node, Op op, String port, Request r) {
        long start = System.nanoTime();
        int status;
        String error = null;
        JsonNode body = null;
        try {
            RestClient.Response answer = r.send();
            status = answer.status();
            body = answer.body();
            if (!answer.ok()) {
                error = answer.body().toString();
            }
        } catch (HttpTimeoutException e) {
            status = CLIENT_TIMEOUT;
            error = e.toString();
        } catch (Exception e) {
            status = NO_ANSWER;
            error = e.toString();
        }
        Call c = new Call(node.index, op, port, status, start, System.nanoTime() - start, error);
        synchronized (calls) {
            calls.add(c);
        }
        return new Answer(c, body);
    }

    public List<Call> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    public List<Acked> acked() {
        synchronized (calls) {
            return List.copyOf(acked);
        }
    }

    /**
     * The calls sent in [fromNanos, toNanos) in words: per status, how many, and the median and longest time to the
     * answer, e.g. {@code 201 x12 (p50 35 ms, max 80 ms), 503 x3 (p50 10012 ms, max 10020 ms)}.
     */
    public String summary(long fromNanos, long toNanos) {
        Map<Integer, List<Long>> byStatus = new TreeMap<>();
        for (Call c : calls()) {
            if (c.startNanos() - fromNanos >= 0 && c.startNanos() - toNanos < 0) {
                byStatus.computeIfAbsent(c.status(), k -> new ArrayList<>()).add(c.nanos() / 1_000_000);
            }
        }
        if (byStatus.isEmpty()) {
            return "no calls";
        }
        List<String> parts = new ArrayList<>();
        byStatus.forEach((status, ms) -> {
            ms.sort(null);
            parts.add(String.format(
                    "%d x%d (p50 %d ms, max %d ms)", status, ms.size(), ms.get(ms.size() / 2), ms.get(ms.size() - 1)));
        });
        return String.join(", ", parts);
    }

    /** The distinct error texts of the calls that were not 2xx, each with its count (at most {@code most}). */
    public List<String> errors(int most) {
        Map<String, Integer> count = new TreeMap<>();
        for (Call c : calls()) {
            if (!c.ok()) {
                count.merge(c.op() + " " + c.status() + " " + c.error(), 1, Integer::sum);
            }
        }
        return count.entrySet().stream()
                .limit(most)
                .map(e -> e.getValue() + " x " + e.getKey())
                .toList();
    }

    /** Stops the workers; a call in flight is waited for (at most the client's timeout). */
    @Override
    public void close() throws InterruptedException {
        running = false; // no interrupt: it would end a call in flight and count it as unanswered
        for (Thread t : workers) {
            t.join(35_000);
        }
    }
}
