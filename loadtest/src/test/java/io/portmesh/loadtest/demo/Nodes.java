package io.portmesh.loadtest.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** REST calls to a cluster of node processes some of which may be dead or recovering: bounded retries. */
final class Nodes {
    interface Call {
        RestClient.Response on(RestClient node) throws Exception;
    }

    private Nodes() {}

    /**
     * A REST call to the first live node that answers it with 2xx, tried again every 250 ms (at most 60 s) while nodes
     * recover; a 4xx other than 404 fails at once (the request itself is wrong).
     */
    static JsonNode call(List<NodeProcess> nodes, Call c) throws Exception {
        return call(nodes, c, Duration.ofSeconds(60));
    }

    static JsonNode call(List<NodeProcess> nodes, Call c, Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            for (NodeProcess n : nodes) {
                if (!n.isAlive()) {
                    continue;
                }
                try {
                    RestClient.Response r = c.on(new RestClient(n.url()));
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
    static JsonNode await(
            List<NodeProcess> nodes, String get, java.util.function.Predicate<JsonNode> done, Duration wait)
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
