package io.portmesh.sharding.view;

import io.portmesh.sharding.host.HostEntity;
import io.portmesh.sharding.lswitch.LogicalSwitchEntity;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.NoOffset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Feeds a {@link TopologyView} on this node from the Cassandra journal's events-by-tag streams. Each node keeps its
 * own view (small: ids and VNIs), replayed from the start when the node starts; a failing stream restarts with backoff.
 */
public final class TopologyProjection {
    private TopologyProjection() {}

    public static TopologyView start(ActorSystem<?> system) {
        TopologyView view = new TopologyView();
        CassandraReadJournal journal = PersistenceQuery.get(system)
                .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
        for (String tag : new String[] {LogicalSwitchEntity.TAG, HostEntity.TAG}) {
            RestartSource.withBackoff(
                            RestartSettings.create(Duration.ofSeconds(1), Duration.ofSeconds(10), 0.2),
                            () -> journal.eventsByTag(tag, NoOffset.getInstance()))
                    .runWith(Sink.foreach(env -> view.apply(entityId(env.persistenceId()), env.event())), system);
        }
        return view;
    }

    static String entityId(String persistenceId) {
        int bar = persistenceId.indexOf('|');
        return bar < 0 ? persistenceId : persistenceId.substring(bar + 1);
    }
}
