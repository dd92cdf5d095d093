package io.portmesh.sharding.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.portmesh.model.AgentPin;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.model.Vni;
import io.portmesh.sharding.EntityTestKits;
import io.portmesh.sharding.Errors;
import io.portmesh.sharding.lswitch.SwitchMembers;
import io.portmesh.sharding.service.HostInfo;
import io.portmesh.sharding.southbound.SessionCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A host's pins (docs/architecture.md section 13.1): a connection of a pinned slot with another certificate key or
 * datapath id is refused before the host knows it (no role, no event, the master untouched), so is one of a slot a
 * host with pins does not pin, a host without pins admits every slot, new pins refuse the connections that no longer fit, and pins survive a restart; a state
 * written before pins existed reads as a host without them.
 */
class HostPinsTest {
    static final ActorTestKit testKit = ActorTestKit.create(EntityTestKits.config());
    static final String NODE = "pekko://test@127.0.0.1:1";
    private static final String KEY = "11".repeat(32);
    private static final String OTHER_KEY = "22".repeat(32);
    private static final String DPID = "00:00:00:00:00:00:00:0a";
    private static final Map<String, AgentPin> PIN_A = Map.of("a", new AgentPin(KEY, DPID));

    private EventSourcedBehaviorTestKit<HostProtocol.Command, HostEntity.Event, HostState> kit;

    @BeforeEach
    void setUp() {
        kit = host(testKit, (port, host) -> {});
    }

