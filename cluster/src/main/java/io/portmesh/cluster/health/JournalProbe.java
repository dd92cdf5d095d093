package io.portmesh.cluster.health;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.typesafe.config.Config;
import io.portmesh.persistence.SchemaInstallSetting;
import io.portmesh.persistence.SchemaInstaller;
import io.portmesh.sharding.Errors;
import io.portmesh.sharding.Futures;
import io.portmesh.sharding.metrics.NodeMetrics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks Cassandra a cheap question once a second through the session the journal plugin itself writes through, and
 * keeps the latest answer: what {@code /ready} reports at once, what a 503 blames when the journal is down, and
 * {@code portmesh_journal_up}. Until it has seen them all once, it also asks whether the schema's tables exist: a node
 * with {@code portmesh.cassandra.schema.install = off} may start before they do. The journal's own session rather
 * than a separate one, because a separate session could answer while the journal's cannot (another contact point, a
 * session that never connected).
 *
 * <p>Probes never overlap: the next one is scheduled when the last one ended, and each ends within {@link #TIMEOUT}.
 */
public final class JournalProbe implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JournalProbe.class);
    static final Duration INTERVAL = Duration.ofSeconds(1);
    /** Far above a healthy answer (about a millisecond): a probe that takes longer is a journal that is in trouble. */
    static final Duration TIMEOUT = Duration.ofSeconds(1);
    /** Failed probes in a row after which {@link #downForSure} holds. */
    static final int DOWN_AFTER = 2;

    private static final String QUERY = "SELECT release_version FROM system.local";
    /**
     * The journal plugin's section: the session registry keys sessions by it, so this is the plugin's own session.
     * The registry keeps the init function of whoever asks first; the plugin's only creates keyspaces and tables when
     * their auto-creation is on, which Portmesh keeps off (the schema comes from SchemaInstaller).
     */
    private static final String PLUGIN_SESSION = "pekko.persistence.cassandra";

    /**
     * @param detail {@code ok}, or why not, in words
     * @param schemaMissing Cassandra answers, but the journal's tables are not there (yet)
     */
    public record Result(boolean up, String detail, boolean schemaMissing) {
        static final Result NOT_YET = new Result(false, "not probed yet");
        static final Result OK = new Result(true, "ok");

        Result(boolean up, String detail) {
            this(up, detail, false);
        }

        /** What is wrong, for a 503 or {@code /ready}, before the detail. */
        public String problem() {
            return schemaMissing
                    ? "the schema is not installed in the journal's Cassandra"
                    : "the journal (Cassandra) does not answer";
        }
    }

    private final ActorSystem<?> system;
    private final String contactPoints;
    private final NodeMetrics metrics;
    private volatile Result latest = Result.NOT_YET;
    /** Probes that failed in a row since the last one that answered. */
    private volatile int failedInARow;

    /** The schema's tables, looked for until they were all seen once (a schema is not dropped under a node). */
    private final SchemaInstaller schema;

    private volatile boolean schemaSeen;
    private volatile boolean closed;
    /** What the last warning said, so that a journal that stays down is reported once per reason. */
    private String warned;
    /** The session's connection, asked for once (asking each second would add a callback each second). */
    private CompletableFuture<CqlSession> connected;

    private JournalProbe(ActorSystem<?> system) {
        this.system = system;
        this.contactPoints = contactPoints(system.settings().config());
        this.schema = SchemaInstaller.fromConfig(system.settings().config());
        this.metrics = NodeMetrics.get(system);
    }

    /** Starts probing at once. */
    public static JournalProbe start(ActorSystem<?> system) {
        JournalProbe p = new JournalProbe(system);
        p.probe();
        return p;
    }

    /**
     * Whether the journal is down for sure: at least {@link #DOWN_AFTER} probes in a row failed (about two seconds). One
     * failed probe may be a slow answer on a loaded machine; refusing changes on it would refuse changes that work.
     */
    public boolean downForSure() {
        return failedInARow >= DOWN_AFTER;
    }

    /** The latest probe's answer; {@code up} is false before the first one ended. */
    public Result latest() {
        return latest;
    }

    private void probe() {
        if (closed) {
            return;
        }
        CompletableFuture<Result> answer;
        try {
            answer = ask();
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .handle((r, e) -> e == null ? r : new Result(false, reason(e)))
                .thenAccept(r -> {
                    record(r);
                    next();
                });
    }

    private CompletableFuture<Result> ask() {
        if (connected == null || connected.isCompletedExceptionally()) {
            connected = Futures.on(
                    CassandraSessionRegistry.get(system)
                            .sessionFor(PLUGIN_SESSION)
                            .underlying(),
                    system.executionContext());
        }
        if (!connected.isDone()) {
            // the driver keeps trying to connect (reconnect-on-init); waiting here would only repeat that
            return CompletableFuture.completedFuture(
                    new Result(false, "the journal's session has not connected to Cassandra at " + contactPoints));
        }
        CqlSession session = connected.join();
        SimpleStatement query = SimpleStatement.newInstance(QUERY).setTimeout(TIMEOUT);
        CompletableFuture<Result> answer = Futures.on(session.executeAsync(query), system.executionContext())
                .thenApply(rows -> Result.OK);
        return schemaSeen ? answer : answer.thenCompose(ok -> askForTheSchema(session));
    }

    /**
     * With {@code portmesh.cassandra.schema.install = off} the node starts before the schema exists (Kubernetes: the
     * schema Job installs it): until then nothing persists, and the node is not ready and says what is missing.
     */
    private CompletableFuture<Result> askForTheSchema(CqlSession session) {
        SimpleStatement tables = schema.tablesQuery().setTimeout(TIMEOUT);
        return Futures.on(session.executeAsync(tables), system.executionContext())
                .thenApply(rows -> {
                    List<String> missing = schema.missing(rows.currentPage());
                    if (missing.isEmpty()) {
                        schemaSeen = true;
                        return Result.OK;
                    }
                    return new Result(
                            false,
                            "Cassandra answers, but has no table " + String.join(", ", missing)
                                    + " (install the schema: portmesh-controller schema install, the schema Job in"
                                    + " Kubernetes; or " + SchemaInstallSetting.PATH + " = auto)",
                            true);
                });
    }

    private void record(Result r) {
        Result before = latest;
        latest = r;
        failedInARow = r.up() ? 0 : failedInARow + 1;
        metrics.journalUp.set(r.up() ? 1 : 0);
        if (r.up()) {
            if (!before.up()) {
                log.info("the journal's Cassandra answers");
            }
            warned = null;
        } else if (before != Result.NOT_YET && !r.detail().equals(warned)) {
            // not on the first probe: the session is usually still connecting then, which is no news
            // problem() tells a missing schema from a Cassandra that does not answer (the detail says which tables)
            log.warn("{}: {}", r.problem(), r.detail());
            warned = r.detail();
        }
    }

    private void next() {
        if (closed) {
            return;
        }
        try {
            system.scheduler().scheduleOnce(INTERVAL, this::probe, system.executionContext());
        } catch (IllegalStateException e) {
            // the scheduler stopped with the actor system: nothing left to probe for
        }
    }

    /** In words, never an exception's class name: it ends up in {@code /ready} and in 503 bodies. */
    private String reason(Throwable failure) {
        Throwable t =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (t instanceof TimeoutException || t instanceof DriverTimeoutException) {
            return "no answer within " + Errors.seconds(TIMEOUT);
        }
        if (t instanceof AllNodesFailedException) { // NoNodeAvailableException is one
            return "no Cassandra node at " + contactPoints + " answers";
        }
        log.debug("the journal probe failed", t);
        return "the probe query failed (the controller log has the cause at debug level)";
    }

    private static String contactPoints(Config c) {
        String path = "datastax-java-driver.basic.contact-points";
        return c.hasPath(path) ? String.join(", ", c.getStringList(path)) : "the configured contact points";
    }

    /** Stops probing (the answer stays the last one). */
    @Override
    public void close() {
        closed = true;
    }
}
