package io.portmesh.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchemaAndConfigTest {

    @Test
    void schemaHasTheKeyspacesAndEveryTableThePluginNeeds() {
        List<String> statements = new SchemaInstaller(Replication.simple(1)).statements();

        assertThat(statements).hasSize(9).allSatisfy(s -> assertThat(s).containsIgnoringCase("IF NOT EXISTS"));
        assertThat(statements)
                .map(s -> s.lines().findFirst().orElseThrow())
                .containsExactly(
                        "CREATE KEYSPACE IF NOT EXISTS portmesh_journal",
                        "CREATE KEYSPACE IF NOT EXISTS portmesh_snapshot",
                        "CREATE TABLE IF NOT EXISTS portmesh_journal.messages (",
                        "CREATE TABLE IF NOT EXISTS portmesh_journal.tag_views (",
                        "CREATE TABLE IF NOT EXISTS portmesh_journal.tag_write_progress (",
                        "CREATE TABLE IF NOT EXISTS portmesh_journal.tag_scanning (",
                        "CREATE TABLE IF NOT EXISTS portmesh_journal.metadata (",
                        "CREATE TABLE IF NOT EXISTS portmesh_journal.all_persistence_ids (",
                        "CREATE TABLE IF NOT EXISTS portmesh_snapshot.snapshots (");
        assertThat(statements.get(0))
                .endsWith("WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    }

    @Test
    void replicationFromConfigReplacesTheKeyspaceMaps() {
        Config config = ConfigFactory.parseString(
                        "portmesh.cassandra.replication { strategy = NetworkTopologyStrategy, datacenters { dc-a = 3, dc2 = 2 } }")
                .withFallback(ConfigFactory.defaultReference());

        List<String> statements = SchemaInstaller.fromConfig(config).statements();

        String expected = "{'class': 'NetworkTopologyStrategy', 'dc-a': 3, 'dc2': 2}";
        assertThat(statements.get(0)).endsWith("WITH replication = " + expected);
        assertThat(statements.get(1)).endsWith("WITH replication = " + expected);
        assertThat(statements.subList(2, statements.size())).noneMatch(s -> s.contains("NetworkTopologyStrategy"));
    }

    @Test
    void theJournalPluginsKeyspacesReplaceTheFilesAndTheTablesAreListedUnderThem() {
        Config config = ConfigFactory.parseString("""
                        pekko.persistence.cassandra.journal.keyspace = pm_j
                        pekko.persistence.cassandra.snapshot.keyspace = pm_s
                        """).withFallback(ConfigFactory.defaultReference());

        SchemaInstaller installer = SchemaInstaller.fromConfig(config);

        assertThat(installer.statements())
                .noneMatch(s -> s.contains("portmesh_journal") || s.contains("portmesh_snapshot"));
        assertThat(installer.statements().get(0)).startsWith("CREATE KEYSPACE IF NOT EXISTS pm_j\n");
        assertThat(installer.tables())
                .containsExactly(
                        "pm_j.messages",
                        "pm_j.tag_views",
                        "pm_j.tag_write_progress",
                        "pm_j.tag_scanning",
                        "pm_j.metadata",
                        "pm_j.all_persistence_ids",
                        "pm_s.snapshots");
        assertThat(installer.tablesQuery().getPositionalValues()).hasSize(2);
        assertThatThrownBy(() -> new SchemaInstaller(Replication.simple(1), "pm; DROP", "pm_s"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'pm; DROP'");
    }

    @Test
    void schemaInstallIsAutoByDefaultAndAnUnknownValueIsRefusedNamingTheKnownOnes() {
        assertThat(SchemaInstallSetting.of(ConfigFactory.defaultReference())).isEqualTo(SchemaInstallSetting.AUTO);
        assertThat(SchemaInstallSetting.of(ConfigFactory.parseString(SchemaInstallSetting.PATH + " = OFF")))
                .isEqualTo(SchemaInstallSetting.OFF);
        assertThatThrownBy(
                        () -> SchemaInstallSetting.of(ConfigFactory.parseString(SchemaInstallSetting.PATH + " = once")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'once'")
                .hasMessageContaining("auto")
                .hasMessageContaining("off");
    }

    @Test
    void replicationRejectsBadValues() {
        assertThatThrownBy(() -> Replication.simple(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Replication.networkTopology(Map.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Replication.networkTopology(Map.of("dc'1", 3)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Replication("LocalStrategy", 1, Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void scriptParserDropsCommentsAndSplitsAtSemicolons() {
        List<String> parsed =
                SchemaInstaller.parse("-- a comment; with a semicolon\nSELECT 1\n  FROM t;\n// x\n\nSELECT 2;\n");
        assertThat(parsed).containsExactly("SELECT 1\n  FROM t", "SELECT 2");
    }

    @Test
    void referenceConfigSelectsTheCassandraPluginsWithoutAutocreate() {
        Config c = ConfigFactory.load();

        assertThat(c.getString("pekko.persistence.journal.plugin")).isEqualTo("pekko.persistence.cassandra.journal");
        assertThat(c.getString("pekko.persistence.snapshot-store.plugin"))
                .isEqualTo("pekko.persistence.cassandra.snapshot");
        assertThat(c.getString("pekko.persistence.cassandra.journal.keyspace")).isEqualTo("portmesh_journal");
        assertThat(c.getString("pekko.persistence.cassandra.snapshot.keyspace")).isEqualTo("portmesh_snapshot");
        assertThat(c.getBoolean("pekko.persistence.cassandra.journal.keyspace-autocreate"))
                .isFalse();
        assertThat(c.getBoolean("pekko.persistence.cassandra.journal.tables-autocreate"))
                .isFalse();
        assertThat(c.getBoolean("pekko.persistence.cassandra.snapshot.keyspace-autocreate"))
                .isFalse();
        assertThat(c.getBoolean("pekko.persistence.cassandra.snapshot.tables-autocreate"))
                .isFalse();
        assertThat(c.getBoolean("pekko.persistence.cassandra.events-by-tag.enabled"))
                .isTrue();
        // the untagged journal (ports): the same tables, no events-by-tag
        String untagged = c.getString("portmesh.persistence.untagged-journal-plugin");
        assertThat(untagged).isEqualTo("portmesh.persistence.cassandra-untagged.journal");
        assertThat(c.getString(untagged + ".class"))
                .isEqualTo(c.getString("pekko.persistence.cassandra.journal.class"));
        assertThat(c.getString(untagged + ".keyspace")).isEqualTo("portmesh_journal");
        assertThat(c.getString(untagged + ".table"))
                .isEqualTo(c.getString("pekko.persistence.cassandra.journal.table"));
        assertThat(c.getBoolean("portmesh.persistence.cassandra-untagged.events-by-tag.enabled"))
                .isFalse();
        assertThat(c.getBoolean(untagged + ".support-deletes")).isFalse();
        assertThat(c.getString("pekko.actor.serialization-bindings.\"io.portmesh.model.CborSerializable\""))
                .isEqualTo("jackson-cbor");
        assertThat(c.getString("portmesh.cassandra.local-datacenter")).isEqualTo("datacenter1");
        assertThat(c.getString("datastax-java-driver.basic.load-balancing-policy.local-datacenter"))
                .isEqualTo("datacenter1");
        if (System.getenv("PORTMESH_CASSANDRA") == null) {
            assertThat(c.getStringList("datastax-java-driver.basic.contact-points"))
                    .containsExactly("127.0.0.1:9042");
        }
    }

    /**
     * After Cassandra was away the nodes must write again within seconds of its return (CassandraOutageTest): the
     * journals' and the snapshot store's circuit breakers try again every 2 s, as the driver reconnects and the read
     * side's queries retry.
     */
    @Test
    void afterCassandraWasAwayTheBreakersAndTheDriverTryAgainWithinTwoSeconds() {
        Config c = ConfigFactory.load();
        String untagged = c.getString("portmesh.persistence.untagged-journal-plugin");
        for (String plugin :
                List.of("pekko.persistence.cassandra.journal", "pekko.persistence.cassandra.snapshot", untagged)) {
            assertThat(c.getDuration(plugin + ".circuit-breaker.reset-timeout"))
                    .as(plugin)
                    .isEqualTo(java.time.Duration.ofSeconds(2));
        }
        assertThat(c.getDuration("datastax-java-driver.advanced.reconnection-policy.max-delay"))
                .isEqualTo(java.time.Duration.ofSeconds(2));
        // the read side's events-by-tag queries, likewise, and without giving up
        assertThat(c.getDuration("pekko.persistence.cassandra.events-by-tag.retries.max-backoff"))
                .isEqualTo(java.time.Duration.ofSeconds(2));
        assertThat(c.getInt("pekko.persistence.cassandra.events-by-tag.retries.attempts"))
                .isEqualTo(-1);
    }

    @Test
    void anApplicationContactPointReachesTheDriverSection() {
        Config c =
                ConfigFactory.load(ConfigFactory.parseString("portmesh.cassandra.contact-point = \"10.1.2.3:9142\""));

        assertThat(c.getStringList("datastax-java-driver.basic.contact-points")).containsExactly("10.1.2.3:9142");
    }

    @Test
    void embeddedSettingsComeFromConfig() {
        Config c = ConfigFactory.parseString(
                        "portmesh.cassandra { contact-point = \"127.0.0.1:9142\", embedded { dir = w/c, storage-port = 7100 } }")
                .withFallback(ConfigFactory.defaultReference());

        EmbeddedCassandraSettings s = EmbeddedCassandraSettings.fromConfig(c);

        assertThat(s.nativePort()).isEqualTo(9142);
        assertThat(s.storagePort()).isEqualTo(7100);
        assertThat(s.workDir()).isEqualTo(java.nio.file.Path.of("w/c").toAbsolutePath());
        assertThat(s.javaExecutableOverride()).isEmpty();
    }

    @Test
    void contactPointsParse() {
        assertThat(CassandraSessions.parseContactPoint("127.0.0.1:19042"))
                .isEqualTo(new InetSocketAddress("127.0.0.1", 19042));
        assertThat(CassandraSessions.parseContactPoint("127.0.0.1"))
                .isEqualTo(new InetSocketAddress("127.0.0.1", 9042));
        assertThat(CassandraSessions.parseContactPoint("[::1]:9142")).isEqualTo(new InetSocketAddress("::1", 9142));
        assertThatThrownBy(() -> CassandraSessions.parseContactPoint("host:port"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CassandraSessions.parseContactPoint(":9042"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
