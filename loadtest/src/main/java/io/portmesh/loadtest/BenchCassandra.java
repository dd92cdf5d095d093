package io.portmesh.loadtest;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.portmesh.persistence.EmbeddedCassandra;
import io.portmesh.persistence.EmbeddedCassandraSettings;
import java.nio.file.Path;

/**
 * A benchmark's own Cassandra: embedded (a child JVM) on ports of the benchmark's choosing, so that it neither meets
 * the default 9042 nor the tests' Cassandra, in a directory of its own that every run starts empty; and the
 * configuration that points in-process controller nodes at it.
 */
public final class BenchCassandra {
    private BenchCassandra() {}

    /** Not started yet: {@link EmbeddedCassandra#start()}. */
    public static EmbeddedCassandra embedded(Path workDir, int nativePort, int storagePort) {
        return new EmbeddedCassandra(EmbeddedCassandraSettings.defaults()
                .withWorkDir(workDir)
                .withNativePort(nativePort)
                .withStoragePort(storagePort)
                .withCleanStart(true));
    }

    /**
     * The nodes' Cassandra: the benchmark's own. The driver section is set explicitly: {@code ConfigFactory.load()} has
     * already resolved its substitution of portmesh.cassandra.contact-point to the default port.
     */
    public static Config nodeConfig(String contactPoint) {
        return ConfigFactory.parseString("""
                portmesh.cassandra.contact-point = "%s"
                portmesh.cassandra.local-datacenter = "datacenter1"
                portmesh.cassandra.embedded.enabled = off
                datastax-java-driver.basic.contact-points = ["%s"]
                datastax-java-driver.basic.load-balancing-policy.local-datacenter = "datacenter1"
                """.formatted(contactPoint, contactPoint));
    }
}
