package io.portmesh.persistence;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code portmesh-schema.cql} (keyspaces and tables of the journal and the snapshot
 * store), with the keyspace names and replication of the configuration, and tells which of its
 * tables a Cassandra lacks. Every statement is {@code IF NOT EXISTS}, so applying it again is
 * harmless; but Cassandra handles concurrent schema changes badly, so it must run from one caller
 * at a time: a controller applies it at start only with {@code portmesh.cassandra.schema.install =
 * auto} (one node, dev runs), and in Kubernetes a Job runs {@code portmesh-controller schema
 * install} once (SchemaInstallSetting).
 */
public final class SchemaInstaller {

    public static final String RESOURCE = "portmesh-schema.cql";
    /** DDL waits for schema agreement; on a busy two-core machine that takes seconds. */
    public static final Duration DDL_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(SchemaInstaller.class);
    private static final Pattern KEYSPACE_REPLICATION =
            Pattern.compile("(?is)^(CREATE\\s+KEYSPACE\\s.*?\\bWITH\\s+replication\\s*=\\s*)\\{[^}]*\\}(.*)$");

    /** The keyspace names the file uses; the configured ones replace them. */
    static final String FILE_JOURNAL_KEYSPACE = "portmesh_journal";

    static final String FILE_SNAPSHOT_KEYSPACE = "portmesh_snapshot";
    private static final Pattern TABLE =
            Pattern.compile("(?is)^CREATE\\s+TABLE\\s+IF\\s+NOT\\s+EXISTS\\s+(\\w+)\\.(\\w+)\\b.*");

    private final Replication replication;
    private final String journalKeyspace;
    private final String snapshotKeyspace;

    /** The file's keyspace names. */
    public SchemaInstaller(Replication replication) {
        this(replication, FILE_JOURNAL_KEYSPACE, FILE_SNAPSHOT_KEYSPACE);
    }

    public SchemaInstaller(Replication replication, String journalKeyspace, String snapshotKeyspace) {
        this.replication = replication;
        this.journalKeyspace = keyspaceName(journalKeyspace);
        this.snapshotKeyspace = keyspaceName(snapshotKeyspace);
    }

    /**
     * Replication from {@code portmesh.cassandra.replication}, keyspaces from the journal plugin's
     * {@code pekko.persistence.cassandra.journal.keyspace} and {@code snapshot.keyspace}: the ones
     * the plugin writes to.
     */
    public static SchemaInstaller fromConfig(Config config) {
        return new SchemaInstaller(
                Replication.fromConfig(config),
                config.getString("pekko.persistence.cassandra.journal.keyspace"),
                config.getString("pekko.persistence.cassandra.snapshot.keyspace"));
    }

    /** The statements in file order, keyspace names and replication set to this installer's. */
    public List<String> statements() {
        List<String> statements = new ArrayList<>();
        for (String statement : parse(readResource())) {
            String named = statement
                    .replaceAll("\\b" + FILE_JOURNAL_KEYSPACE + "\\b", journalKeyspace)
                    .replaceAll("\\b" + FILE_SNAPSHOT_KEYSPACE + "\\b", snapshotKeyspace);
            Matcher m = KEYSPACE_REPLICATION.matcher(named);
            statements.add(m.matches() ? m.group(1) + replication.toCql() + m.group(2) : named);
        }
        return statements;
    }

    /** The schema's tables, {@code keyspace.table}, in file order. */
    public List<String> tables() {
        List<String> tables = new ArrayList<>();
        for (String statement : statements()) {
            Matcher m = TABLE.matcher(statement);
            if (m.matches()) {
                tables.add(m.group(1) + "." + m.group(2));
            }
        }
        return tables;
    }

    /** What Cassandra lists of the schema's keyspaces' tables: rows of keyspace_name, table_name. */
    public SimpleStatement tablesQuery() {
        return SimpleStatement.newInstance(
                        "SELECT keyspace_name, table_name FROM system_schema.tables WHERE keyspace_name IN (?, ?)",
                        journalKeyspace,
                        snapshotKeyspace)
                .setTimeout(DDL_TIMEOUT);
    }

    /** Of {@link #tables()}, those that the rows of {@link #tablesQuery()} do not list. */
    public List<String> missing(Iterable<Row> rows) {
        Set<String> present = new HashSet<>();
        rows.forEach(r -> present.add(r.getString("keyspace_name") + "." + r.getString("table_name")));
        return tables().stream().filter(t -> !present.contains(t)).toList();
    }

    /** The schema's tables that Cassandra does not have (empty: the schema is installed). */
    public List<String> missing(CqlSession session) {
        return missing(session.execute(tablesQuery()));
    }

    /**
     * Applies the schema unless every table of it exists already (then it sends no DDL at all).
     *
     * @return whether it applied the schema
     */
    public boolean installIfMissing(CqlSession session) {
        List<String> missing = missing(session);
        if (missing.isEmpty()) {
            log.info("The schema of {} is installed already ({} tables): nothing to do", RESOURCE, tables().size());
            return false;
        }
        log.info("Installing the schema of {}: missing {}", RESOURCE, String.join(", ", missing));
        install(session);
        List<String> still = missing(session);
        if (!still.isEmpty()) {
            throw new IllegalStateException("after applying " + RESOURCE + " Cassandra still lacks " + still);
        }
        return true;
    }

    /** Applies every statement through {@code session}, then waits for schema agreement. */
    public void install(CqlSession session) {
        List<String> statements = statements();
        for (String statement : statements) {
            session.execute(SimpleStatement.newInstance(statement).setTimeout(DDL_TIMEOUT));
        }
        if (!session.checkSchemaAgreement()) {
            log.warn("Schema not yet agreed by every Cassandra node after applying {}", RESOURCE);
        }
        log.info("Applied {} ({} statements, replication {})", RESOURCE, statements.size(), replication.toCql());
    }

    /** Opens a short-lived session to {@code contactPoint}, applies the schema and closes it. */
    public void install(InetSocketAddress contactPoint, String localDatacenter) {
        try (CqlSession session = CassandraSessions.open(contactPoint, localDatacenter, DDL_TIMEOUT)) {
            install(session);
        }
    }

    /** Applies what is missing of the schema at {@code portmesh.cassandra.contact-point}, named and replicated as config says. */
    public static void installFromConfig(Config config) {
        try (CqlSession session = CassandraSessions.open(config, DDL_TIMEOUT)) {
            fromConfig(config).installIfMissing(session);
        }
    }

    private static String keyspaceName(String name) {
        // unquoted CQL identifiers only: the name goes into statements as it is
        if (!name.matches("[a-z][a-z0-9_]{0,47}")) {
            throw new IllegalArgumentException(
                    "keyspace name '" + name
                            + "': lower-case letters, digits and _ only (Cassandra lists unquoted names in lower case), 48 at most");
        }
        return name;
    }

    /**
     * Splits a CQL script into statements: drops {@code --} and {@code //} comment lines, splits at
     * semicolons (the script promises none inside string literals).
     */
    static List<String> parse(String script) {
        StringBuilder withoutComments = new StringBuilder();
        script.lines()
                .filter(line -> !line.strip().startsWith("--") && !line.strip().startsWith("//"))
                .forEach(line -> withoutComments.append(line).append('\n'));
        List<String> statements = new ArrayList<>();
        for (String part : withoutComments.toString().split(";")) {
            String statement = part.strip();
            if (!statement.isEmpty()) {
                statements.add(statement);
            }
        }
        return statements;
    }

    private static String readResource() {
        try (InputStream in = SchemaInstaller.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }
}
