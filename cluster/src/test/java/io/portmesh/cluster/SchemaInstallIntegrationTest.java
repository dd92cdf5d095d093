package io.portmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.portmesh.persistence.SchemaInstaller;
import io.portmesh.persistence.testkit.CassandraExtension;
import io.portmesh.persistence.testkit.TestCassandra;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schema installed once rather than by every node: {@code portmesh-controller schema install} (the Kubernetes
 * Job's command) in its own JVM, and a node with {@code portmesh.cassandra.schema.install = off} waiting for it. Each
 * test uses keyspaces of its own, so that the suite's Cassandra starts without them.
 */
@ExtendWith(CassandraExtension.class)
class SchemaInstallIntegrationTest {
    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper json = new ObjectMapper();
    private static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(120);

    /** Keyspaces no other test uses: {@code <prefix>_journal} and {@code <prefix>_snapshot}. */
    private static Config keyspaces(String prefix) {
        return ConfigFactory.parseString("""
                pekko.persistence.cassandra.journal.keyspace = %s_journal
                pekko.persistence.cassandra.snapshot.keyspace = %s_snapshot
                """.formatted(prefix, prefix));
    }

    private static String freshPrefix() {
        return "pm_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    private static SchemaInstaller installer(Config keyspaces) {
        return SchemaInstaller.fromConfig(keyspaces.withFallback(ConfigFactory.defaultReference()));
    }

    /** {@code portmesh-controller schema install ...} in its own JVM; its exit status, its output in {@code log}. */
    private static int schemaInstall(TestCassandra cassandra, String prefix, Path log, String... more)
            throws IOException, InterruptedException {
        List<String> jvm = new ArrayList<>(List.of(
                "-Xmx256m",
                "-Dportmesh.cassandra.contact-point=" + cassandra.contactPointString(),
                "-Dportmesh.cassandra.local-datacenter=" + cassandra.localDatacenter(),
                "-Dpekko.persistence.cassandra.journal.keyspace=" + prefix + "_journal",
                "-Dpekko.persistence.cassandra.snapshot.keyspace=" + prefix + "_snapshot"));
        List<String> args = new ArrayList<>(List.of("schema", "install"));
        args.addAll(List.of(more));
        Process p = new ProcessBuilder(ChildJvm.command(jvm, ControllerMain.class.getName(), args))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!p.waitFor(PROCESS_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            ChildJvm.awaitOrKill(p, Duration.ZERO);
            throw new AssertionError(
                    "schema install ran longer than " + PROCESS_TIMEOUT + ": " + Files.readString(log));
        }
        return p.exitValue();
    }

    private static String schemaVersion(CqlSession session) {
        return session.execute("SELECT schema_version FROM system.local")
                .one()
                .getUuid(0)
                .toString();
    }

    @Test
    void schemaInstallCreatesEveryTableAndExitsZeroAndASecondRunChangesNothing(
            TestCassandra cassandra, @TempDir Path dir) throws Exception {
        String prefix = freshPrefix();
        SchemaInstaller installer = installer(keyspaces(prefix));
        try (CqlSession session = cassandra.openSession()) {
            assertThat(installer.missing(session)).hasSize(7);

            Path first = dir.resolve("first.log");
            assertThat(schemaInstall(cassandra, prefix, first))
                    .as(Files.readString(first))
                    .isZero();
            assertThat(installer.missing(session)).isEmpty();
            assertThat(Files.readString(first)).contains("Installing the schema", prefix + "_journal.messages");

            String version = schemaVersion(session);
            Path second = dir.resolve("second.log");
            assertThat(schemaInstall(cassandra, prefix, second))
                    .as(Files.readString(second))
                    .isZero();
            assertThat(Files.readString(second)).contains("installed already").doesNotContain("Installing the schema");
            assertThat(schemaVersion(session)).as("Cassandra's schema version").isEqualTo(version);
        }
    }

    @Test
    void schemaInstallExitsOneWhenNoCassandraAnswersInTime(@TempDir Path dir) throws Exception {
        int closed = LocalPorts.freeTcpPorts(1)[0]; // nothing listens there
        TestCassandra nowhere = new TestCassandra(
                new java.net.InetSocketAddress("127.0.0.1", closed), CassandraExtension.LOCAL_DATACENTER, false);
        Path log = dir.resolve("nowhere.log");
        assertThat(schemaInstall(nowhere, freshPrefix(), log, "--wait-seconds", "3"))
                .as(Files.readString(log))
                .isEqualTo(1);
        assertThat(Files.readString(log)).contains("No Cassandra answered at 127.0.0.1:" + closed + " within 3 s");
    }

    @Test
    void aNodeWithInstallOffIsNotReadyNamingTheMissingTablesUntilTheSchemaIsInstalledThenServes(TestCassandra cassandra)
            throws Exception {
        String prefix = freshPrefix();
        Config keyspaces = keyspaces(prefix);
        int[] ports = LocalPorts.freeTcpPorts(2);
        Config overrides =
                keyspaces.withFallback(ConfigFactory.parseString("""
                        portmesh.cassandra.schema.install = off
                        portmesh.controller.ask-timeout = 5s
                        portmesh.controller.warm-port-ids = 0
                        """)).withFallback(cassandra.config());
        try (LocalCluster c =
                LocalCluster.start(new int[] {ports[0]}, new int[] {ports[1]}, overrides, Duration.ofSeconds(60))) {
            JsonNode notReady = awaitReady(
                    c, r -> r.path("checks").path("cassandra").asText().contains("no table"));
            assertThat(notReady.path("status").asText()).isNotEqualTo("ready");
            assertThat(notReady.path("message").asText())
                    .startsWith("not ready: the schema is not installed in the journal's Cassandra: Cassandra answers,"
                            + " but has no table " + prefix + "_journal.messages")
                    .contains("portmesh-controller schema install");
            assertThat(notReady.path("checks").path("member").asText()).isEqualTo("Up");

            try (CqlSession session = cassandra.openSession()) {
                assertThat(installer(keyspaces).installIfMissing(session)).isTrue();
            }
            JsonNode ready = awaitReady(c, r -> r.path("status").asText().equals("ready"));
            assertThat(ready.path("checks").path("cassandra").asText()).isEqualTo("ok");

            // the journal the node started without tables writes once they exist
            HttpResponse<String> created = http.send(
                    HttpRequest.newBuilder(uri(c, "/v1/switches"))
                            .timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"late-schema\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            try (CqlSession session = cassandra.openSession()) {
                long events = session.execute("SELECT count(*) FROM " + prefix + "_journal.messages")
                        .one()
                        .getLong(0);
                assertThat(events).isPositive();
            }
        }
    }

    private static URI uri(LocalCluster c, String path) {
        return URI.create("http://127.0.0.1:" + c.nodes().get(0).httpAddress().getPort() + path);
    }

    /** The first {@code /ready} body that {@code done} accepts, within 60 s. */
    private static JsonNode awaitReady(LocalCluster c, java.util.function.Predicate<JsonNode> done)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(uri(c, "/ready"))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = json.readTree(r.body());
            if (done.test(body)) {
                return body;
            }
            assertThat(System.nanoTime() - deadline)
                    .as("/ready still answers %s", r.body())
                    .isNegative();
            TestCluster.sleep(200);
        }
    }
}
