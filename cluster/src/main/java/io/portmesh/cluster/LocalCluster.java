package io.portmesh.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.portmesh.cluster.tls.ClusterTls;
import io.portmesh.sharding.service.NetworkService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Controller nodes in this JVM on loopback, the first one the seed: what the integration tests and the benchmarks run
 * against. {@code overrides} (Cassandra, timeouts) win over the per-node settings built here, which win over the
 * reference configuration. REST always binds port 0; OpenFlow binds the port given (0: any free one).
 */
public final class LocalCluster implements AutoCloseable {
    private final List<ControllerNode> nodes = new ArrayList<>();
    private ControllerSettings settings;

    private LocalCluster() {}

    public static LocalCluster start(int[] remotePorts, int[] openflowPorts, Config overrides, Duration upTimeout) {
        LocalCluster c = new LocalCluster();
        try {
            for (int i = 0; i < remotePorts.length; i++) {
                Config config = ClusterTls.apply(overrides
                        .withFallback(ConfigFactory.parseString(
                                """
                                pekko.remote.artery.canonical.hostname = "127.0.0.1"
                                pekko.remote.artery.canonical.port = %d
                                pekko.cluster.seed-nodes = ["pekko://portmesh@127.0.0.1:%d"]
                                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                                pekko.coordinated-shutdown.exit-jvm = off
                                portmesh.controller.http.port = 0
                                portmesh.controller.openflow.port = %d
                                """.formatted(remotePorts[i], remotePorts[0], openflowPorts[i])))
                        .withFallback(ConfigFactory.load())
                        .resolve());
                ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "portmesh", config);
                c.settings = ControllerSettings.fromConfig(config);
                c.nodes.add(ControllerNode.init(system, c.settings));
            }
            c.awaitUp(upTimeout);
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Every node sees every node Up. */
    public void awaitUp(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (nodes.stream().allMatch(n -> upMembers(n) == nodes.size())) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for the cluster", e);
            }
        }
        throw new IllegalStateException(
                "cluster of " + nodes.size() + " nodes did not show " + nodes.size() + " Up members within " + timeout);
    }

    private static int upMembers(ControllerNode n) {
        int up = 0;
        for (var m : Cluster.get(n.system()).state().getMembers()) {
            if (m.status() == MemberStatus.up()) {
                up++;
            }
        }
        return up;
    }

    /** The running nodes, in start order; a test may remove one it shut down. */
    public List<ControllerNode> nodes() {
        return nodes;
    }

    public NetworkService service(int i) {
        return nodes.get(i).service();
    }

    public List<NetworkService> services() {
        return nodes.stream().map(ControllerNode::service).toList();
    }

    public List<String> openflowAddresses() {
        return nodes.stream()
                .map(n -> "127.0.0.1:" + n.openflowAddress().getPort())
                .toList();
    }

    /** The nodes' settings (the same on every node but for ports). */
    public ControllerSettings settings() {
        return settings;
    }

    public int size() {
        return nodes.size();
    }

    /** Leaves one node after the other (coordinated shutdown), each within 30 s. */
    @Override
    public void close() {
        for (ControllerNode n : nodes) {
            try {
                n.shutdown().orTimeout(30, TimeUnit.SECONDS).join();
            } catch (RuntimeException e) {
                System.err.println("controller node " + n.system().address() + " did not stop cleanly: " + e);
            }
        }
        nodes.clear();
    }
}
