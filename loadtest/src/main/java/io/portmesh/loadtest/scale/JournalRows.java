package io.portmesh.loadtest.scale;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.portmesh.persistence.CassandraSessions;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Cassandra writes the bring-up made, read back from the tables once it is over: the journal's rows (one per
 * persisted event) by entity type (the persistence id's prefix, {@code Host|..}, {@code LogicalPort|..}), the
 * events-by-tag rows (a tagged event is written a second time there) and the snapshots. Divided by the entities, they
 * are the writes per host, switch and port of docs/scaling.md. A full scan, bounded in rows.
 */
final class JournalRows {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long MAX_ROWS = 5_000_000;

    private JournalRows() {}

    /** Rows by {@code table:type} ({@code messages:Host}, {@code tag_views:*}, {@code snapshots:LogicalPort}). */
    static Map<String, Long> count(InetSocketAddress cassandra) {
        Map<String, Long> out = new TreeMap<>();
        try (CqlSession s = CassandraSessions.open(cassandra, "datacenter1", TIMEOUT)) {
            byType(s, "SELECT persistence_id FROM portmesh_journal.messages", "messages", out);
            byType(s, "SELECT persistence_id FROM portmesh_snapshot.snapshots", "snapshots", out);
            long tagged = 0;
            for (Row r : s.execute(SimpleStatement.newInstance("SELECT tag_name FROM portmesh_journal.tag_views")
                    .setTimeout(TIMEOUT)
                    .setPageSize(5000))) {
                if (++tagged > MAX_ROWS) {
                    break;
                }
            }
            out.put("tag_views:*", tagged);
        } catch (RuntimeException e) {
            out.put("error: " + e.getMessage(), -1L);
        }
        return out;
    }

    private static void byType(CqlSession s, String cql, String table, Map<String, Long> out) {
        long n = 0;
        for (Row r :
                s.execute(SimpleStatement.newInstance(cql).setTimeout(TIMEOUT).setPageSize(5000))) {
            if (++n > MAX_ROWS) {
                break;
            }
            out.merge(table + ":" + type(r.getString(0)), 1L, Long::sum);
        }
    }

    /** The entity type of a persistence id ({@code Host|h1} is {@code Host}). */
    static String type(String persistenceId) {
        int bar = persistenceId.indexOf('|');
        return bar < 0 ? persistenceId : persistenceId.substring(0, bar);
    }
}
