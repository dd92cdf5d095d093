package io.portmesh.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CassandraLaunchBuildersTest {

    @TempDir
    Path tmp;

    private EmbeddedCassandraSettings settings() {
        return EmbeddedCassandraSettings.defaults()
                .withWorkDir(tmp.resolve("it's here"))
                .withNativePort(19142)
                .withStoragePort(17100)
                .withMaxHeap("768m");
    }

    @Test
    void yamlPutsEveryDirectoryUnderTheWorkDirAndUsesTheConfiguredPorts() {
        EmbeddedCassandraSettings s = settings();
        List<String> lines = CassandraYaml.render(s).lines().toList();
        String data = s.dataDir().toString().replace("'", "''");

        assertThat(lines)
                .contains(
                        "cluster_name: 'portmesh-embedded'",
                        "num_tokens: 1",
                        "partitioner: org.apache.cassandra.dht.Murmur3Partitioner",
                        "commitlog_sync: periodic",
                        "commitlog_sync_period: 10000ms",
                        "  - '" + data + "/data'",
                        "commitlog_directory: '" + data + "/commitlog'",
                        "saved_caches_directory: '" + data + "/saved_caches'",
                        "hints_directory: '" + data + "/hints'",
                        "cdc_raw_directory: '" + data + "/cdc_raw'",
                        "      - seeds: '127.0.0.1:17100'",
                        "listen_address: 127.0.0.1",
                        "rpc_address: 127.0.0.1",
                        "native_transport_port: 19142",
                        "storage_port: 17100",
                        "endpoint_snitch: SimpleSnitch",
                        "start_native_transport: true");
        // the apostrophe in the work dir is escaped YAML-style, and the path is absolute
        assertThat(data).contains("it''s here");
        assertThat(s.dataDir()).isAbsolute();
    }

    @Test
    void writeCreatesYamlAndLogbackInConfDir() throws Exception {
        EmbeddedCassandraSettings s = settings();
        Path yaml = CassandraYaml.write(s);

        assertThat(yaml).isEqualTo(s.confDir().resolve("cassandra.yaml"));
        assertThat(Files.readString(yaml)).isEqualTo(CassandraYaml.render(s));
        assertThat(Files.readString(s.confDir().resolve("logback.xml"))).contains("<root level=\"INFO\">");
    }

    @Test
    void commandLineCarriesHeapModuleFlagsConfigAndClassPath() {
        EmbeddedCassandraSettings s = settings();
        Path java = Path.of("/opt/jdk17/bin/java");
        List<Path> cp = List.of(Path.of("/repo/a.jar"), Path.of("/repo/b.jar"));

        List<String> cmd = CassandraCommandLine.build(s, java, cp);

        assertThat(cmd.get(0)).isEqualTo("/opt/jdk17/bin/java");
        assertThat(cmd)
                .contains(
                        "-Xms128m",
                        "-Xmx768m",
                        "-XX:+ExitOnOutOfMemoryError",
                        "-Djdk.attach.allowAttachSelf=true",
                        "-Dcassandra-foreground=yes",
                        "-Dcassandra.memtable.row_overhead_size=180",
                        "-Dcassandra.storagedir=" + s.dataDir(),
                        "-Dcassandra.config="
                                + s.confDir().resolve("cassandra.yaml").toUri());
        List<String> pairs = new java.util.ArrayList<>();
        for (int i = 0; i + 1 < cmd.size(); i++) {
            pairs.add(cmd.get(i) + " " + cmd.get(i + 1));
        }
        for (String open : CassandraCommandLine.ADD_OPENS) {
            assertThat(pairs).contains("--add-opens " + open + "=ALL-UNNAMED");
        }
        for (String export : CassandraCommandLine.ADD_EXPORTS) {
            assertThat(pairs).contains("--add-exports " + export + "=ALL-UNNAMED");
        }
        assertThat(cmd.subList(cmd.size() - 3, cmd.size()))
                .containsExactly(
                        "-cp", "/repo/a.jar" + File.pathSeparator + "/repo/b.jar", CassandraCommandLine.MAIN_CLASS);
    }

    @Test
    void javaLocatorPrefersOverrideThenThisJvmWhenItIsJava17ThenTheDebianPath() throws Exception {
        Path current = Path.of("/current/java");
        Path fallback = Files.createFile(tmp.resolve("java17"));
        fallback.toFile().setExecutable(true);
        Path override = Path.of("/explicit/java");

        assertThat(JavaLocator.locate(Optional.of(override), 25, current, fallback))
                .isEqualTo(override);
        assertThat(JavaLocator.locate(Optional.empty(), 17, current, fallback)).isEqualTo(current);
        assertThat(JavaLocator.locate(Optional.empty(), 25, current, fallback)).isEqualTo(fallback);
        assertThatThrownBy(() -> JavaLocator.locate(Optional.empty(), 25, current, tmp.resolve("missing")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Java 17")
                .hasMessageContaining("portmesh.cassandra.embedded.java");
    }

    @Test
    void classPathResourceListsCassandraWithItsOwnNetty() {
        List<Path> cp = CassandraClassPath.load();

        assertThat(cp).allSatisfy(p -> assertThat(p).isAbsolute().isRegularFile());
        assertThat(cp).anySatisfy(p -> assertThat(p.getFileName().toString()).startsWith("cassandra-all-"));
        // the controller's Netty 4.2 must not leak into Cassandra's class path
        assertThat(cp)
                .filteredOn(p -> p.getFileName().toString().startsWith("netty-all-"))
                .singleElement()
                .satisfies(p -> assertThat(p.getFileName().toString()).startsWith("netty-all-4.1."));
    }

    @Test
    void classPathParsingRejectsMissingJars() {
        String text = tmp.resolve("gone.jar") + File.pathSeparator + tmp.resolve("also-gone.jar");
        assertThatThrownBy(() -> CassandraClassPath.parse(text))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("gone.jar")
                .hasMessageContaining("cassandra-server install");
        assertThatThrownBy(() -> CassandraClassPath.parse(" \n"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("empty");
    }

    @Test
    void settingsRejectNonsense() {
        EmbeddedCassandraSettings d = EmbeddedCassandraSettings.defaults();
        assertThatThrownBy(() -> d.withNativePort(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withNativePort(7000)).hasMessageContaining("differ");
        assertThatThrownBy(() -> d.withStartTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withMaxHeap("1 GB")).isInstanceOf(IllegalArgumentException.class);
        assertThat(d.workDir()).isEqualTo(Path.of("work/cassandra").toAbsolutePath());
        assertThat(d.nativePort()).isEqualTo(9042);
        assertThat(d.storagePort()).isEqualTo(7000);
        assertThat(d.startTimeout()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void mainParsesItsOptions() {
        EmbeddedCassandraSettings s = EmbeddedCassandraMain.parse(
                new String[] {"--dir", "x/y", "--port", "9142", "--storage-port", "7100", "--timeout", "30", "--clean"},
                EmbeddedCassandraSettings.defaults());

        assertThat(s.workDir()).isEqualTo(Path.of("x/y").toAbsolutePath());
        assertThat(s.nativePort()).isEqualTo(9142);
        assertThat(s.storagePort()).isEqualTo(7100);
        assertThat(s.startTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.cleanStart()).isTrue();
        assertThatThrownBy(() -> EmbeddedCassandraMain.parse(new String[] {"--port"}, s))
                .hasMessageContaining("missing value");
        assertThatThrownBy(() -> EmbeddedCassandraMain.parse(new String[] {"--bogus", "1"}, s))
                .hasMessageContaining("unknown option");
        assertThatThrownBy(() -> EmbeddedCassandraMain.parse(new String[] {"--port", "x"}, s))
                .hasMessageContaining("needs a number");
    }

    @Test
    void logTailKeepsTheLastLines() throws Exception {
        Path log = tmp.resolve("c.log");
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= 100; i++) {
            text.append("line ").append(i).append('\n');
        }
        Files.writeString(log, text);

        assertThat(LogTail.read(log, 3)).isEqualTo("line 98\nline 99\nline 100");
        assertThat(LogTail.read(tmp.resolve("none.log"), 3)).contains("no log");
    }
}
