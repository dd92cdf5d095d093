package io.portmesh.cluster;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.servererrors.QueryValidationException;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.portmesh.cluster.bootstrap.ClusterDiscovery;
import io.portmesh.persistence.CassandraSessions;
import io.portmesh.persistence.SchemaInstaller;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * {@code portmesh-controller schema install}: applies the Cassandra schema once and exits, with the configuration a
 * controller node of the same image and environment would read (ClusterDiscovery). In Kubernetes a Job runs it
 * (deploy/base/schema-job.yaml) while the controller pods, with {@code portmesh.cassandra.schema.install = off}, wait
 * for the schema; it never runs concurrently with itself there (one Job, one pod at a time). It waits for Cassandra to
 * answer (a Cassandra started beside it takes a minute), sends no DDL when every table exists already, and exits 0
 * once the schema is there; 1 when Cassandra did not answer in time or the DDL failed.
 */
@CommandLine.Command(
        name = "schema",
        mixinStandardHelpOptions = true,
        description = "The Cassandra schema of the journal and the snapshot store.",
        subcommands = {SchemaCommand.Install.class})
public final class SchemaCommand {
    private static final Logger log = LoggerFactory.getLogger(SchemaCommand.class);
    /** Between attempts to reach Cassandra. */
    static final Duration RETRY = Duration.ofSeconds(2);

    @CommandLine.Command(
            name = "install",
            mixinStandardHelpOptions = true,
            description = "Installs the schema (idempotent: what exists is left alone) and exits 0.")
    static final class Install implements Callable<Integer> {
        @CommandLine.Option(
                names = "--wait-seconds",
                defaultValue = "300",
                description = "how long to keep trying to reach Cassandra (default: ${DEFAULT-VALUE})")
        int waitSeconds;

        @Override
        public Integer call() {
            Config config = ClusterDiscovery.load(ConfigFactory.empty());
            return install(config, Duration.ofSeconds(waitSeconds)) ? 0 : 1;
        }
    }

    private SchemaCommand() {}

    /**
     * Whether trying again may help: anything but a statement Cassandra refuses as such (a syntax error, an invalid
     * query, no permission), which no retry mends. A Cassandra that is starting, overloaded or short of replicas (a
     * fresh StatefulSet) answers with timeouts, unavailable or overloaded errors, or not at all.
     */
    static boolean retryable(DriverException e) {
        return !(e instanceof QueryValidationException);
    }

    /** Installs what is missing; false (logged) when Cassandra did not answer within {@code wait}. */
    static boolean install(Config config, Duration wait) {
        SchemaInstaller installer = SchemaInstaller.fromConfig(config);
        String at = config.getString("portmesh.cassandra.contact-point");
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            try (CqlSession session = CassandraSessions.open(config, SchemaInstaller.DDL_TIMEOUT)) {
                installer.installIfMissing(session);
                log.info("The schema is installed in the Cassandra at {}", at);
                return true;
            } catch (DriverException e) {
                if (!retryable(e)) {
                    log.error("The schema could not be installed in the Cassandra at {}: {}", at, e.toString());
                    return false;
                }
                if (System.nanoTime() - deadline >= 0) {
                    log.error("No Cassandra answered at {} within {} s: {}", at, wait.toSeconds(), e.getMessage());
                    return false;
                }
                log.info(
                        "Cassandra at {} does not answer yet ({}); trying again in {} s",
                        at,
                        e.getMessage(),
                        RETRY.toSeconds());
                try {
                    Thread.sleep(RETRY.toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }
}
