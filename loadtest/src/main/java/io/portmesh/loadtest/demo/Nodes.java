package io.portmesh.loadtest.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** REST calls to a cluster of node processes some of which may be dead or recovering: bounded retries. */
public final class Nodes {
    public interface Call {
        RestClient.Response on(RestClient node) throws Exception;
    }

    private Nodes() {}

    /**
     * A REST call to the first live node that answers it with 2xx, tried again every 250 ms (at most 60 s) while nodes
     * recover; a 4xx other than 404 fails at once (the request itself is wrong).
     */
    public static JsonNode call(List<NodeProcess> nodes, Call c) throws Exception {
        return call(nodes, c, Duration.ofSeconds(60));
    }

    public static JsonNode call(List<NodeProcess> nodes, Call c, Duration wait) throws Exception {
        return callAny(
                () -> nodes.stream()
                        .filter(NodeProcess::isAlive)
                        .map(NodeProcess::api)
                        .toList(),
                c,
                wait);
    }

    /** As {@link #call(List, Call, Duration)}, through these clients (a node that does not answer is skipped). */
    public static JsonNode callAny(List<RestClient> apis, Call c, Duration wait) throws Exception {
        return callAny(() -> apis, c, wait);
    }

    private interface Live {
        List<RestClient> now();
    }

    private static JsonNode callAny(Live live, Call c, Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            for (RestClient n : live.now()) {
                try {
                    RestClient.Response r = c.on(n);
                    if (r.ok()) {
                        return r.body();
                    }
                    last = r.status() + " " + r.body();
                    if (r.status() >= 400 && r.status() < 500 && r.status() != 404) {
                        throw new AssertionError("refused: " + last);
                    }
                } catch (java.io.IOException e) {
                    last = e.toString();
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no node answered in " + wait.toSeconds() + " s; last: " + last);
    }

    /** Polls {@code get} until {@code done} holds (at most {@code wait}); the last answer either way. */
    public static JsonNode await(List<NodeProcess> nodes, String get, Predicate<JsonNode> done, Duration wait)
            throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = call(nodes, n -> n.get(get));
            if (done.test(last)) {
                return last;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        return last;
    }
}
