package io.portmesh.persistence;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Cassandra, started as a child JVM from the class path that portmesh-cassandra-server
 * carries, with its data under a work directory. Used by dev runs and tests.
 *
 * <p>{@link #start()} reuses a Cassandra that already answers CQL on the configured port; such an
 * instance is not owned and {@link #close()} leaves it running. An owned instance is stopped by
 * {@link #close()} or, failing that, by a JVM shutdown hook.
 */
public final class EmbeddedCassandra implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedCassandra.class);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);
    private static final int LOG_TAIL_LINES = 40;

    private final EmbeddedCassandraSettings settings;
    private CassandraProcess process;
    private Thread shutdownHook;
    private String releaseVersion;

    public EmbeddedCassandra(EmbeddedCassandraSettings settings) {
        this.settings = settings;
    }

    /**
     * Returns once CQL answers ({@code SELECT release_version FROM system.local}). Calling it again
     * is a no-op.
     *
     * @throws IllegalStateException when Cassandra exits or does not answer within the start
     *     timeout; the message carries the tail of its log, and the child is stopped
     */
    public synchronized EmbeddedCassandra start() {
        if (releaseVersion != null) {
            return this;
        }
        Optional<String> running = CqlProbe.releaseVersion(contactPoint(), PROBE_TIMEOUT);
        if (running.isPresent()) {
            releaseVersion = running.get();
            log.info("Reusing Cassandra {} already answering at {}", releaseVersion, contactPointString());
            return this;
        }
        if (settings.cleanStart()) {
            deleteRecursively(settings.dataDir());
        }
        CassandraYaml.write(settings);
        Path java = JavaLocator.locate(settings.javaExecutableOverride());
        List<String> command = CassandraCommandLine.build(settings, java, CassandraClassPath.load());
        process = CassandraProcess.launch(command, settings.workDir(), settings.logFile());
        CassandraProcess launched = process;
        shutdownHook = new Thread(() -> launched.stop(settings.stopTimeout()), "embedded-cassandra-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            releaseVersion = awaitCql(launched);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        log.info("Cassandra {} answers CQL at {}", releaseVersion, contactPointString());
        return this;
    }

    private String awaitCql(CassandraProcess launched) {
        long deadline = System.nanoTime() + settings.startTimeout().toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (!launched.isAlive()) {
                throw new IllegalStateException("Cassandra exited with code "
                        + launched.exitCode().orElse(-1) + " before answering CQL at " + contactPointString()
                        + "; last lines of " + launched.logFile() + ":\n" + launched.logTail(LOG_TAIL_LINES));
            }
            Optional<String> version = CqlProbe.releaseVersion(contactPoint(), PROBE_TIMEOUT);
            if (version.isPresent()) {
                return version.get();
            }
            sleep(POLL_INTERVAL);
        }
        throw new IllegalStateException("Cassandra did not answer CQL at " + contactPointString() + " within "
                + settings.startTimeout() + "; last lines of " + launched.logFile() + ":\n"
                + launched.logTail(LOG_TAIL_LINES));
    }

    public InetSocketAddress contactPoint() {
        return new InetSocketAddress(EmbeddedCassandraSettings.HOST, settings.nativePort());
    }

    /** {@code 127.0.0.1:port}, the form {@code portmesh.cassandra.contact-point} takes. */
    public String contactPointString() {
        return EmbeddedCassandraSettings.HOST + ":" + settings.nativePort();
    }

    /** Whether this instance launched the Cassandra it talks to (false when it reused one). */
    public synchronized boolean owned() {
        return process != null;
    }

    /** The child's pid when owned. */
    public synchronized OptionalLong pid() {
        return process == null ? OptionalLong.empty() : OptionalLong.of(process.pid());
    }

    /** Cassandra's version as reported by {@code system.local}; null before {@link #start()}. */
    public synchronized String releaseVersion() {
        return releaseVersion;
    }

    public EmbeddedCassandraSettings settings() {
        return settings;
    }

    public Path logFile() {
        return settings.logFile();
    }

    /** Stops the child if this instance launched it; a reused Cassandra keeps running. */
    @Override
    public synchronized void close() {
        if (process == null) {
            releaseVersion = null;
            return;
        }
        process.stop(settings.stopTimeout());
        process = null;
        releaseVersion = null;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or about to; it finds the process stopped
        }
        shutdownHook = null;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Cassandra", e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path visited, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.delete(visited);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    /**
     * Runs Cassandra in the foreground until this JVM is stopped (Ctrl-C stops Cassandra too).
     * Options: {@code --dir DIR --port N --storage-port N --timeout SECONDS --max-heap SIZE
     * --clean}.
     */
    public static void main(String[] args) throws InterruptedException {
        EmbeddedCassandraSettings settings;
        try {
            settings = EmbeddedCassandraMain.parse(args, EmbeddedCassandraSettings.defaults());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(EmbeddedCassandraMain.USAGE);
            System.exit(2);
            return;
        }
        EmbeddedCassandra cassandra = new EmbeddedCassandra(settings).start();
        if (!cassandra.owned()) {
            System.out.println("Cassandra " + cassandra.releaseVersion() + " is already running at "
                    + cassandra.contactPointString() + "; nothing to do.");
            return;
        }
        System.out.println("Cassandra " + cassandra.releaseVersion() + " ready at " + cassandra.contactPointString()
                + " (pid " + cassandra.pid().orElse(-1) + ", data " + settings.dataDir() + ", log "
                + cassandra.logFile() + "). Ctrl-C stops it.");
        // the shutdown hook registered by start() stops Cassandra when this JVM is asked to exit
        new CountDownLatch(1).await();
    }
}
