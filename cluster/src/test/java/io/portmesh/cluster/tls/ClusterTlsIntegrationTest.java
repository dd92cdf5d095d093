package io.portmesh.cluster.tls;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster remoting over mutual TLS, as portmesh.cluster.tls switches it on: nodes with certificates of the deployment
 * CA form a cluster; a node with a certificate of another CA, with an agent's certificate of the same CA, or without
 * TLS, never becomes a member. Actor systems in this JVM, with the cluster membership only (no Cassandra).
 */
class ClusterTlsIntegrationTest {
    private static final Duration UP = Duration.ofSeconds(40);
    /**
     * How long a refused node is watched: its join is retried every second (seed-node-retry-interval) and each try is
     * refused at the handshake, so a node that could join would be Up within a few tries.
     */
    private static final Duration REFUSED_WINDOW = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final List<ActorSystem<Void>> systems = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (ActorSystem<Void> s : systems) {
            s.terminate();
        }
        for (ActorSystem<Void> s : systems) {
            s.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A node on {@code port} whose seed is {@code seedPort}; with TLS when {@code files} is not null. */
    private ActorSystem<Void> node(int port, int seedPort, TestPki.NodeFiles files) {
        String tls = files == null
                ? "portmesh.cluster.tls.enabled = off"
                : """
                  portmesh.cluster.tls {
                    enabled = on
                    cert-file = "%s"
                    key-file = "%s"
                    ca-file = "%s"
                  }
                  """.formatted(files.chain(), files.key(), files.ca());
        Config config = ClusterTls.apply(ConfigFactory.parseString("""
                        pekko.loglevel = WARNING
                        pekko.remote.artery.canonical.hostname = "127.0.0.1"
                        pekko.remote.artery.canonical.port = %d
                        pekko.cluster.seed-nodes = ["pekko://portmesh@127.0.0.1:%d"]
                        pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                        pekko.coordinated-shutdown.exit-jvm = off
                        pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
                        """.formatted(port, seedPort) + tls)
                .withFallback(ConfigFactory.load())
                .resolve());
        ActorSystem<Void> s = ActorSystem.create(Behaviors.empty(), "portmesh", config);
        systems.add(s);
        return s;
    }

    private static long up(ActorSystem<?> s) {
        return members(s).stream().filter(m -> m.status() == MemberStatus.up()).count();
    }

    private static List<Member> members(ActorSystem<?> s) {
        List<Member> all = new ArrayList<>();
        Cluster.get(s).state().getMembers().forEach(all::add);
        return all;
    }

    private static boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(100);
        }
        return condition.getAsBoolean();
    }

    @Test
    void nodesWithCertificatesOfTheCaFormAClusterOverTls() throws Exception {
        TestPki pki = TestPki.create(dir, "cluster-ca");
        int seed = freePort();
        ActorSystem<Void> a = node(seed, seed, pki.issue("node-a"));
        ActorSystem<Void> b = node(freePort(), seed, pki.issue("node-b"));
        ActorSystem<Void> c = node(freePort(), seed, pki.issue("node-c"));
        assertThat(a.settings().config().getString("pekko.remote.artery.transport"))
                .isEqualTo("tls-tcp");
        assertThat(await(() -> up(a) == 3 && up(b) == 3 && up(c) == 3, UP))
                .as("three TLS nodes Up, seen by each")
                .isTrue();
    }

    @Test
    void nodesWithoutANodeCertificateOfTheCaNeverJoin() throws Exception {
        TestPki pki = TestPki.create(dir, "cluster-ca");
        TestPki stranger = TestPki.create(dir, "stranger-ca");
        int seed = freePort();
        ActorSystem<Void> a = node(seed, seed, pki.issue("node-a"));
        assertThat(await(() -> up(a) == 1, UP)).as("the seed alone is Up").isTrue();

        List<ActorSystem<Void>> refused = List.of(
                node(freePort(), seed, stranger.issue("node-x")), // another CA's certificate
                node(freePort(), seed, pki.issue("agent-h1-a", "portmesh:agent:h1:a")), // an agent's, same CA
                node(freePort(), seed, null)); // no TLS at all
        boolean anyJoined = await(
                () -> members(a).size() > 1
                        || refused.stream()
                                .anyMatch(r -> Cluster.get(r).selfMember().status() == MemberStatus.up()),
                REFUSED_WINDOW);
        assertThat(anyJoined)
                .as("a node without a node certificate of the CA joined")
                .isFalse();

        // a node with a proper certificate, started after them, still joins: the seed was reachable all along
        ActorSystem<Void> b = node(freePort(), seed, pki.issue("node-b"));
        assertThat(await(() -> up(a) == 2 && up(b) == 2, UP)).isTrue();
        assertThat(members(a)).hasSize(2);
    }
}
