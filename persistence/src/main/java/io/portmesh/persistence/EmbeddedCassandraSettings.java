package io.portmesh.persistence;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how {@link EmbeddedCassandra} runs Cassandra. Immutable; change it with the
 * {@code with*} methods.
 *
 * @param workDir holds {@code conf/}, {@code data/} and {@code logs/cassandra.log}
 * @param nativePort CQL port on 127.0.0.1
 * @param storagePort inter-node port on 127.0.0.1 (only this node talks to it, but it must be free)
 * @param startTimeout how long {@code start()} waits for CQL to answer
 * @param stopTimeout how long {@code close()} waits after SIGTERM before SIGKILL
 * @param maxHeap value of {@code -Xmx} without the flag, e.g. {@code 1g}
 * @param javaExecutable the {@code java} to launch Cassandra with; null picks a Java 17
 * @param cleanStart delete {@code data/} before launching a new instance (never touches one that is
 *     reused)
 */
public record EmbeddedCassandraSettings(
        Path workDir,
        int nativePort,
        int storagePort,
        Duration startTimeout,
        Duration stopTimeout,
        String maxHeap,
        Path javaExecutable,
        boolean cleanStart) {

    public static final String HOST = "127.0.0.1";
    public static final int DEFAULT_NATIVE_PORT = 9042;
    public static final int DEFAULT_STORAGE_PORT = 7000;

    public EmbeddedCassandraSettings {
        workDir = Objects.requireNonNull(workDir, "workDir").toAbsolutePath().normalize();
        requirePort(nativePort, "nativePort");
        requirePort(storagePort, "storagePort");
        if (nativePort == storagePort) {
            throw new IllegalArgumentException("nativePort and storagePort must differ: " + nativePort);
        }
        requirePositive(startTimeout, "startTimeout");
        requirePositive(stopTimeout, "stopTimeout");
        if (maxHeap == null || !maxHeap.matches("[0-9]+[kKmMgG]?")) {
            throw new IllegalArgumentException("maxHeap must look like 512m or 1g: " + maxHeap);
        }
    }

    /** Work directory {@code work/cassandra} under the current directory, ports 9042/7000. */
    public static EmbeddedCassandraSettings defaults() {
        return new EmbeddedCassandraSettings(
                Path.of("work", "cassandra"),
                DEFAULT_NATIVE_PORT,
                DEFAULT_STORAGE_PORT,
                Duration.ofSeconds(90),
                Duration.ofSeconds(30),
                "1g",
                null,
                false);
    }

    /**
     * Reads {@code portmesh.cassandra.embedded} (see reference.conf); the CQL port is the port of
     * {@code portmesh.cassandra.contact-point}.
     */
    public static EmbeddedCassandraSettings fromConfig(Config config) {
        Config embedded = config.getConfig("portmesh.cassandra.embedded");
        String java = embedded.getString("java");
        return defaults()
                .withWorkDir(Path.of(embedded.getString("dir")))
                .withNativePort(
                        CassandraSessions.parseContactPoint(config.getString("portmesh.cassandra.contact-point"))
                                .getPort())
                .withStoragePort(embedded.getInt("storage-port"))
                .withStartTimeout(embedded.getDuration("start-timeout"))
                .withStopTimeout(embedded.getDuration("stop-timeout"))
                .withMaxHeap(embedded.getString("max-heap"))
                .withJavaExecutable(java.isBlank() ? null : Path.of(java));
    }

    public Optional<Path> javaExecutableOverride() {
        return Optional.ofNullable(javaExecutable);
    }

    public Path confDir() {
        return workDir.resolve("conf");
    }

    public Path dataDir() {
        return workDir.resolve("data");
    }

    public Path logFile() {
        return workDir.resolve("logs").resolve("cassandra.log");
    }

    public EmbeddedCassandraSettings withWorkDir(Path value) {
        return new EmbeddedCassandraSettings(
                value, nativePort, storagePort, startTimeout, stopTimeout, maxHeap, javaExecutable, cleanStart);
    }

    public EmbeddedCassandraSettings withNativePort(int value) {
        return new EmbeddedCassandraSettings(
                workDir, value, storagePort, startTimeout, stopTimeout, maxHeap, javaExecutable, cleanStart);
    }

    public EmbeddedCassandraSettings withStoragePort(int value) {
        return new EmbeddedCassandraSettings(
                workDir, nativePort, value, startTimeout, stopTimeout, maxHeap, javaExecutable, cleanStart);
    }

    public EmbeddedCassandraSettings withStartTimeout(Duration value) {
        return new EmbeddedCassandraSettings(
                workDir, nativePort, storagePort, value, stopTimeout, maxHeap, javaExecutable, cleanStart);
    }

    public EmbeddedCassandraSettings withStopTimeout(Duration value) {
        return new EmbeddedCassandraSettings(
                workDir, nativePort, storagePort, startTimeout, value, maxHeap, javaExecutable, cleanStart);
    }

    public EmbeddedCassandraSettings withMaxHeap(String value) {
        return new EmbeddedCassandraSettings(
                workDir, nativePort, storagePort, startTimeout, stopTimeout, value, javaExecutable, cleanStart);
    }

    public EmbeddedCassandraSettings withJavaExecutable(Path value) {
        return new EmbeddedCassandraSettings(
                workDir, nativePort, storagePort, startTimeout, stopTimeout, maxHeap, value, cleanStart);
    }

    public EmbeddedCassandraSettings withCleanStart(boolean value) {
        return new EmbeddedCassandraSettings(
                workDir, nativePort, storagePort, startTimeout, stopTimeout, maxHeap, javaExecutable, value);
    }

    private static void requirePort(int port, String name) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(name + " out of range: " + port);
        }
    }

    private static void requirePositive(Duration duration, String name) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + duration);
        }
    }
}
