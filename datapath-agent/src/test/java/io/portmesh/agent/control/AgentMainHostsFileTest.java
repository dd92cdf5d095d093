package io.portmesh.agent.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.agent.AgentMain;
import io.portmesh.openflow.OfConnection;
import io.portmesh.sim.Await;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as it runs in production: {@code AgentMain} in a JVM of its own, its controller a name looked up by the
 * system's resolver ({@link DnsControllerResolver}, here reading a hosts file the test rewrites: {@code
 * -Djdk.net.hosts.file}). A changed answer reaches the agent in well under the JVM's default 30 s name cache, which
 * {@code AgentMain} turns off: it follows the name from node 1 to node 2 with no restart. (Run with the cache kept,
 * {@code -Dsun.net.inetaddr.ttl=30} in the agent's command, it failed: node 2 got no connection in time.)
 */
class AgentMainHostsFileTest {
    private static final String NAME = "portmesh-controller.portmesh.test";
    private static final String N1 = "127.0.0.41";
    private static final String N2 = "127.0.0.42";
    /** A JVM started on a 2-core machine that others' builds keep busy took 14 s to connect once. */
    private static final long JVM_START_SECONDS = 60;
    /**
     * Following the name from node 1 to node 2 takes a lookup (every 100 ms) and a connect: well under the JVM's
     * default 30 s name cache, which this bound stays below.
     */
    private static final long FOLLOW_SECONDS = 20;

    @TempDir
    Path dir;

    private final List<ScriptedController> nodes = new ArrayList<>();
    private Process agent;
    private Path log;

    @AfterEach
    void stop() throws InterruptedException {
        if (agent != null) {
            agent.destroy();
            if (!agent.waitFor(5, TimeUnit.SECONDS)) {
                agent.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        nodes.forEach(ScriptedController::close);
    }

    @Test
    void anAgentJvmFollowsItsControllerNameFromNodeToNode() throws Exception {
        nodes.addAll(ScriptedController.onOnePort(N1, N2));
        int port = nodes.get(0).address().getPort();
        Path hosts = dir.resolve("hosts");
        writeHosts(hosts, N1);
        agent = startAgent(hosts, port);

        OfConnection toN1 = awaitConnection(nodes.get(0), JVM_START_SECONDS);
        assertThat(toN1.switchInfo().orElseThrow().dpDesc()).startsWith("portmesh host=h-dns slot=a");

        writeHosts(hosts, N2);
        OfConnection toN2 = awaitConnection(nodes.get(1), FOLLOW_SECONDS);
        Await.until(() -> !toN1.isActive(), () -> "node 1 still connected; agent log:\n" + agentLog());
        assertThat(toN2.isActive()).isTrue();
        assertThat(agentLog())
                .contains("controller node added " + NAME + "/" + N2 + ":" + port)
                .contains("controller node removed " + NAME + "/" + N1 + ":" + port);
        // the agent's stats line counts it too
        Await.until(
                () -> agentLog()
                        .lines()
                        .anyMatch(l -> l.contains(" stats flowMods=")
                                && l.contains("controllers(nodes=1 connected=1 lookups=")
                                && l.contains("lookupFailures=0 added=2 removed=1)")),
                () -> "no stats line with the node change; agent log:\n" + agentLog());
    }

    private Process startAgent(Path hosts, int port) throws IOException {
        log = dir.resolve("agent.log");
        List<String> cmd = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-Djdk.net.hosts.file=" + hosts,
                "-Dportmesh.agent.stats-log-ms=200",
                "-cp",
                System.getProperty("java.class.path"),
                AgentMain.class.getName(),
                "--host",
                "h-dns",
                "--slot",
                "a",
                "--controller",
                NAME + ":" + port,
                "--controllers-resolve-interval",
                "100ms",
                "--trunk",
                "127.0.0.1:0",
                "--vxlan",
                "127.0.0.1:0");
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    /** The hosts file with {@link #NAME} at {@code ip}, replaced in one rename so no lookup reads half a file. */
    private static void writeHosts(Path hosts, String ip) throws IOException {
        Path next = hosts.resolveSibling("hosts.next");
        Files.writeString(next, ip + " " + NAME + "\n", StandardCharsets.US_ASCII);
        Files.move(next, hosts, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private OfConnection awaitConnection(ScriptedController node, long seconds) throws InterruptedException {
        try {
            return node.awaitConnection(seconds);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; agent log:\n" + agentLog(), e);
        }
    }

    private String agentLog() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
