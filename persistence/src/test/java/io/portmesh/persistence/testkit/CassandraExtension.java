package io.portmesh.persistence.testkit;

import io.portmesh.persistence.EmbeddedCassandra;
import io.portmesh.persistence.EmbeddedCassandraSettings;
import io.portmesh.persistence.Replication;
import io.portmesh.persistence.SchemaInstaller;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real Cassandra per test JVM, started lazily by the first test class that uses it and stopped
 * once when the whole run ends. The schema is applied before any test sees it. Tests receive a
 * {@link TestCassandra} as a parameter:
 *
 * <pre>{@code
 * @ExtendWith(CassandraExtension.class)
 * class MyTest {
 *     @Test
 *     void persists(TestCassandra cassandra) { ... cassandra.config() ... }
 * }
 * }</pre>
 *
 * <p>System properties: {@value #PORT_PROPERTY} (CQL port, default {@value #DEFAULT_PORT}),
 * {@value #STORAGE_PORT_PROPERTY} (default {@value #DEFAULT_STORAGE_PORT}), {@value #DIR_PROPERTY}
 * (default {@code target/cassandra-test} under the working directory, i.e. the module),
 * {@value #START_TIMEOUT_PROPERTY} (seconds, default 180: a first start on a busy two-core machine takes 45 s). When a Cassandra already answers on the
 * port (another module's still running, or a developer's) it is reused and left running.
 */
public final class CassandraExtension implements BeforeAllCallback, ParameterResolver {

    public static final String PORT_PROPERTY = "portmesh.test.cassandra.port";
    public static final String STORAGE_PORT_PROPERTY = "portmesh.test.cassandra.storage-port";
    public static final String DIR_PROPERTY = "portmesh.test.cassandra.dir";
    public static final String START_TIMEOUT_PROPERTY = "portmesh.test.cassandra.start-timeout";
    public static final int DEFAULT_PORT = 19042;
    public static final int DEFAULT_STORAGE_PORT = 17000;
    public static final String LOCAL_DATACENTER = "datacenter1";

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(CassandraExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        shared(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestCassandra.class;
    }

    @Override
    public TestCassandra resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return shared(context);
    }

    /**
     * The run's Cassandra, started on first use. The root store outlives every test class and
     * closes its AutoCloseable values once, after the last test (JUnit 5.13+ replaced the
     * deprecated Store.CloseableResource with exactly that).
     */
    public static TestCassandra shared(ExtensionContext context) {
        return context.getRoot()
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent(SharedCassandra.class, key -> SharedCassandra.start(), SharedCassandra.class)
                .cassandra();
    }

    /** Settings the extension starts Cassandra with, from the system properties above. */
    public static EmbeddedCassandraSettings settings() {
        return EmbeddedCassandraSettings.defaults()
                .withWorkDir(Path.of(System.getProperty(DIR_PROPERTY, "target/cassandra-test")))
                .withNativePort(Integer.getInteger(PORT_PROPERTY, DEFAULT_PORT))
                .withStoragePort(Integer.getInteger(STORAGE_PORT_PROPERTY, DEFAULT_STORAGE_PORT))
                .withStartTimeout(Duration.ofSeconds(Integer.getInteger(START_TIMEOUT_PROPERTY, 180)))
                // each run starts from empty tables: no leftovers from an earlier run leak into tests
                .withCleanStart(true);
    }

    static final class SharedCassandra implements AutoCloseable {

        private static final Logger log = LoggerFactory.getLogger(SharedCassandra.class);

        private final EmbeddedCassandra embedded;
        private final TestCassandra cassandra;

        private SharedCassandra(EmbeddedCassandra embedded) {
            this.embedded = embedded;
            this.cassandra = new TestCassandra(embedded.contactPoint(), LOCAL_DATACENTER, embedded.owned());
        }

        static SharedCassandra start() {
            EmbeddedCassandra embedded = new EmbeddedCassandra(settings()).start();
            try {
                new SchemaInstaller(Replication.simple(1)).install(embedded.contactPoint(), LOCAL_DATACENTER);
            } catch (RuntimeException e) {
                embedded.close();
                throw e;
            }
            log.info(
                    "Test Cassandra {} at {} ({})",
                    embedded.releaseVersion(),
                    embedded.contactPointString(),
                    embedded.owned() ? "started for this run" : "reused");
            return new SharedCassandra(embedded);
        }

        TestCassandra cassandra() {
            return cassandra;
        }

        @Override
        public void close() {
            embedded.close();
        }
    }
}