    /** Host {@code esx-1} on {@link #NODE}, its switches answering an empty member list, reporting arrivals there. */
    static EventSourcedBehaviorTestKit<HostProtocol.Command, HostEntity.Event, HostState> host(
            ActorTestKit testKit, HostArrivals.Listener arrivals) {
        var kit = EventSourcedBehaviorTestKit.<HostProtocol.Command, HostEntity.Event, HostState>create(
                testKit.system(),
                HostEntity.create(
                        "esx-1",
                        NODE,
                        Duration.ofSeconds(2),
                        s -> CompletableFuture.completedFuture(new SwitchMembers(100, 1, List.of())),
                        arrivals));
        kit.clear();
        return kit;
    }

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
    }

    private HostInfo register(Map<String, AgentPin> pins) {
        return kit.<StatusReply<HostInfo>>runCommand(r -> new HostProtocol.Register(Ipv4.parse("10.0.0.1"), pins, r))
                .reply()
                .getValue();
    }

    private HostInfo info() {
        return kit.<StatusReply<HostInfo>>runCommand(HostProtocol.Get::new)
                .reply()
                .getValue();
    }

    private TestProbe<SessionCommand> connect(String slot, String dpid, String key, String tep) {
        TestProbe<SessionCommand> agent = testKit.createTestProbe();
        kit.runCommand(new HostProtocol.AgentConnected(agent.ref(), slot, dpid, NODE, "127.0.0.1:1", tep, key));
        return agent;
    }

    /** The refusal among what the session receives (its role's reconciliation and push come before it). */
    private static SessionCommand.Refuse refusal(TestProbe<SessionCommand> session) {
        for (int i = 0; i < 20; i++) {
            if (session.receiveMessage(Duration.ofSeconds(3)) instanceof SessionCommand.Refuse refuse) {
                return refuse;
            }
        }
        throw new AssertionError("no refusal among the first 20 messages");
    }

    /** What the session received until it was quiet for 200 ms (at most 50 messages). */
    private static List<SessionCommand> drain(TestProbe<SessionCommand> session) {
        List<SessionCommand> seen = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            try {
                seen.add(session.receiveMessage(Duration.ofMillis(200)));
            } catch (AssertionError quiet) {
                break;
            }
        }
        return seen;
    }

    @Test
    void aPinnedSlotRefusesAnotherKeyOrDpidBeforeTheHostKnowsTheConnection() {
        assertThat(register(PIN_A).pins()).isEqualTo(PIN_A);
        TestProbe<SessionCommand> master = connect("a", DPID, KEY, null);
        assertThat(master.expectMessageClass(SessionCommand.SetRole.class).master())
                .isTrue();
        long generation = info().masterGeneration();

        TestProbe<SessionCommand> reissued = connect("a", DPID, OTHER_KEY, null);
        SessionCommand.Refuse keyRefusal = reissued.expectMessageClass(SessionCommand.Refuse.class);
        assertThat(keyRefusal.reason()).isEqualTo("pinned-key-mismatch");
        assertThat(keyRefusal.why()).contains(OTHER_KEY).contains(KEY);
        TestProbe<SessionCommand> noCertificate = connect("a", DPID, null, null);
        assertThat(noCertificate.expectMessageClass(SessionCommand.Refuse.class).reason())
                .isEqualTo("pinned-key-mismatch");
        TestProbe<SessionCommand> otherDatapath = connect("a", "00:00:00:00:00:00:00:0b", KEY, null);
        SessionCommand.Refuse dpidRefusal = otherDatapath.expectMessageClass(SessionCommand.Refuse.class);
        assertThat(dpidRefusal.reason()).isEqualTo("dpid-mismatch");

        HostInfo after = info();
        assertThat(after.agents()).as("only the pinned agent is known").hasSize(1);
        assertThat(after.masterGeneration()).as("no election").isEqualTo(generation);
        assertThat(drain(master))
                .as("the master is neither refused nor demoted")
                .noneMatch(m -> m instanceof SessionCommand.Refuse
                        || (m instanceof SessionCommand.SetRole role && !role.master()));
        for (TestProbe<SessionCommand> refused : List.of(reissued, noCertificate, otherDatapath)) {
            refused.expectNoMessage(Duration.ofMillis(50)); // no role, nothing else
        }
    }

    /**
     * Pinning slot a alone must not leave slot b open to any certificate of the CA: its agent would get the plan and,
     * never acknowledging, hold every {@code ?wait=realized} of the host.
     */
    @Test
    void aHostThatPinsASlotRefusesTheSlotsItDoesNotPin() {
        register(PIN_A);
        TestProbe<SessionCommand> b = connect("b", "00:00:00:00:00:00:00:0b", OTHER_KEY, "10.0.0.2");
        SessionCommand.Refuse refused = b.expectMessageClass(SessionCommand.Refuse.class);
        assertThat(refused.reason()).isEqualTo("slot-not-pinned");
        assertThat(refused.why()).contains("slot b").contains("pins only slot(s) a");
        b.expectNoMessage(Duration.ofMillis(50)); // no role, nothing else
        assertThat(info().agents()).isEmpty();

        var both = kit.<StatusReply<HostInfo>>runCommand(
                r -> new HostProtocol.PinAgents(Map.of("a", PIN_A.get("a"), "b", new AgentPin(OTHER_KEY, null)), r));
        assertThat(both.reply().getValue().pins()).containsOnlyKeys("a", "b");
        TestProbe<SessionCommand> pinnedB = connect("b", "00:00:00:00:00:00:00:0b", OTHER_KEY, "10.0.0.2");
        assertThat(pinnedB.expectMessageClass(SessionCommand.SetRole.class).master())
                .as("slot b admitted once pinned")
                .isTrue();
    }

    @Test
    void aHostWithoutPinsAdmitsEverySlotWhateverItsKey() {
        register(Map.of());
        TestProbe<SessionCommand> b = connect("b", "00:00:00:00:00:00:00:0b", OTHER_KEY, "10.0.0.2");
        assertThat(b.expectMessageClass(SessionCommand.SetRole.class)).isNotNull();
        assertThat(info().agents()).extracting(HostInfo.AgentInfo::slot).containsExactly("b");
    }

    @Test
    void newPinsRefuseTheConnectionsThatNoLongerFitAndSurviveARestart() {
        register(Map.of());
        TestProbe<SessionCommand> agent = connect("a", DPID, OTHER_KEY, null);
        assertThat(agent.expectMessageClass(SessionCommand.SetRole.class).master())
                .isTrue();

        var pinned = kit.<StatusReply<HostInfo>>runCommand(r -> new HostProtocol.PinAgents(PIN_A, r));
        assertThat(pinned.events()).containsExactly(new HostEntity.AgentsPinned(PIN_A));
        assertThat(pinned.reply().getValue().pins()).isEqualTo(PIN_A);
        assertThat(refusal(agent).reason()).isEqualTo("pinned-key-mismatch");
        var again = kit.<StatusReply<HostInfo>>runCommand(r -> new HostProtocol.PinAgents(PIN_A, r));
        assertThat(again.hasNoEvents()).as("the same pins again change nothing").isTrue();

        kit.restart();
        assertThat(info().pins()).isEqualTo(PIN_A);
        var unpinned = kit.<StatusReply<HostInfo>>runCommand(r -> new HostProtocol.PinAgents(Map.of(), r));
        assertThat(unpinned.reply().getValue().pins()).isEmpty();
    }

    /** The refused master is forgotten with the new pins, not when its remote session closes: no push reaches it. */
    @Test
    void newPinsForgetARefusedMasterAtOnceSoNoPushReachesIt() {
        register(Map.of());
        TestProbe<SessionCommand> agent = connect("a", DPID, OTHER_KEY, null);
        assertThat(agent.expectMessageClass(SessionCommand.SetRole.class).master())
                .isTrue();
        long read = agent.expectMessageClass(SessionCommand.Reconcile.class).seq();
        kit.runCommand(new HostProtocol.Installed(agent.ref(), read, new byte[0], new byte[0]));
        kit.runCommand(new HostProtocol.Acked(
                agent.ref(), agent.expectMessageClass(SessionCommand.Push.class).seq()));

        kit.<StatusReply<HostInfo>>runCommand(r -> new HostProtocol.PinAgents(PIN_A, r));
        agent.expectMessageClass(SessionCommand.Refuse.class);
        assertThat(info().agents()).as("forgotten before its session closed").isEmpty();
        kit.<StatusReply<HostProtocol.Bound>>runCommand(r -> new HostProtocol.BindPort(
                PortId.of("p1"), Mac.parse("52:54:00:00:00:01"), SwitchId.of("blue"), new Vni(100), r));
        assertThat(drain(agent)).as("no push after the refusal").noneMatch(m -> m instanceof SessionCommand.Push);
    }

    @Test
    void registeringAgainWithOtherPinsIsAConflictAndWithoutPinsAnswersTheHost() {
        register(PIN_A);
        var same =
                kit.<StatusReply<HostInfo>>runCommand(r -> new HostProtocol.Register(Ipv4.parse("10.0.0.1"), PIN_A, r));
        assertThat(same.hasNoEvents()).isTrue();
        var none = kit.<StatusReply<HostInfo>>runCommand(r -> new HostProtocol.Register(Ipv4.parse("10.0.0.1"), r));
        assertThat(none.reply().getValue().pins()).isEqualTo(PIN_A);
        var other = kit.<StatusReply<HostInfo>>runCommand(
                r -> new HostProtocol.Register(Ipv4.parse("10.0.0.1"), Map.of("a", new AgentPin(OTHER_KEY, null)), r));
        assertThat(Errors.toException(other.reply().getError())).hasMessageContaining("other pins");
    }

    /** A snapshot (or command) written before pins existed has no {@code pins} field: it reads as none. */
    @Test
    void aStateWrittenBeforePinsReadsAsAHostWithoutPins() throws Exception {
        Serialization serialization = SerializationExtension.get(testKit.system());
        HostState state = new HostState("esx-1", "10.0.0.1", Map.of(), 3);
        Serializer serializer = serialization.findSerializerFor(state);
        String manifest = Serializers.manifestFor(serializer, state);
        ObjectMapper cbor = new ObjectMapper(new CBORFactory());
        ObjectNode tree = (ObjectNode) cbor.readTree(serializer.toBinary(state));
        assertThat(tree.has("pins")).isTrue();
        tree.remove("pins");
        HostState old = (HostState) serialization
                .deserialize(cbor.writeValueAsBytes(tree), serializer.identifier(), manifest)
                .get();
        assertThat(old.pins()).isEmpty();
        assertThat(old.tunnelIp()).isEqualTo("10.0.0.1");
    }
}
