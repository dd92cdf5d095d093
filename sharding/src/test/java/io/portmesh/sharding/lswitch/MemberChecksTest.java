package io.portmesh.sharding.lswitch;

import static io.portmesh.sharding.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.Vni;
import io.portmesh.sharding.EntityTestKits;
import io.portmesh.sharding.port.LogicalPortEntity;
import io.portmesh.sharding.port.PortProtocol;
import io.portmesh.sharding.service.SwitchInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The switch's search for ghosts ({@link MemberChecks}) against stand-in ports that answer {@link PortProtocol.Exists}
 * as each test says: yes, no, or not yet (a port whose creation is under way holds the answer until it ends). The
 * ghosts the real ports leave are in {@code io.portmesh.sharding.GhostMembersTest}.
 */
class MemberChecksTest {
    /** The switch's asks: long enough that a held answer released by a test arrives within them. */
    private static final Duration ASK = Duration.ofSeconds(3);

    private static final Duration INTERVAL = Duration.ofMillis(200);
    static final ActorTestKit testKit = ActorTestKit.create(
            ConfigFactory.parseString("pekko.cluster.jmx.enabled = off").withFallback(EntityTestKits.config()));
    private static final AtomicInteger ids = new AtomicInteger();

    /** Per port id: its answer to Exists; none: it holds the ask (its creation is under way). */
    private static final Map<String, Boolean> ANSWERS = new ConcurrentHashMap<>();
    /** Per port id: the asks it holds. */
    private static final Map<String, List<ActorRef<StatusReply<Boolean>>>> HELD = new ConcurrentHashMap<>();
    /** Per port id: how many times it was asked. */
    private static final Map<String, AtomicInteger> ASKED = new ConcurrentHashMap<>();

