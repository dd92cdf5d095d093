package io.portmesh.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.portmesh.persistence.testkit.TestCassandra;
import java.time.Duration;
import java.util.List;

/** Three controller nodes in one JVM on loopback ({@link LocalCluster}), on the test Cassandra, with test timings. */
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
