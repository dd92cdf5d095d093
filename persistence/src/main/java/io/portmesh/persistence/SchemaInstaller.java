package io.portmesh.persistence;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code portmesh-schema.cql} (keyspaces and tables of the journal and the snapshot
 * store). Every statement is {@code IF NOT EXISTS}, so running it on every controller start is
 * safe; it is run by one caller at a time because Cassandra handles concurrent schema changes
 * badly.
 */
public final class SchemaInstaller {

    public static final String RESOURCE = "portmesh-schema.cql";
    /** DDL waits for schema agreement; on a busy two-core machine that takes seconds. */
    public static final Duration DDL_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(SchemaInstaller.class);
    private static final Pattern KEYSPACE_REPLICATION =
            Pattern.compile("(?is)^(CREATE\\s+KEYSPACE\\s.*?\\bWITH\\s+replication\\s*=\\s*)\\{[^}]*\\}(.*)$");

    private final Replication replication;

    public SchemaInstaller(Replication replication) {
        this.replication = replication;
    }

    /** Replication from {@code portmesh.cassandra.replication}. */
    public static SchemaInstaller fromConfig(Config config) {
        return new SchemaInstaller(Replication.fromConfig(config));
    }

    /** The statements in file order, keyspace replication set to this installer's. */
    public List<String> statements() {
        List<String> statements = new ArrayList<>();
        for (String statement : parse(readResource())) {
            Matcher m = KEYSPACE_REPLICATION.matcher(statement);
            statements.add(m.matches() ? m.group(1) + replication.toCql() + m.group(2) : statement);
        }
        return statements;
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

    /** Applies the schema at {@code portmesh.cassandra.contact-point} with replication from config. */
    public static void installFromConfig(Config config) {
        try (CqlSession session = CassandraSessions.open(config, DDL_TIMEOUT)) {
            fromConfig(config).install(session);
        }
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
