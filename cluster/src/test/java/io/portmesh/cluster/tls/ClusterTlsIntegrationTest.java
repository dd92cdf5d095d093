package io.portmesh.cluster.tls;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.portmesh.cluster.pki.Pki;
import io.portmesh.cluster.pki.PlainLeaf;
import io.portmesh.openflow.tls.OfTlsFiles;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster remoting over mutual TLS, as portmesh.cluster.tls switches it on: nodes with node certificates of the
 * deployment CA ({@code portmeshctl pki node}: URI portmesh:node:name) form a cluster; a node with a certificate of
 * another CA, with an agent's certificate of the same CA, with a certificate of the same CA without the node URI, or
 * without TLS, never becomes a member. Actor systems in this JVM, with the cluster membership only (no Cassandra).
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
    private ActorSystem<Void> node(int port, int seedPort, OfTlsFiles files) {
        String tls = files == null
                ? "portmesh.cluster.tls.enabled = off"
                : """
                  portmesh.cluster.tls {
                    enabled = on
                    cert-file = "%s"
                    key-file = "%s"
                    ca-file = "%s"
                  }
                  """.formatted(files.certificate(), files.key(), files.ca());
        return start(ClusterTls.apply(ConfigFactory.parseString(tls).withFallback(base(port, seedPort))));
    }

    /**
     * A node presenting {@code files}, a certificate our own start check refuses ({@link ClusterTls#fromConfig}), so
     * it runs Artery's TLS with {@link RogueEngineProvider}, which checks nothing: what keeps it out is the seed.
     */
    private ActorSystem<Void> notANode(int port, int seedPort, OfTlsFiles files) {
        return start(ConfigFactory.parseString("""
                        pekko.remote.artery.transport = tls-tcp
                        pekko.remote.artery.ssl.ssl-engine-provider = "%s"
                        portmesh.test.rogue-tls { cert-file = "%s", key-file = "%s", ca-file = "%s" }
                        """.formatted(
                                RogueEngineProvider.class.getName(), files.certificate(), files.key(), files.ca()))
                .withFallback(base(port, seedPort)));
    }

    private static Config base(int port, int seedPort) {
        return ConfigFactory.parseString("""
                        pekko.loglevel = WARNING
                        pekko.remote.artery.canonical.hostname = "127.0.0.1"
                        pekko.remote.artery.canonical.port = %d
                        pekko.cluster.seed-nodes = ["pekko://portmesh@127.0.0.1:%d"]
                        pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                        pekko.coordinated-shutdown.exit-jvm = off
                        pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
                        """.formatted(port, seedPort))
                .withFallback(ConfigFactory.load())
                .resolve();
    }

    private ActorSystem<Void> start(Config config) {
        ActorSystem<Void> s = ActorSystem.create(Behaviors.empty(), "portmesh", config);
        systems.add(s);
        return s;
    }

    private OfTlsFiles nodeCertificate(String name) throws IOException {
        return Pki.issueNode(dir, name, List.of("127.0.0.1"));
    }

    private Path caFile() {
        return dir.resolve(Pki.CA_CERTIFICATE);
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

    @BeforeEach
    void ca() throws IOException {
        Pki.init(dir);
    }

    @Test
    void nodesWithCertificatesOfTheCaFormAClusterOverTls() throws Exception {
        int seed = freePort();
        ActorSystem<Void> a = node(seed, seed, nodeCertificate("node-a"));
        ActorSystem<Void> b = node(freePort(), seed, nodeCertificate("node-b"));
        ActorSystem<Void> c = node(freePort(), seed, nodeCertificate("node-c"));
        assertThat(a.settings().config().getString("pekko.remote.artery.transport"))
                .isEqualTo("tls-tcp");
        assertThat(await(() -> up(a) == 3 && up(b) == 3 && up(c) == 3, UP))
                .as("three TLS nodes Up, seen by each")
                .isTrue();
    }

    @Test
    void nodesWithoutANodeCertificateOfTheCaNeverJoin() throws Exception {
        Path stranger = dir.resolve("stranger");
        Pki.init(stranger);
        int seed = freePort();
        ActorSystem<Void> a = node(seed, seed, nodeCertificate("node-a"));
        assertThat(await(() -> up(a) == 1, UP)).as("the seed alone is Up").isTrue();

        OfTlsFiles foreign = Pki.issueNode(stranger, "node-x", List.of("127.0.0.1"));
        List<ActorSystem<Void>> refused = List.of(
                // another CA's node certificate, trusting ours
                node(freePort(), seed, new OfTlsFiles(foreign.certificate(), foreign.key(), caFile())),
                notANode(freePort(), seed, Pki.issueAgent(dir, "h1", "a")), // an agent's, same CA
                notANode(freePort(), seed, PlainLeaf.issue(dir, "node-y")), // the CA's, but no node URI
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
        ActorSystem<Void> b = node(freePort(), seed, nodeCertificate("node-b"));
        assertThat(await(() -> up(a) == 2 && up(b) == 2, UP)).isTrue();
        assertThat(members(a)).hasSize(2);
    }
}
