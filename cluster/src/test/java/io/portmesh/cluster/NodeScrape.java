package io.portmesh.cluster;

import io.portmesh.sharding.metrics.NodeMetrics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** The metrics of controller nodes read the way Prometheus reads them: GET /metrics on each node's REST port. */
public final class NodeScrape {
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private NodeScrape() {}

    static String metrics(ControllerNode node) throws IOException, InterruptedException {
        HttpResponse<String> r = CLIENT.send(
                HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + node.httpAddress().getPort() + "/metrics"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET /metrics answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /** The sum over all nodes of the samples of {@code metric} whose labels contain {@code labels} (may be ""). */
    static double sum(List<ControllerNode> nodes, String metric, String labels) throws Exception {
        double total = 0;
        for (ControllerNode n : nodes) {
            total += sum(metrics(n), metric, labels);
        }
        return total;
    }

    /** {@link #sum(List, String, String)} for lambdas: a failed scrape is an unchecked exception. */
    static double sumUnchecked(List<ControllerNode> nodes, String metric, String labels) {
        try {
            return sum(nodes, metric, labels);
        } catch (Exception e) {
            throw new IllegalStateException("scraping /metrics: " + e, e);
        }
    }

    public static double sum(String text, String metric, String labels) {
        return NodeMetrics.sum(text, metric, labels);
    }
}
