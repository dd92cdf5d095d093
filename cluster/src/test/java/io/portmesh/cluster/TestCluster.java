package io.portmesh.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.portmesh.persistence.testkit.TestCassandra;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Controller nodes (three, mostly) in one JVM on loopback ({@link LocalCluster}), on the test Cassandra, with test timings. */
final class TestCluster implements AutoCloseable {
    private final LocalCluster local;
    /** The running nodes; a test may remove one it shut down. */
    final List<ControllerNode> nodes;

    private TestCluster(LocalCluster local) {
        this.local = local;
        this.nodes = local.nodes();
    }

    static int[] freePorts(int n) {
        return LocalPorts.freeTcpPorts(n);
    }

    /** Agents keep the OpenFlow addresses they were given, so a restarted cluster binds the same ports. */
    static TestCluster start(TestCassandra cassandra, int[] remotePorts, int[] openflowPorts) {
        return start(cassandra, remotePorts, openflowPorts, ConfigFactory.empty());
    }

    /** As above, with {@code extra} settings over the test timings (e.g. OpenFlow TLS). */
    static TestCluster start(TestCassandra cassandra, int[] remotePorts, int[] openflowPorts, Config extra) {
        Config overrides = extra.withFallback(ConfigFactory.parseString("""
                        pekko.cluster.split-brain-resolver.stable-after = 3s
                        portmesh.controller.realize-timeout = 15s
                        # longer than any test waits: a session must re-register through death watch, not by timer
                        portmesh.controller.southbound.announce-interval = 10m
                        pekko.loglevel = INFO
                        """)).withFallback(cassandra.config());
        return new TestCluster(LocalCluster.start(remotePorts, openflowPorts, overrides, Duration.ofSeconds(60)));
    }

    /**
     * {@code nodes} nodes on free ports, returned once every node's REST API serves: members are up after {@link
     * #start}, but the first requests still start shard coordinators and the journal's Cassandra sessions, which on
     * a busy machine can take longer than one ask timeout. Waited for here, once, so that no test has to retry.
     */
    static TestCluster startServing(TestCassandra cassandra, int nodes) {
        int[] ports = freePorts(2 * nodes);
        TestCluster cluster =
                start(cassandra, Arrays.copyOfRange(ports, 0, nodes), Arrays.copyOfRange(ports, nodes, 2 * nodes));
        try {
            cluster.awaitServing(Duration.ofSeconds(90));
            return cluster;
        } catch (RuntimeException | AssertionError e) {
            cluster.close();
            throw e;
        }
    }

    /** Until each node answers a GET of a switch nobody created with 404 (its entity asked, and answering). */
    private void awaitServing(Duration timeout) {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        // the test Cassandra is shared by the test classes of a run: a name no run creates
        String path = "/v1/switches/warm-up-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong(1L << 40));
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int node = 0; node < nodes.size(); node++) {
            URI uri = URI.create(
                    "http://127.0.0.1:" + nodes.get(node).httpAddress().getPort() + path);
            while (status(http, uri) != 404) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("node " + node + " not serving within " + timeout);
                }
                sleep(200);
            }
        }
    }

    private static int status(HttpClient http, URI uri) {
        try {
            return http.send(
                            HttpRequest.newBuilder(uri)
                                    .timeout(Duration.ofSeconds(40))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    List<String> openflowAddresses() {
        return local.openflowAddresses();
    }

    @Override
    public void close() {
        local.close();
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
