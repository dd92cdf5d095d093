package io.portmesh.sharding.host;

import static io.portmesh.sharding.host.HostPairFixture.ports;
import static io.portmesh.sharding.host.HostPairFixture.trunkOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.model.Vni;
import io.portmesh.openflow.plan.TrunkWire;
import io.portmesh.sharding.EntityTestKits;
import io.portmesh.sharding.lswitch.SwitchMembers;
import io.portmesh.sharding.service.HostInfo;
import io.portmesh.sharding.southbound.SessionCommand;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.JournalOperation;
import org.apache.pekko.persistence.testkit.ProcessingPolicy;
import org.apache.pekko.persistence.testkit.ProcessingSuccess;
import org.apache.pekko.persistence.testkit.ReadEvents;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Switch-VM failover as the Host entity drives it (docs/architecture.md section 7.2), with probes for the agents'
 * sessions and a recording stub for the switches: which trunk goes up when, and that no PORT_MOD ever brings a trunk up
 * while the other slot's may still forward.
 */
class HostFailoverEntityTest {
    static final ActorTestKit testKit = ActorTestKit.create(EntityTestKits.config());
    private static final String NODE = HostPairFixture.NODE;
    private static final String OTHER_NODE = HostPairFixture.OTHER_NODE;
    private static final SwitchMembers BLUE = HostPairFixture.BLUE;

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

