package io.portmesh.sharding.host;

import static io.portmesh.sharding.host.HostPairFixture.trunkOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.sharding.EntityTestKits;
import io.portmesh.sharding.service.HostInfo;
import io.portmesh.sharding.southbound.SessionCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Failovers interrupted by a second failure (an adversarial review's findings, docs/architecture.md section 7.2): a
 * target that dies, an old active that dies while its trunk goes down, a new incarnation that has not seen every slot
 * yet. Each test failed before its fix.
 */
class HostFailoverRacesTest {
    static final ActorTestKit testKit = ActorTestKit.create(EntityTestKits.config());
    private static final String OTHER_NODE = HostPairFixture.OTHER_NODE;
    private HostPairFixture fx;
    private EventSourcedBehaviorTestKit<HostProtocol.Command, HostEntity.Event, HostState> kit;

    @BeforeEach
    void setUp() {
        fx = new HostPairFixture(testKit);
        kit = fx.kit;
    }

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
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

    @Test
    void aPlannedFailoverWhoseTargetDiesFailsBackWithoutTakingTheHealthyActiveDown() {
        TestProbe<SessionCommand> a = testKit.createTestProbe();
        TestProbe<SessionCommand> b = testKit.createTestProbe();
        fx.connect(a, "a", "10.0.0.1", false);
        fx.connect(b, "b", "10.0.0.2", false);
        a.expectMessageClass(SessionCommand.SetRole.class);
        fx.holdAsks();
        kit.runCommand(new HostProtocol.Failover(
                testKit.<StatusReply<HostInfo>>createTestProbe().ref()));
        kit.runCommand(new HostProtocol.AgentDisconnected(b.ref())); // the target dies mid-way
        fx.heldAsks.values().forEach(f -> f.complete("done"));
        List<SessionCommand.Push> toA = pushesWithin(a, 700);
        checkFailover();
        toA.addAll(pushesWithin(a, 300));
        assertThat(toA.stream().map(HostPairFixture::trunkOf))
                .as("a's trunk taken down although b, the only other slot, is dead")
                .doesNotContain(Optional.of(false));
        assertThat(fx.info().activeSlot())
                .as("fails back to the live slot that holds the plan")
                .isEqualTo("a");
    }

    @Test
    void aFailoverWhoseTargetDiesBeforeItsTrunkIsUpDoesNotBlockTheNextFailover() {
        TestProbe<SessionCommand> a = testKit.createTestProbe();
        TestProbe<SessionCommand> b = testKit.createTestProbe();
        fx.connect(a, "a", "10.0.0.1", false);
        fx.connect(b, "b", "10.0.0.2", false);
        a.expectMessageClass(SessionCommand.SetRole.class);
        kit.runCommand(new HostProtocol.AgentDisconnected(a.ref()));
        assertThat(kit.getState().activeSlot()).isEqualTo("b");
        nextPush(b); // PORT_MOD up, never acknowledged
        kit.runCommand(new HostProtocol.AgentDisconnected(b.ref()));
        fx.connect(testKit.createTestProbe(), "a", "10.0.0.1", false);
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
        fx.connect(a, "a", "10.0.0.1", false);
        kit.runCommand(new HostProtocol.AgentConnected(a2.ref(), "a", "00:0a", OTHER_NODE, "127.0.0.1:2", "10.0.0.1"));
        fx.connect(b, "b", "10.0.0.2", false);
        kit.runCommand(new HostProtocol.Failover(
                testKit.<StatusReply<HostInfo>>createTestProbe().ref()));
        assertThat(trunkOf(nextPush(a))).contains(false);
        kit.runCommand(new HostProtocol.AgentDisconnected(a.ref())); // master first
        kit.runCommand(new HostProtocol.AgentDisconnected(a2.ref()));
        assertThat(pushesWithin(b, 800).stream().map(HostPairFixture::trunkOf))
                .as("a cannot forward any more (no connection): b's trunk must come up")
                .contains(Optional.of(true));
    }

    @Test
    void aNewIncarnationDoesNotBringATrunkUpBeforeTheOtherSlotIsKnownDown() {
        fx.connect(testKit.createTestProbe(), "a", "10.0.0.1", false);
        fx.connect(testKit.createTestProbe(), "b", "10.0.0.2", false);
        fx.holdAsks();
        kit.runCommand(new HostProtocol.Failover(
                testKit.<StatusReply<HostInfo>>createTestProbe().ref()));
        assertThat(kit.getState().activeSlot()).isEqualTo("b");
        kit.restart();
        SessionCommand.Push first = fx.connect(testKit.createTestProbe(), "b", "10.0.0.2", false);
        assertThat(trunkOf(first))
                .as("a's agent (trunk up) has not re-registered yet")
                .isNotEqualTo(Optional.of(true));
    }

    @Test
    void theHeldTrunksSlotDyingDuringRepointingBringsTheNewTrunkUpAtOnce() {
        TestProbe<SessionCommand> a = testKit.createTestProbe();
        TestProbe<SessionCommand> b = testKit.createTestProbe();
        fx.connect(a, "a", "10.0.0.1", false);
        fx.connect(b, "b", "10.0.0.2", false);
        fx.holdAsks();
        kit.runCommand(new HostProtocol.Failover(
                testKit.<StatusReply<HostInfo>>createTestProbe().ref()));
        kit.runCommand(new HostProtocol.AgentDisconnected(a.ref()));
        assertThat(pushesWithin(b, 800).stream().map(HostPairFixture::trunkOf))
                .as("a is gone: nothing is held any more, b's trunk must come up before the switches answer")
                .contains(Optional.of(true));
    }
}
