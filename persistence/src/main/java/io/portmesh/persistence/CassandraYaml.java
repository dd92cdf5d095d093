package io.portmesh.persistence;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the configuration files of an embedded node: a minimal single-node {@code cassandra.yaml}
 * and a {@code logback.xml} (cassandra-all ships none, and logback's default would log DEBUG).
 */
final class CassandraYaml {

    static final String CLUSTER_NAME = "portmesh-embedded";

    private CassandraYaml() {}

    static String render(EmbeddedCassandraSettings settings) {
        Path data = settings.dataDir();
        String host = EmbeddedCassandraSettings.HOST;
        // Cassandra refuses to start on a data directory written under another cluster name, so the
        // name is a constant rather than derived from the settings.
        return String.join(
                "\n",
                "# Written by Portmesh's EmbeddedCassandra on every start; edits are lost.",
                "cluster_name: " + quote(CLUSTER_NAME),
                "num_tokens: 1",
                "partitioner: org.apache.cassandra.dht.Murmur3Partitioner",
                "commitlog_sync: periodic",
                "commitlog_sync_period: 10000ms",
                "data_file_directories:",
                "  - " + quote(data.resolve("data").toString()),
                "commitlog_directory: " + quote(data.resolve("commitlog").toString()),
                "saved_caches_directory: " + quote(data.resolve("saved_caches").toString()),
                "hints_directory: " + quote(data.resolve("hints").toString()),
                "cdc_raw_directory: " + quote(data.resolve("cdc_raw").toString()),
                "seed_provider:",
                "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider",
                "    parameters:",
                "      - seeds: " + quote(host + ":" + settings.storagePort()),
                "listen_address: " + host,
                "rpc_address: " + host,
                "native_transport_port: " + settings.nativePort(),
                "storage_port: " + settings.storagePort(),
                "endpoint_snitch: SimpleSnitch",
                "start_native_transport: true",
                // tests truncate and drop freely; a snapshot per drop would only fill the disk
                "auto_snapshot: false",
                "");
    }

    static String renderLogback() {
        return String.join(
                "\n",
                "<configuration>",
                "  <appender name=\"STDOUT\" class=\"ch.qos.logback.core.ConsoleAppender\">",
                "    <encoder>",
                "      <pattern>%-5level [%thread] %date{ISO8601} %logger{0} - %msg%n</pattern>",
                "    </encoder>",
                "  </appender>",
                "  <root level=\"INFO\">",
                "    <appender-ref ref=\"STDOUT\"/>",
                "  </root>",
                "</configuration>",
                "");
    }

    /** Writes both files under {@code settings.confDir()} and returns the yaml's path. */
    static Path write(EmbeddedCassandraSettings settings) {
        try {
            Files.createDirectories(settings.confDir());
            Files.writeString(yamlPath(settings), render(settings), StandardCharsets.UTF_8);
            Files.writeString(logbackPath(settings), renderLogback(), StandardCharsets.UTF_8);
            return yamlPath(settings);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write Cassandra configuration under " + settings.confDir(), e);
        }
    }

    static Path yamlPath(EmbeddedCassandraSettings settings) {
        return settings.confDir().resolve("cassandra.yaml");
    }

    static Path logbackPath(EmbeddedCassandraSettings settings) {
        return settings.confDir().resolve("logback.xml");
    }

    /** YAML single-quoted scalar: the only escape is a doubled quote. */
    static String quote(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
