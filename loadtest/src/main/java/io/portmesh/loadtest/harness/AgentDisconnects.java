package io.portmesh.loadtest.harness;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.loadtest.bind.Sleep;
import io.portmesh.loadtest.demo.Nodes;
import io.portmesh.loadtest.nodeloss.NodeLossFabric;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The {@code agent-disconnect} fault: every OpenFlow connection of a host's agent reset at once, as a middlebox's or a
 * flapping link's reset would, while the agent and the nodes keep running. The connections are found by the agent's
 * end as the nodes report it ({@code GET /v1/hosts/{id}}: {@code agents[].remoteAddress}) and destroyed by the kernel
 * ({@code ss -K}, root): the agent's socket is aborted and the node gets a RST. The agent reconnects on its own (its
 * backoff), the host elects a master again and reconciles; its datapath keeps forwarding on its installed flows
 * meanwhile, so the fault is allowed no loss. It lasts until the host is settled again (realized, as many flows
 * installed as desired, one master, as many connections as before, none of them reset). Cheap (no JVM starts), so a chaos run can inject
 * many.
 */
final class AgentDisconnects {
    private static final Duration SS_WAIT = Duration.ofSeconds(10);

    private final Scenario s;
    private final NodeLossFabric fabric;
    private final BiConsumer<String, Object[]> progress;

    AgentDisconnects(Scenario s, NodeLossFabric fabric, BiConsumer<String, Object[]> progress) {
        this.s = s;
        this.fabric = fabric;
        this.progress = progress;
    }

    /** Why this machine cannot reset connections ({@code ss} missing or not root), empty when it can. */
    static Optional<String> unavailable() {
        try {
            Process p = new ProcessBuilder("ss", "-V").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (!p.waitFor(SS_WAIT.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
                return Optional.of("ss (iproute2) does not run here");
            }
        } catch (IOException e) {
            return Optional.of("no ss (iproute2) on the PATH: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
        return "root".equals(System.getProperty("user.name"))
                ? Optional.empty()
                : Optional.of("ss -K needs root (CAP_NET_ADMIN)");
    }

    /**
     * Resets the connections of {@code f}'s host and waits until the host is settled again ({@code upAgainNanos}), at
     * most the scenario's setup-timeout; on a thread of its own.
     */
    void resetAndAwait(InjectedFault f) {
        String host = fabric.hosts().get(f.planned.target());
        try {
            JsonNode info = Nodes.callAny(fabric.nodes().apis(), n -> n.get("/v1/hosts/" + host), SS_WAIT);
            List<String> ends = new ArrayList<>();
            for (JsonNode a : info.path("agents")) {
                ends.add(a.path("remoteAddress").asText());
            }
            int killed = 0;
            for (String end : ends) {
                killed += destroy(end);
            }
            f.restartedNanos = System.nanoTime();
            if (killed == 0) {
                f.restartFailure = "no connection of " + host + " found to reset (" + ends + ")";
                progress.accept("%s", new Object[] {f.restartFailure});
                return;
            }
            long deadline = System.nanoTime() + s.setupTimeout().toNanos();
            while (System.nanoTime() - deadline < 0) {
                if (settledAgain(host, ends)) {
                    f.upAgainNanos = System.nanoTime();
                    progress.accept(
                            "%s: %d connection(s) reset, settled again %.1f s later",
                            new Object[] {host, killed, (f.upAgainNanos - f.atNanos) / 1e9});
                    return;
                }
                Sleep.millis(250);
            }
            f.restartFailure = "not settled again within " + s.setupTimeout().toSeconds() + " s of the reset";
            progress.accept("%s %s", new Object[] {host, f.restartFailure});
        } catch (Exception | AssertionError e) {
            f.restartFailure = e.toString();
            progress.accept("%s not reset: %s", new Object[] {host, e});
        }
    }

    /**
     * Whether the host is settled on new connections: realized, as many flows installed as desired, one MASTER, as many
     * connections as it had before the reset and none of those reset. Not {@code NodeLossFabric.unsettled}, which wants
     * a connection to every running node: a node restarted after a kill runs tens of seconds before it takes agents,
     * and the reset's outage is the agent's, not the node's.
     */
    private boolean settledAgain(String host, List<String> old) {
        try {
            JsonNode info = Nodes.callAny(fabric.nodes().apis(), n -> n.get("/v1/hosts/" + host), SS_WAIT);
            int masters = 0;
            for (JsonNode a : info.path("agents")) {
                if (old.contains(a.path("remoteAddress").asText())) {
                    return false;
                }
                masters += "MASTER".equals(a.path("role").asText()) ? 1 : 0;
            }
            return masters == 1
                    && info.path("agents").size() >= old.size()
                    && info.path("realized").asBoolean()
                    && info.path("flowsInstalled").asInt()
                            == info.path("flowsDesired").asInt();
        } catch (Exception | AssertionError e) {
            return false;
        }
    }

    /**
     * Destroys the TCP socket whose local end is {@code end} ({@code /127.0.0.1:45678} as the node printed it);
     * how many were.
     */
    static int destroy(String end) throws IOException, InterruptedException {
        String addr = end.substring(end.lastIndexOf('/') + 1);
        int colon = addr.lastIndexOf(':');
        if (colon < 0) {
            return 0;
        }
        String ip = addr.substring(0, colon);
        String port = addr.substring(colon + 1);
        Process p = new ProcessBuilder("ss", "-K", "-t", "-n", "-H", "src", ip, "sport", "=", ":" + port)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(SS_WAIT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("ss -K did not end in " + SS_WAIT.toSeconds() + " s");
        }
        return (int) out.lines().filter(l -> l.contains(":" + port)).count();
    }
}
