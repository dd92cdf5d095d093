package io.portmesh.loadtest.bind;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.portmesh.cluster.ControllerNode;
import io.portmesh.cluster.ControllerSettings;
import io.portmesh.sharding.service.NetworkService;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Controller nodes in this JVM on loopback (the way cluster's TestCluster builds them), pointed at the benchmark's
 * Cassandra. OpenFlow and REST bind port 0: agents are given the addresses the nodes really bound.
 */
final class BenchCluster implements AutoCloseable {
    private final List<ControllerNode> nodes = new ArrayList<>();
    private final ControllerSettings settings;

    private BenchCluster(ControllerSettings settings) {
        this.settings = settings;
    }

    static BenchCluster start(int size, String cassandraContactPoint, Duration upTimeout) throws IOException {
        int[] remotePorts = freeTcpPorts(size);
        BenchCluster c = null;
        try {
            for (int i = 0; i < size; i++) {
                Config config = nodeConfig(remotePorts[i], remotePorts[0], cassandraContactPoint);
                ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "portmesh", config);
                ControllerSettings s = ControllerSettings.fromConfig(config);
                if (c == null) {
                    c = new BenchCluster(s);
                }
                c.nodes.add(ControllerNode.init(system, s));
            }
            c.awaitUp(upTimeout);
            return c;
        } catch (RuntimeException e) {
            if (c != null) {
                c.close();
            }
            throw e;
        }
    }

    /**
     * The driver section is set explicitly: {@code ConfigFactory.load()} has already resolved its substitution of
     * portmesh.cassandra.contact-point to the default port.
     */
    private static Config nodeConfig(int remotePort, int seedPort, String cassandra) {
        return ConfigFactory.parseString("""
                        pekko.remote.artery.canonical.hostname = "127.0.0.1"
                        pekko.remote.artery.canonical.port = %d
                        pekko.cluster.seed-nodes = ["pekko://portmesh@127.0.0.1:%d"]
                        pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                        pekko.coordinated-shutdown.exit-jvm = off
                        portmesh.controller.http.port = 0
                        portmesh.controller.openflow.port = 0
                        portmesh.cassandra.contact-point = "%s"
                        portmesh.cassandra.local-datacenter = "datacenter1"
                        portmesh.cassandra.embedded.enabled = off
                        datastax-java-driver.basic.contact-points = ["%s"]
                        datastax-java-driver.basic.load-balancing-policy.local-datacenter = "datacenter1"
                        """.formatted(remotePort, seedPort, cassandra, cassandra))
                .withFallback(ConfigFactory.load())
                .resolve();
    }

    private void awaitUp(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (nodes.stream().allMatch(n -> upMembers(n) == nodes.size())) {
                return;
            }
            Sleep.millis(200);
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

    int size() {
        return nodes.size();
    }

    NetworkService service(int i) {
        return nodes.get(i).service();
    }

    List<NetworkService> services() {
        return nodes.stream().map(ControllerNode::service).toList();
    }

    List<String> openflowAddresses() {
        return nodes.stream()
                .map(n -> "127.0.0.1:" + n.openflowAddress().getPort())
                .toList();
    }

    ControllerSettings settings() {
        return settings;
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

    static int[] freeTcpPorts(int n) {
        return io.portmesh.cluster.LocalPorts.freeTcpPorts(n);
    }
}