    @Test
    void theActiveAgentsTrunkIsBroughtUpAndTheStandbysKeptDownByTheFirstPush() {
        TestProbe<SessionCommand> a = testKit.createTestProbe();
        TestProbe<SessionCommand> b = testKit.createTestProbe();
        assertThat(trunkOf(fx.connect(a, "a", "10.0.0.1", false))).contains(true);
        assertThat(trunkOf(fx.connect(b, "b", "10.0.0.2", true))).contains(false);
        HostInfo h = fx.info();
        assertThat(h.activeSlot()).isEqualTo("a");
        assertThat(h.slots())
                .extracting(HostInfo.SlotInfo::slot, HostInfo.SlotInfo::tunnelIp, HostInfo.SlotInfo::trunk)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("a", "10.0.0.1", "up"),
                        org.assertj.core.groups.Tuple.tuple("b", "10.0.0.2", "down"));
    }

    /**
     * The standby connected before the active agent was read: its trunk state was unknown when the active's plan was
     * pushed, so the active's trunk had to wait, and comes up as soon as the standby's read shows its trunk down.
     */
    @Test
    void theActiveTrunkComesUpOnceTheStandbysReadShowsItDown() {
        TestProbe<SessionCommand> a = testKit.createTestProbe();
        TestProbe<SessionCommand> b = testKit.createTestProbe();
        kit.runCommand(new HostProtocol.AgentConnected(a.ref(), "a", "00:0a", NODE, "127.0.0.1:1", "10.0.0.1"));
        a.expectMessageClass(SessionCommand.SetRole.class);
        long readA = a.expectMessageClass(SessionCommand.Reconcile.class).seq();
        kit.runCommand(new HostProtocol.AgentConnected(b.ref(), "b", "00:0b", NODE, "127.0.0.1:2", "10.0.0.2"));
        a.expectMessageClass(SessionCommand.SetRole.class);
        b.expectMessageClass(SessionCommand.SetRole.class);
        long readB = b.expectMessageClass(SessionCommand.Reconcile.class).seq();
        kit.runCommand(new HostProtocol.Installed(a.ref(), readA, new byte[0], new byte[0], ports(false)));
        SessionCommand.Push wholeA = a.expectMessageClass(SessionCommand.Push.class);
        assertThat(trunkOf(wholeA))
                .as("b's trunk is unknown: a stays down for now")
                .isEmpty();
        kit.runCommand(new HostProtocol.Acked(a.ref(), wholeA.seq()));
        kit.runCommand(new HostProtocol.Installed(b.ref(), readB, new byte[0], new byte[0], ports(false)));
        assertThat(trunkOf(b.expectMessageClass(SessionCommand.Push.class))).isEmpty();
        assertThat(trunkOf(a.expectMessageClass(SessionCommand.Push.class))).contains(true);
    }

    /**
     * Slot b's agent reconnects (a new master, a new generation, a new plan version) while slot a's stays in sync
     * with nothing to acknowledge: a change that changes nothing is realized at once, not after the realization
     * timeout (before, b's acknowledged version was older than the new generation's and nothing was ever pushed to
     * b to bring it up to date).
     * (A's agent gets the new generation's role but no push: nothing changed for it.)
     */
    @Test
    void aSlotInSyncWithNothingUnacknowledgedHoldsThePlanAfterTheOtherSlotsNewGeneration() {
        TestProbe<SessionCommand> a = testKit.createTestProbe();
        TestProbe<SessionCommand> b = testKit.createTestProbe();
        fx.connect(a, "a", "10.0.0.1", false);
        fx.connect(b, "b", "10.0.0.2", false);
        kit.runCommand(new HostProtocol.AgentDisconnected(b.ref()));
        TestProbe<SessionCommand> again = testKit.createTestProbe();
        fx.connect(again, "b", "10.0.0.2", false);
        var probe = testKit.<StatusReply<HostProtocol.Applied>>createTestProbe();
        kit.runCommand(new HostProtocol.ApplySwitchMembers(SwitchId.of("blue"), BLUE, true, probe.ref()));
        assertThat(probe.receiveMessage(Duration.ofMillis(500)).getValue().realized())
                .isTrue();
    }

    @Test
    void theStandbysEndpointIsAnnouncedToTheSwitchesWhenItIsFirstSeen() throws Exception {
        TestProbe<SessionCommand> a = testKit.createTestProbe();
        TestProbe<SessionCommand> b = testKit.createTestProbe();
        fx.connect(a, "a", "10.0.0.1", false);
        assertThat(fx.endpointAsks).as("no standby yet: nothing to announce").isEmpty();
        fx.connect(b, "b", "10.0.0.2", false);
        assertThat(fx.awaitAsk("blue esx-1 10.0.0.1 10.0.0.2 0")).isTrue();
    }

    /**
     * A pair's active agent whose trunk is found up (the controller restarted, or the agent did) may hold the epoch
     * of an older activation: its first push after the read tells it the current one, with no PORT_MOD and no
     * flow-mod counted (architecture 7.2, the review's "an up trunk keeps an older epoch").
     */
    @Test
    void aPairsActiveTrunkFoundUpIsToldTheCurrentEpochWithoutAPortMod() {
        TestProbe<SessionCommand> b = testKit.createTestProbe();
        fx.connect(b, "b", "10.0.0.2", false);
        TestProbe<SessionCommand> a = testKit.createTestProbe();
        SessionCommand.Push whole = fx.connect(a, "a", "10.0.0.1", true);
        assertThat(trunkOf(whole)).isEmpty();
        assertThat(TrunkWire.readActivation(io.netty.buffer.Unpooled.wrappedBuffer(whole.messages())))
                .isEqualTo(new TrunkWire.Activation(0));
    }

    @Test
    void aSingleAgentWhoseTrunkIsAlreadyUpGetsNoPortMod() {
        TestProbe<SessionCommand> a = testKit.createTestProbe();
        assertThat(trunkOf(fx.connect(a, "a", null, true))).isEmpty();
    }

    @Test
    void losingTheActiveAgentOnEveryNodeFailsOverToTheStandbyAndRepointsTheSwitches() throws Exception {
        TestProbe<SessionCommand> a = testKit.createTestProbe();
        TestProbe<SessionCommand> a2 = testKit.createTestProbe();
        TestProbe<SessionCommand> b = testKit.createTestProbe();
        fx.connect(a, "a", "10.0.0.1", false);
        kit.runCommand(new HostProtocol.AgentConnected(a2.ref(), "a", "00:0a", OTHER_NODE, "127.0.0.1:2", "10.0.0.1"));
        a2.expectMessageClass(SessionCommand.SetRole.class);
        fx.connect(b, "b", "10.0.0.2", false);

        // one node losing its connection is no failure
        var first = kit.runCommand(new HostProtocol.AgentDisconnected(a2.ref()));
        assertThat(first.hasNoEvents()).isTrue();
        b.expectNoMessage(Duration.ofMillis(100));

        var last = kit.runCommand(new HostProtocol.AgentDisconnected(a.ref()));
        assertThat(last.events())
                .containsExactly(new HostEntity.ActiveSlotChanged(
                        "b", false, "the agent of slot a is lost on every controller node", 1));
        SessionCommand.Push up = b.expectMessageClass(SessionCommand.Push.class);
        assertThat(trunkOf(up)).contains(true);
        // the trunk-up tells the agent the failover's epoch first (the pair fence); only the PORT_MOD counts as a
        // flow-mod (the activation changes no flow: a restart that finds everything right still sends zero)
        assertThat(TrunkWire.readActivation(io.netty.buffer.Unpooled.wrappedBuffer(up.messages())))
                .isEqualTo(new TrunkWire.Activation(1));
        assertThat(up.count()).isEqualTo(1);
        // the old active is gone: no copies go to it (null standby)
        assertThat(fx.awaitAsk("blue esx-1 10.0.0.2 null 1")).isTrue();
        kit.runCommand(new HostProtocol.Acked(b.ref(), up.seq()));
        HostInfo h = fx.info();
        assertThat(h.activeSlot()).isEqualTo("b");
        assertThat(h.tunnelIp()).isEqualTo("10.0.0.2");
        // a port bound from now on is reached at the new endpoint
        var bound = kit.<StatusReply<HostProtocol.Bound>>runCommand(r -> new HostProtocol.BindPort(
                PortId.of("p2"), Mac.parse("52:54:00:00:00:02"), SwitchId.of("blue"), new Vni(100), r));
        assertThat(bound.reply().getValue().tunnelIp()).isEqualTo(Ipv4.parse("10.0.0.2"));

        // the old active comes back as the standby: its trunk goes down before anything else
        TestProbe<SessionCommand> back = testKit.createTestProbe();
        assertThat(trunkOf(fx.connect(back, "a", "10.0.0.1", true))).contains(false);
    }

    @Test
    void aNewIncarnationWhoseRecoveryOutlastedTheGraceStillWaitsForTheActiveToAnnounceItself() {
        TestProbe<SessionCommand> a = testKit.createTestProbe();
        TestProbe<SessionCommand> b = testKit.createTestProbe();
        fx.connect(a, "a", "10.0.0.1", false);
        fx.connect(b, "b", "10.0.0.2", false);

        // the host restarts on a survivor of a loaded cluster whose journal takes longer than the grace to replay
        long replay = HostEntity.FAILOVER_START_GRACE.toMillis() + 1_000;
        kit.persistenceTestKit().withPolicy((ProcessingPolicy<JournalOperation>) (id, op) -> {
            if (op instanceof ReadEvents) {
                sleep(replay);
            }
            return ProcessingSuccess.getInstance();
        });
        try {
            kit.restart();
        } finally {
            kit.persistenceTestKit().resetPolicy();
        }
        // the standby's session announces itself first; the active's is on its way: no failover to the standby
        TestProbe<SessionCommand> b2 = testKit.createTestProbe();
        fx.connect(b2, "b", "10.0.0.2", false);
        b2.expectNoMessage(Duration.ofMillis(300));
        assertThat(fx.info().activeSlot()).isEqualTo("a");
        TestProbe<SessionCommand> a2 = testKit.createTestProbe();
        fx.connect(a2, "a", "10.0.0.1", true);
        assertThat(fx.info().activeSlot()).isEqualTo("a");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void withoutAStandbyThatHoldsThePlanTheHostIsReportedDownNotFlapped() {
        TestProbe<SessionCommand> a = testKit.createTestProbe();
        TestProbe<SessionCommand> b = testKit.createTestProbe();
        fx.connect(a, "a", "10.0.0.1", false);
        kit.runCommand(new HostProtocol.AgentConnected(b.ref(), "b", "00:0b", NODE, "127.0.0.1:3", "10.0.0.2"));
        b.expectMessageClass(SessionCommand.SetRole.class);
        b.expectMessageClass(SessionCommand.Reconcile.class); // never answered: b does not hold the plan
        var lost = kit.runCommand(new HostProtocol.AgentDisconnected(a.ref()));
        assertThat(lost.hasNoEvents()).isTrue();
        assertThat(fx.info().activeSlot()).isEqualTo("a");
        assertThat(fx.endpointAsks).as("only the standby's announcement").allMatch(ask -> ask.endsWith(" 0"));
    }

    @Test
    void aPlannedFailoverRepointsThePeersFirstThenTakesTheOldTrunkDownThenBringsTheNewOneUp() throws Exception {
        TestProbe<SessionCommand> a = testKit.createTestProbe();
        TestProbe<SessionCommand> b = testKit.createTestProbe();
        fx.connect(a, "a", "10.0.0.1", false);
        fx.connect(b, "b", "10.0.0.2", false);
        a.expectMessageClass(SessionCommand.SetRole.class); // b's election re-announces every role
        fx.holdAsks();
        var caller = testKit.<StatusReply<HostInfo>>createTestProbe();
        var result = kit.runCommand(new HostProtocol.Failover(caller.ref()));
        assertThat(result.events())
                .containsExactly(new HostEntity.ActiveSlotChanged("b", true, "requested through the API", 1));
        assertThat(fx.awaitAsk("blue esx-1 10.0.0.2 10.0.0.1 1")).isTrue();
        // until the peers are re-pointed, the old active forwards and the new one stays down
        a.expectNoMessage(Duration.ofMillis(200));
        b.expectNoMessage(Duration.ofMillis(1));

        fx.heldAsks.get("blue").complete("done");
        SessionCommand.Push down = a.expectMessageClass(SessionCommand.Push.class);
        assertThat(trunkOf(down)).contains(false);
        b.expectNoMessage(Duration.ofMillis(200)); // never up while the old one may still forward
        kit.runCommand(new HostProtocol.Acked(a.ref(), down.seq()));
        SessionCommand.Push up = b.expectMessageClass(SessionCommand.Push.class);
        assertThat(trunkOf(up)).contains(true);
        caller.expectNoMessage(Duration.ofMillis(100));
        kit.runCommand(new HostProtocol.Acked(b.ref(), up.seq()));
        HostInfo done = caller.receiveMessage(Duration.ofSeconds(2)).getValue();
        assertThat(done.activeSlot()).isEqualTo("b");
        assertThat(done.slots()).extracting(HostInfo.SlotInfo::trunk).containsExactly("down", "up");
    }

    @Test
    void aPlannedFailoverWithoutAReadyStandbyIsAConflict() {
        TestProbe<SessionCommand> a = testKit.createTestProbe();
        fx.connect(a, "a", "10.0.0.1", false);
        var r = kit.<StatusReply<HostInfo>>runCommand(HostProtocol.Failover::new);
        assertThat(r.hasNoEvents()).isTrue();
        assertThat(r.reply().isError()).isTrue();
        assertThat(r.reply().getError().getMessage()).contains("no standby agent");
    }
}
