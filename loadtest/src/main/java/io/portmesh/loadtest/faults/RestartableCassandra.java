package io.portmesh.loadtest.faults;

import io.portmesh.persistence.EmbeddedCassandra;
import io.portmesh.persistence.EmbeddedCassandraSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A test's own embedded Cassandra (a child JVM on ports and in a directory of the test's choosing, never the shared test
 * Cassandra) that can be killed and started again on the same data: Cassandra going away under load, and coming back.
 */
public final class RestartableCassandra implements AutoCloseable {
    private final EmbeddedCassandraSettings settings;
    private EmbeddedCassandra current;

    private RestartableCassandra(EmbeddedCassandraSettings settings) {
        this.settings = settings;
    }

    /** Starts an empty Cassandra in {@code workDir} (its data from an earlier run is deleted) and waits for CQL. */
    public static RestartableCassandra start(Path workDir, int nativePort, int storagePort) {
        RestartableCassandra c = new RestartableCassandra(EmbeddedCassandraSettings.defaults()
                .withWorkDir(workDir)
                .withNativePort(nativePort)
                .withStoragePort(storagePort)
                .withStartTimeout(Duration.ofSeconds(180)));
        c.current = new EmbeddedCassandra(c.settings.withCleanStart(true)).start();
        if (!c.current.owned()) {
            throw new IllegalStateException("a Cassandra already answers on " + c.contactPoint()
                    + "; this test must own the one it stops, pick other ports");
        }
        return c;
    }

    /** {@code 127.0.0.1:port}. */
    public String contactPoint() {
        return EmbeddedCassandraSettings.HOST + ":" + settings.nativePort();
    }

    public EmbeddedCassandra embedded() {
        return current;
    }

    /**
     * SIGKILL, as a crash: Cassandra's sockets close at once (clients see connections reset, then refused, not a
     * slow drain), nothing is flushed, and the next start replays the commit log. Returns once the process is gone.
     */
    public synchronized void kill() throws InterruptedException {
        long pid = current.pid().orElseThrow(() -> new IllegalStateException("Cassandra is not running"));
        ProcessHandle handle =
                ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no Cassandra process " + pid));
        handle.destroyForcibly();
        try {
            handle.onExit().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Cassandra (pid " + pid + ") did not exit after SIGKILL", e);
        }
        current.close(); // the process is gone: this only drops the shutdown hook
    }

    /** Starts Cassandra again on the data it had, and waits for CQL. */
    public synchronized void restart() {
        current = new EmbeddedCassandra(settings.withCleanStart(false)).start();
    }

    /** Stops Cassandra (SIGTERM, then SIGKILL after its stop timeout). */
    @Override
    public synchronized void close() {
        if (current != null) {
            current.close();
        }
    }
}
