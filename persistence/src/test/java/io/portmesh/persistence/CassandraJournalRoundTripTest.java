package io.portmesh.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.portmesh.model.CborSerializable;
import io.portmesh.persistence.testkit.CassandraExtension;
import io.portmesh.persistence.testkit.TestCassandra;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Persists through the real Cassandra journal and recovers in a fresh ActorSystem. */
@ExtendWith(CassandraExtension.class)
class CassandraJournalRoundTripTest {

    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(30);

    record Added(int amount) implements CborSerializable {}

    record Tally(int total, List<Integer> amounts) implements CborSerializable {
        Tally add(int amount) {
            List<Integer> next = new ArrayList<>(amounts);
            next.add(amount);
            return new Tally(total + amount, List.copyOf(next));
        }
    }

    sealed interface Command {}

    record Add(int amount, ActorRef<Tally> replyTo) implements Command {}

    record Get(ActorRef<Tally> replyTo) implements Command {}

    static final class Counter extends EventSourcedBehaviorWithEnforcedReplies<Command, Added, Tally> {

        static Behavior<Command> create(String id) {
            return new Counter(PersistenceId.of("Counter", id));
        }

        private Counter(PersistenceId id) {
            super(id);
        }

        @Override
        public Tally emptyState() {
            return new Tally(0, List.of());
        }

        @Override
        public CommandHandlerWithReply<Command, Added, Tally> commandHandler() {
            return newCommandHandlerWithReplyBuilder()
                    .forAnyState()
                    .onCommand(
                            Add.class,
                            (state, add) ->
                                    Effect().persist(new Added(add.amount())).thenReply(add.replyTo(), s -> s))
                    .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), state))
                    .build();
        }

        @Override
        public EventHandler<Tally, Added> eventHandler() {
            return newEventHandlerBuilder()
                    .forAnyState()
                    .onEvent(Added.class, (state, added) -> state.add(added.amount()))
                    .build();
        }

        @Override
        public Set<String> tagsFor(Added event) {
            return Set.of("counter");
        }

        // a snapshot after the second event, so recovery reads the snapshot store and the journal
        @Override
        public boolean shouldSnapshot(Tally state, Added event, long sequenceNr) {
            return sequenceNr == 2;
        }
    }

    @Test
    void schemaInstallIsIdempotent(TestCassandra cassandra) {
        SchemaInstaller installer = new SchemaInstaller(Replication.simple(1));
        try (CqlSession session = cassandra.openSession()) {
            installer.install(session);
            installer.install(session);

            List<String> tables = session
                    .execute("SELECT keyspace_name, table_name FROM system_schema.tables"
                            + " WHERE keyspace_name IN ('portmesh_journal', 'portmesh_snapshot')")
                    .all()
                    .stream()
                    .map(r -> r.getString("keyspace_name") + "." + r.getString("table_name"))
                    .toList();
            assertThat(tables)
                    .containsExactlyInAnyOrder(
                            "portmesh_journal.messages",
                            "portmesh_journal.tag_views",
                            "portmesh_journal.tag_write_progress",
                            "portmesh_journal.tag_scanning",
                            "portmesh_journal.metadata",
                            "portmesh_journal.all_persistence_ids",
                            "portmesh_snapshot.snapshots");
        }
    }

    @Test
    void eventsSurviveTheActorSystemAndComeBackFromCassandra(TestCassandra cassandra) {
        Config config = cassandra.config().withFallback(ConfigFactory.load());
        String id = UUID.randomUUID().toString();

        ActorTestKit first = ActorTestKit.create("journal-write", config);
        try {
            ActorRef<Command> counter = first.spawn(Counter.create(id));
            TestProbe<Tally> probe = first.createTestProbe();
            for (int amount : new int[] {3, 4, 5}) {
                counter.tell(new Add(amount, probe.ref()));
                probe.receiveMessage(REPLY_TIMEOUT);
            }
        } finally {
            first.shutdownTestKit();
        }

        ActorTestKit second = ActorTestKit.create("journal-read", config);
        try {
            ActorRef<Command> counter = second.spawn(Counter.create(id));
            TestProbe<Tally> probe = second.createTestProbe();
            counter.tell(new Get(probe.ref()));
            assertThat(probe.receiveMessage(REPLY_TIMEOUT)).isEqualTo(new Tally(12, List.of(3, 4, 5)));
        } finally {
            second.shutdownTestKit();
        }

        try (CqlSession session = cassandra.openSession()) {
            List<Row> events = session.execute(
                            "SELECT sequence_nr, ser_id, ser_manifest, tags FROM portmesh_journal.messages"
                                    + " WHERE persistence_id = ? AND partition_nr = 0",
                            "Counter|" + id)
                    .all();
            assertThat(events).hasSize(3).allSatisfy(row -> {
                // 33 is pekko-serialization-jackson's jackson-cbor
                assertThat(row.getInt("ser_id")).isEqualTo(33);
                assertThat(row.getString("ser_manifest")).isEqualTo(Added.class.getName());
                assertThat(row.getSet("tags", String.class)).containsExactly("counter");
            });
            Row snapshot = session.execute(
                            "SELECT sequence_nr, ser_id FROM portmesh_snapshot.snapshots WHERE persistence_id = ?",
                            "Counter|" + id)
                    .one();
            assertThat(snapshot).isNotNull();
            assertThat(snapshot.getLong("sequence_nr")).isEqualTo(2L);
            assertThat(snapshot.getInt("ser_id")).isEqualTo(33);
        }
    }

    @Test
    void aSecondLauncherOnTheSamePortReusesTheRunningCassandraAndLeavesItRunning(TestCassandra cassandra) {
        EmbeddedCassandraSettings settings =
                CassandraExtension.settings().withCleanStart(false).withWorkDir(java.nio.file.Path.of("target/unused"));

        try (EmbeddedCassandra second = new EmbeddedCassandra(settings).start()) {
            assertThat(second.owned()).isFalse();
            assertThat(second.pid()).isEmpty();
            assertThat(second.releaseVersion()).isNotBlank();
            assertThat(second.contactPoint()).isEqualTo(cassandra.contactPoint());
        }
        assertThat(CqlProbe.releaseVersion(cassandra.contactPoint(), Duration.ofSeconds(5)))
                .isPresent();
    }
}
