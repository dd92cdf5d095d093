package io.portmesh.sharding.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.model.Vni;
import io.portmesh.model.flow.DatapathPorts;
import io.portmesh.openflow.OpenFlowBytes;
import io.portmesh.openflow.plan.TrunkWire;
import io.portmesh.sharding.EntityTestKits;
import io.portmesh.sharding.lswitch.SwitchMembers;
import io.portmesh.sharding.service.HostInfo;
import io.portmesh.sharding.southbound.SessionCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFPortConfig;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFPort;

/**
 * Failovers interrupted by a second failure (an adversarial review's findings, docs/architecture.md section 7.2): a
 * target that dies, an old active that dies while its trunk goes down, a new incarnation that has not seen every slot
 * yet. Each test failed before its fix.
 */
class HostFailoverRacesTest {
    static final ActorTestKit testKit = ActorTestKit.create(EntityTestKits.config());
    private static final String NODE = "pekko://test@127.0.0.1:1";
    private static final String OTHER_NODE = "pekko://test@127.0.0.1:2";
    private static final SwitchMembers BLUE = new SwitchMembers(100, 1, List.of());
    private final Map<String, CompletableFuture<Object>> heldAsks = new ConcurrentHashMap<>();
    private volatile boolean holdAsks;
    private EventSourcedBehaviorTestKit<HostProtocol.Command, HostEntity.Event, HostState> kit;