    @BeforeAll
    static void startStandInPorts() {
        EntityTestKits.joinAsSingleNode(testKit.system());
        ClusterSharding.get(testKit.system())
                .init(Entity.of(LogicalPortEntity.TYPE_KEY, ctx -> standInPort(ctx.getEntityId())));
    }

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
    }

    @Test
    void aMemberWhosePortSaysItDoesNotExistIsRemovedAndOneWhosePortExistsIsConfirmed() throws Exception {
        var kit = newSwitch();
        String ghost = port(false);
        String real = port(true);
        addPort(kit, ghost, "52:54:00:01:00:01");
        addPort(kit, real, "52:54:00:01:00:02");
        assertThat(kit.getState().unconfirmed()).containsExactlyInAnyOrder(ghost, real);

        eventually(() -> assertThat(kit.getState().unconfirmed()).isEmpty());
        assertThat(kit.getState().members()).containsOnlyKeys(real);
        assertThat(events(kit))
                .contains(new LogicalSwitchEntity.PortRemoved(ghost), new LogicalSwitchEntity.MemberConfirmed(real));
        // the ghost's MAC is free again
        assertThat(addPort(kit, port(true), "52:54:00:01:00:01").isSuccess()).isTrue();
    }

    @Test
    void aMemberWhosePortIsStillBeingCreatedIsKeptUntilItsPortAnswers() throws Exception {
        var kit = newSwitch();
        String slow = port(null);
        addPort(kit, slow, "52:54:00:02:00:01");

        // asked, the first ask timed out unanswered, asked again: the member stays, unconfirmed
        eventually(() -> assertThat(asked(slow)).isGreaterThanOrEqualTo(2));
        assertThat(kit.getState().members()).containsOnlyKeys(slow);
        assertThat(kit.getState().unconfirmed()).containsExactly(slow);

        answer(slow, true); // its creation ended
        eventually(() -> assertThat(kit.getState().unconfirmed()).isEmpty());
        assertThat(kit.getState().members()).containsOnlyKeys(slow);
        assertThat(events(kit)).doesNotContain(new LogicalSwitchEntity.PortRemoved(slow));
    }

    @Test
    void aBoundMemberIsConfirmedByItsBindingAndNeverAsked() throws Exception {
        var kit = newSwitch();
        String bound = port(false); // would be taken for a ghost if asked
        String ghost = port(false);
        addPort(kit, bound, "52:54:00:03:00:01");
        var binding = kit.<StatusReply<SwitchProtocol.HostVersions>>runCommand(r -> new SwitchProtocol.SetBinding(
                PortId.of(bound), HostId.of("esx-1"), Ipv4.parse("10.0.0.1"), null, false, r));
        assertThat(binding.reply().isSuccess()).isTrue();
        assertThat(kit.getState().unconfirmed()).isEmpty();
        addPort(kit, ghost, "52:54:00:03:00:02");

        eventually(() -> assertThat(kit.getState().members()).containsOnlyKeys(bound));
        assertThat(asked(bound)).isZero();
    }

    /**
     * A port asked to join again (its Create resent) while its member is being checked: the answer its port gave
     * before does not count, since the creation it is running now may yet persist.
     */
    @Test
    void anAnswerGivenBeforeThePortAskedToJoinAgainDoesNotRemoveItsMember() throws Exception {
        var kit = newSwitch();
        String p = port(null);
        addPort(kit, p, "52:54:00:04:00:01");
        eventually(() -> assertThat(asked(p)).isEqualTo(1));

        assertThat(addPort(kit, p, "52:54:00:04:00:01").getValue()).isEqualTo(100); // joining again
        answer(p, true); // from now on: it was created
        HELD.get(p).forEach(r -> r.tell(StatusReply.success(false))); // the answer from before it joined again

        eventually(() -> assertThat(kit.getState().unconfirmed()).isEmpty());
        assertThat(kit.getState().members()).containsOnlyKeys(p);
        assertThat(events(kit)).doesNotContain(new LogicalSwitchEntity.PortRemoved(p));
    }

    @Test
    void unconfirmedMembersArePersistedAndCheckedAfterTheSwitchRestarts() throws Exception {
        var kit = newSwitch();
        String ghost = port(null);
        addPort(kit, ghost, "52:54:00:05:00:01");

        kit.restart();
        assertThat(kit.getState().unconfirmed()).containsExactly(ghost);
        answer(ghost, false);
        eventually(() -> assertThat(kit.getState().members()).isEmpty());
    }

    /**
     * A journal written before members were confirmed: its unbound members are unconfirmed when replayed (some may
     * be ghosts) and checked; a member that was bound is known to exist.
     */
    @Test
    void aJournalWrittenBeforeConfirmationsHasItsUnboundMembersChecked() throws Exception {
        var kit = newSwitch();
        String bound = port(false);
        String ghost = port(false);
        String real = port(true);
        kit.clear();
        kit.initialize(
                new LogicalSwitchEntity.Created(100),
                new LogicalSwitchEntity.PortAdded(bound, "52:54:00:06:00:01"),
                new LogicalSwitchEntity.PortAdded(ghost, "52:54:00:06:00:02"),
                new LogicalSwitchEntity.PortAdded(real, "52:54:00:06:00:03"),
                new LogicalSwitchEntity.BindingChanged(bound, "esx-1", "10.0.0.1"));
        assertThat(kit.getState().unconfirmed()).containsExactlyInAnyOrder(ghost, real);

        eventually(() -> assertThat(kit.getState().unconfirmed()).isEmpty());
        assertThat(kit.getState().members()).containsOnlyKeys(bound, real);
        assertThat(asked(bound)).isZero();
    }

    /** A snapshot taken before members were confirmed reads with its unbound members unconfirmed. */
    @Test
    void aSnapshotWrittenBeforeConfirmationsReadsWithItsUnboundMembersUnconfirmed() throws Exception {
        var cbor = org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider.get(testKit.system())
                .getOrCreate("jackson-cbor", java.util.Optional.empty());
        SwitchState s = SwitchState.empty("blue")
                .created(100)
                .added(new SwitchMembers.Member("p1", "52:54:00:07:00:01", null, null))
                .added(new SwitchMembers.Member("p2", "52:54:00:07:00:02", null, null))
                .confirmed("p2")
                .added(new SwitchMembers.Member("p3", "52:54:00:07:00:03", null, null))
                .rebound(new SwitchMembers.Member("p3", "52:54:00:07:00:03", "esx-1", "10.0.0.1"));
        assertThat(s.unconfirmed()).containsExactly("p1");
        assertThat(cbor.readValue(cbor.writeValueAsBytes(s), SwitchState.class)).isEqualTo(s);

        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) cbor.valueToTree(s);
        assertThat(tree.remove("unconfirmed")).as("the field to drop").isNotNull();
        SwitchState old = cbor.readValue(cbor.writeValueAsBytes(tree), SwitchState.class);
        assertThat(old.unconfirmed()).containsExactlyInAnyOrder("p1", "p2");
        assertThat(old.members()).isEqualTo(s.members());
    }

    private static Behavior<PortProtocol.Command> standInPort(String id) {
        return Behaviors.receiveMessage(c -> {
            if (c instanceof PortProtocol.Exists e) {
                ASKED.computeIfAbsent(id, x -> new AtomicInteger()).incrementAndGet();
                Boolean answer = ANSWERS.get(id);
                if (answer == null) {
                    HELD.computeIfAbsent(id, x -> new java.util.concurrent.CopyOnWriteArrayList<>())
                            .add(e.replyTo());
                } else {
                    e.replyTo().tell(StatusReply.success(answer));
                }
            }
            return Behaviors.same();
        });
    }

    /** A new port id whose stand-in answers {@code exists} (null: holds the ask). */
    private static String port(Boolean exists) {
        String id = "p-" + ids.incrementAndGet();
        if (exists != null) {
            ANSWERS.put(id, exists);
        }
        return id;
    }

    private static void answer(String port, boolean exists) {
        ANSWERS.put(port, exists);
    }

    private static int asked(String port) {
        AtomicInteger n = ASKED.get(port);
        return n == null ? 0 : n.get();
    }

    private static EventSourcedBehaviorTestKit<SwitchProtocol.Command, LogicalSwitchEntity.Event, SwitchState>
            newSwitch() {
        var kit = EventSourcedBehaviorTestKit.<SwitchProtocol.Command, LogicalSwitchEntity.Event, SwitchState>create(
                testKit.system(),
                LogicalSwitchEntity.create(
                        "sw-" + ids.incrementAndGet(),
                        ClusterSharding.get(testKit.system()),
                        (update, hosts, await, timeout) ->
                                java.util.concurrent.CompletableFuture.completedFuture(Map.of()),
                        ASK,
                        Duration.ofSeconds(1),
                        INTERVAL));
        var created = kit.<StatusReply<SwitchInfo>>runCommand(r -> new SwitchProtocol.Create(new Vni(100), r));
        assertThat(created.reply().isSuccess()).isTrue();
        return kit;
    }

    private static StatusReply<Integer> addPort(
            EventSourcedBehaviorTestKit<SwitchProtocol.Command, LogicalSwitchEntity.Event, SwitchState> kit,
            String port,
            String mac) {
        return kit.<StatusReply<Integer>>runCommand(r -> new SwitchProtocol.AddPort(PortId.of(port), Mac.parse(mac), r))
                .reply();
    }

    private static List<Object> events(
            EventSourcedBehaviorTestKit<SwitchProtocol.Command, LogicalSwitchEntity.Event, SwitchState> kit) {
        return kit.persistenceTestKit()
                .persistedInStorage("LogicalSwitch|" + kit.getState().id());
    }
}
