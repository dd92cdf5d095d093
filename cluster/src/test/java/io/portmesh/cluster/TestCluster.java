package io.portmesh.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.portmesh.persistence.testkit.TestCassandra;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/** Three controller nodes in one JVM on loopback, on the test Cassandra (DESIGN.md: main only calls init). */
final class TestCluster implements AutoCloseable {
    final List<ControllerNode> nodes = new ArrayList<>();
    final int[] remotePorts;
    final int[] openflowPorts;

    TestCluster(int[] remotePorts, int[] openflowPorts) {
        this.remotePorts = remotePorts;
        this.openflowPorts = openflowPorts;
    }

    static int[] freePorts(int n) {
        return io.portmesh.cluster.LocalPorts.freeTcpPorts(n);
    }

    /** Agents keep the OpenFlow addresses they were given, so a restarted cluster binds the same ports. */
    static TestCluster start(TestCassandra cassandra, int[] remotePorts, int[] openflowPorts) {
        TestCluster c = new TestCluster(remotePorts, openflowPorts);
        for (int i = 0; i < remotePorts.length; i++) {
            int port = remotePorts[i];
            Config config = ConfigFactory.parseString("""
                            pekko.remote.artery.canonical.port = %d
                            pekko.cluster.seed-nodes = ["pekko://portmesh@127.0.0.1:%d"]
                            pekko.cluster.split-brain-resolver.stable-after = 3s
                            pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                            portmesh.controller.http.port = 0
                            portmesh.controller.openflow.port = %d
                            portmesh.controller.realize-timeout = 15s
                            # longer than any test waits: a session must re-register through death watch, not by timer
                            portmesh.controller.southbound.announce-interval = 10m
                            pekko.loglevel = INFO
                            """.formatted(port, remotePorts[0], openflowPorts[i]))
                    .withFallback(cassandra.config())
                    .withFallback(ConfigFactory.load())
                    .resolve();
            ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "portmesh", config);
            c.nodes.add(ControllerNode.init(system, ControllerSettings.fromConfig(config)));
        }
        c.awaitUp(Duration.ofSeconds(60));
        return c;
    }

    void awaitUp(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            boolean allUp = nodes.stream().allMatch(n -> {
                var members = Cluster.get(n.system()).state().getMembers();
                int up = 0;
                for (var m : members) {
                    if (m.status() == MemberStatus.up()) {
                        up++;
                    }
                }
                return up == nodes.size();
            });
            if (allUp) {
                return;
            }
            sleep(200);
        }
        throw new AssertionError("cluster of " + nodes.size() + " did not come up within " + timeout);
    }

    List<String> openflowAddresses() {
        return nodes.stream()
                .map(n -> "127.0.0.1:" + n.openflowAddress().getPort())
                .toList();
    }

    @Override
    public void close() {
        nodes.forEach(n -> n.shutdown()
                .orTimeout(30, java.util.concurrent.TimeUnit.SECONDS)
                .join());
        nodes.clear();
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