    @BeforeEach
    void setUp() {
        HostProtocol.SwitchDirectory switches = new HostProtocol.SwitchDirectory() {
            @Override
            public CompletionStage<SwitchMembers> members(String switchId) {
                return CompletableFuture.completedFuture(BLUE);
            }

            @Override
            public CompletionStage<?> setEndpoint(String sw, String host, String tep, String standby, long epoch) {
                if (!holdAsks) {
                    return CompletableFuture.completedFuture(null);
                }
                CompletableFuture<Object> f = new CompletableFuture<>();
                heldAsks.put(sw, f);
                return f;
            }
        };
        kit = EventSourcedBehaviorTestKit.create(
                testKit.system(), HostEntity.create("esx-1", NODE, Duration.ofSeconds(2), switches));
        kit.clear();
        kit.<StatusReply<HostInfo>>runCommand(r -> new HostProtocol.Register(Ipv4.parse("10.0.0.1"), r));
        kit.<StatusReply<HostProtocol.Bound>>runCommand(r -> new HostProtocol.BindPort(
                PortId.of("p1"), Mac.parse("52:54:00:00:00:01"), SwitchId.of("blue"), new Vni(100), r));
    }

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
    }

    private static byte[] ports(boolean trunkUp) {
        var f = OFFactories.getFactory(OFVersion.OF_13);
        return OpenFlowBytes.encode(List.of(f.buildPortDescStatsReply()
                .setXid(1)
                .setEntries(List.of(f.buildPortDesc()
                        .setPortNo(OFPort.of(DatapathPorts.TRUNK))
                        .setHwAddr(MacAddress.of(0x02_00_00_00_00_01L))
                        .setName("trunk")
                        .setConfig(trunkUp ? Set.of() : Set.of(OFPortConfig.PORT_DOWN))
                        .build()))
                .build()));
    }

    private SessionCommand.Push connect(TestProbe<SessionCommand> agent, String slot, String tep, boolean trunkUp) {
        kit.runCommand(new HostProtocol.AgentConnected(agent.ref(), slot, "00:0" + slot, NODE, "127.0.0.1:1", tep));
        agent.expectMessageClass(SessionCommand.SetRole.class);
        long read = agent.expectMessageClass(SessionCommand.Reconcile.class).seq();
        kit.runCommand(new HostProtocol.Installed(agent.ref(), read, new byte[0], new byte[0], ports(trunkUp)));
        SessionCommand.Push whole = agent.expectMessageClass(SessionCommand.Push.class);
        kit.runCommand(new HostProtocol.Acked(agent.ref(), whole.seq()));
        return whole;
    }

    private static Optional<Boolean> trunkOf(SessionCommand.Push p) {
        return TrunkWire.readPortMod(p.messages());
    }

    /** The pushes an agent gets within {@code ms}, each acknowledged. */
    private List<SessionCommand.Push> pushesWithin(TestProbe<SessionCommand> agent, long ms) {
        List<SessionCommand.Push> out = new ArrayList<>();
        long deadline = System.nanoTime() + ms * 1_000_000;
        while (System.nanoTime() < deadline) {
            try {
                SessionCommand m = agent.receiveMessage(Duration.ofMillis(50));
                if (m instanceof SessionCommand.Push p) {
                    out.add(p);
                    kit.runCommand(new HostProtocol.Acked(agent.ref(), p.seq()));
                }
            } catch (AssertionError timeout) {
                // nothing within 50 ms
            }
        }
        return out;
    }

    /** Any AgentDisconnected runs the failover check (the scheduled CheckFailover is local to the entity). */
    private void checkFailover() {
        kit.runCommand(new HostProtocol.AgentDisconnected(
                testKit.<SessionCommand>createTestProbe().ref()));
    }

    private SessionCommand.Push nextPush(TestProbe<SessionCommand> agent) {
        return (SessionCommand.Push) agent.fishForMessage(
                        Duration.ofSeconds(2),
                        m -> m instanceof SessionCommand.Push
                                ? FishingOutcomes.complete()
                                : FishingOutcomes.continueAndIgnore())
                .get(0);
    }

    private HostInfo info() {
        return kit.<StatusReply<HostInfo>>runCommand(HostProtocol.Get::new)
                .reply()
                .getValue();
    }

    @Test
    void aPlannedFailoverWhoseTargetDiesFailsBackWithoutTakingTheHealthyActiveDown() {
        TestProbe<SessionCommand> a = testKit.createTestProbe();
        TestProbe<SessionCommand> b = testKit.createTestProbe();
        connect(a, "a", "10.0.0.1", false);
        connect(b, "b", "10.0.0.2", false);
        a.expectMessageClass(SessionCommand.SetRole.class);
        holdAsks = true;
        kit.runCommand(new HostProtocol.Failover(
                testKit.<StatusReply<HostInfo>>createTestProbe().ref()));
        kit.runCommand(new HostProtocol.AgentDisconnected(b.ref())); // the target dies mid-way
        heldAsks.values().forEach(f -> f.complete("done"));
        List<SessionCommand.Push> toA = pushesWithin(a, 700);
        checkFailover();
        toA.addAll(pushesWithin(a, 300));
        assertThat(toA.stream().map(HostFailoverRacesTest::trunkOf))
                .as("a's trunk taken down although b, the only other slot, is dead")
                .doesNotContain(Optional.of(false));
        assertThat(info().activeSlot())
                .as("fails back to the live slot that holds the plan")
                .isEqualTo("a");
    }

    @Test
    void aFailoverWhoseTargetDiesBeforeItsTrunkIsUpDoesNotBlockTheNextFailover() {
        TestProbe<SessionCommand> a = testKit.createTestProbe();
        TestProbe<SessionCommand> b = testKit.createTestProbe();
        connect(a, "a", "10.0.0.1", false);
        connect(b, "b", "10.0.0.2", false);
        a.expectMessageClass(SessionCommand.SetRole.class);
        kit.runCommand(new HostProtocol.AgentDisconnected(a.ref()));
        assertThat(kit.getState().activeSlot()).isEqualTo("b");
        nextPush(b); // PORT_MOD up, never acknowledged
        kit.runCommand(new HostProtocol.AgentDisconnected(b.ref()));
        connect(testKit.createTestProbe(), "a", "10.0.0.1", false);
        checkFailover();
        assertThat(kit.getState().activeSlot())
                .as("b is dead, a is back and holds the plan")
                .isEqualTo("a");
    }

    @Test
    void theOldActiveDyingWithItsPortModDownInFlightLetsTheNewTrunkComeUp() {
        TestProbe<SessionCommand> a = testKit.createTestProbe();
        TestProbe<SessionCommand> a2 = testKit.createTestProbe();
        TestProbe<SessionCommand> b = testKit.createTestProbe();
        connect(a, "a", "10.0.0.1", false);
        kit.runCommand(new HostProtocol.AgentConnected(a2.ref(), "a", "00:0a", OTHER_NODE, "127.0.0.1:2", "10.0.0.1"));
        connect(b, "b", "10.0.0.2", false);
        kit.runCommand(new HostProtocol.Failover(
                testKit.<StatusReply<HostInfo>>createTestProbe().ref()));
        assertThat(trunkOf(nextPush(a))).contains(false);
        kit.runCommand(new HostProtocol.AgentDisconnected(a.ref())); // master first
        kit.runCommand(new HostProtocol.AgentDisconnected(a2.ref()));
        assertThat(pushesWithin(b, 800).stream().map(HostFailoverRacesTest::trunkOf))
                .as("a cannot forward any more (no connection): b's trunk must come up")
                .contains(Optional.of(true));
    }

    @Test
    void aNewIncarnationDoesNotBringATrunkUpBeforeTheOtherSlotIsKnownDown() {
        connect(testKit.createTestProbe(), "a", "10.0.0.1", false);
        connect(testKit.createTestProbe(), "b", "10.0.0.2", false);
        holdAsks = true;
        kit.runCommand(new HostProtocol.Failover(
                testKit.<StatusReply<HostInfo>>createTestProbe().ref()));
        assertThat(kit.getState().activeSlot()).isEqualTo("b");
        kit.restart();
        SessionCommand.Push first = connect(testKit.createTestProbe(), "b", "10.0.0.2", false);
        assertThat(trunkOf(first))
                .as("a's agent (trunk up) has not re-registered yet")
                .isNotEqualTo(Optional.of(true));
    }

    @Test
    void theHeldTrunksSlotDyingDuringRepointingBringsTheNewTrunkUpAtOnce() {
        TestProbe<SessionCommand> a = testKit.createTestProbe();
        TestProbe<SessionCommand> b = testKit.createTestProbe();
        connect(a, "a", "10.0.0.1", false);
        connect(b, "b", "10.0.0.2", false);
        holdAsks = true;
        kit.runCommand(new HostProtocol.Failover(
                testKit.<StatusReply<HostInfo>>createTestProbe().ref()));
        kit.runCommand(new HostProtocol.AgentDisconnected(a.ref()));
        assertThat(pushesWithin(b, 800).stream().map(HostFailoverRacesTest::trunkOf))
                .as("a is gone: nothing is held any more, b's trunk must come up before the switches answer")
                .contains(Optional.of(true));
    }
}
