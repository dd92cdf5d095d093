package io.portmesh.loadtest.faults;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.loadtest.demo.NodeProcess;
import io.portmesh.loadtest.demo.RestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reads acknowledged bindings back through the API: "nothing acknowledged is lost", checked port by port. */
public final class BindingReadBack {
    private BindingReadBack() {}

    /**
     * The acknowledged bindings that do not read back as acknowledged, each as "port (who acknowledged what): what was
     * read". Each port is read from the first live node that answers 2xx, tried again every 250 ms for at most {@code
     * perPort}; a port no node answers for counts as not read back.
     */
    public static List<String> notReadBack(List<NodeProcess> nodes, List<RestPortLoad.Acked> acked, Duration perPort)
            throws InterruptedException {
        List<String> wrong = new ArrayList<>();
        for (RestPortLoad.Acked a : acked) {
            Read read = read(nodes, "/v1/ports/" + a.port(), perPort);
            if (read.body() == null || !a.host().equals(read.body().path("host").asText())) {
                wrong.add(a.port() + " (node " + a.node() + " acknowledged its binding to " + a.host() + "): "
                        + read.text());
            }
        }
        return wrong;
    }

    /** {@code body}: a 2xx answer's, or null; {@code text}: the last answer or failure in words. */
    private record Read(JsonNode body, String text) {}

    private static Read read(List<NodeProcess> nodes, String path, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        String answer = "no node answered";
        while (System.nanoTime() < deadline) {
            for (NodeProcess n : nodes) {
                if (!n.isAlive()) {
                    continue;
                }
                try {
                    RestClient.Response r = n.api().get(path);
                    answer = r.status() + " " + r.body();
                    if (r.ok()) {
                        return new Read(r.body(), answer);
                    }
                } catch (java.io.IOException e) {
                    answer = e.toString();
                }
            }
            Thread.sleep(250);
        }
        return new Read(null, answer);
    }
}
