package io.portmesh.sharding.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.portmesh.sharding.host.HostEntity;
import io.portmesh.sharding.port.LogicalPortEntity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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

    /**
     * The port's events, and between them the switch-VM failovers ({@code ActiveSlotChanged}) of the hosts it was on
     * at the time, read from those hosts' journals: a failover changes where the port's frames go, so its history
     * says so. Host events carry the host in their detail and the host journal's sequence number.
     */
    static CompletionStage<List<PortHistoryEntry>> read(ActorSystem<?> system, String portId, Duration timeout) {
        String pid = LogicalPortEntity.TYPE_KEY.name() + "|" + portId;
        return events(system, pid, timeout).thenCompose(own -> {
            PortHostSpans spans = new PortHostSpans();
            List<PortHistoryEntry> entries = new ArrayList<>();
            for (EventEnvelope e : own) {
                PortHistoryEntry entry = entry(e, null);
                spans.add(entry.event(), entry.detail(), e.timestamp());
                entries.add(entry);
            }
            CompletableFuture<List<PortHistoryEntry>> all = CompletableFuture.completedFuture(entries);
            for (String host : spans.hosts()) {
                all = all.thenCombine(
                        events(system, HostEntity.TYPE_KEY.name() + "|" + host, timeout), (sofar, hostEvents) -> {
                            hostEvents.stream()
                                    .filter(e -> e.event() instanceof HostEntity.ActiveSlotChanged)
                                    .filter(e -> spans.on(host, e.timestamp()))
                                    .forEach(e -> sofar.add(entry(e, host)));
                            return sofar;
                        });
            }
            // by time; the port's own events keep their journal order among themselves
            return all.thenApply(list -> list.stream()
                    .sorted(java.util.Comparator.comparing(x -> Instant.parse(x.at())))
                    .toList());
        });
    }

    private static CompletableFuture<List<EventEnvelope>> events(ActorSystem<?> system, String pid, Duration timeout) {
        CassandraReadJournal journal = PersistenceQuery.get(system)
                .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
        return journal.currentEventsByPersistenceId(pid, 0L, Long.MAX_VALUE)
                .take(MAX_EVENTS)
                .completionTimeout(timeout)
                .runWith(Sink.seq(), system)
                .toCompletableFuture();
    }

    /** {@code host}: the host whose journal the event is from, null for the port's own. */
    @SuppressWarnings("unchecked")
    private static PortHistoryEntry entry(EventEnvelope e, String host) {
        Object event = e.event();
        Map<String, Object> detail = new LinkedHashMap<>();
        if (host != null) {
            detail.put("host", host);
        }
        detail.putAll(JSON.convertValue(event, Map.class));
        return new PortHistoryEntry(
                e.sequenceNr(),
                Instant.ofEpochMilli(e.timestamp()).toString(),
                event.getClass().getSimpleName(),
                detail);
    }
}
