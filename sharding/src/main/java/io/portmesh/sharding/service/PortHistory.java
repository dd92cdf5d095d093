package io.portmesh.sharding.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.portmesh.sharding.port.LogicalPortEntity;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * A port's events as its history: read from the journal with a current-events query (the untagged journal the port
 * writes to shares its tables with the default one), each event turned into its name and fields.
 */
final class PortHistory {
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();
    /** A port has a handful of events a change; a bound on what one answer carries. */
    static final int MAX_EVENTS = 10_000;

    private PortHistory() {}

    static CompletionStage<List<PortHistoryEntry>> read(ActorSystem<?> system, String portId, Duration timeout) {
        CassandraReadJournal journal = PersistenceQuery.get(system)
                .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
        String pid = LogicalPortEntity.TYPE_KEY.name() + "|" + portId;
        return journal.currentEventsByPersistenceId(pid, 0L, Long.MAX_VALUE)
                .take(MAX_EVENTS)
                .completionTimeout(timeout)
                .map(PortHistory::entry)
                .runWith(Sink.seq(), system);
    }

    @SuppressWarnings("unchecked")
    private static PortHistoryEntry entry(EventEnvelope e) {
        Object event = e.event();
        Map<String, Object> detail = new LinkedHashMap<>(JSON.convertValue(event, Map.class));
        return new PortHistoryEntry(
                e.sequenceNr(),
                Instant.ofEpochMilli(e.timestamp()).toString(),
                event.getClass().getSimpleName(),
                detail);
    }
}
