package io.portmesh.sharding.host;

import static io.portmesh.sharding.host.HostPairFixture.trunkOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.portmesh.openflow.plan.TrunkWire;
import io.portmesh.sharding.EntityTestKits;
import io.portmesh.sharding.metrics.NodeMetrics;
import io.portmesh.sharding.service.HostInfo;
import io.portmesh.sharding.southbound.SessionCommand;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Host entity and its agents' trunk reports (OFPT_PORT_STATUS, docs/architecture.md section 7.2): a trunk the
 * controllers want forwarding that its agent's pair fence took down is brought up again with the host's epoch, at most
 * once per {@link TrunkReasserts#SPACING}; what the controller set itself, or a slot that is not to forward, changes
 * nothing. Before, the entity ignored the report and the wanted trunk stayed down until the next reconciliation read.
 */
class HostTrunkReportTest {
    static final ActorTestKit testKit = ActorTestKit.create(EntityTestKits.config());
    private HostPairFixture fx;
    private TestProbe<SessionCommand> a;
    private TestProbe<SessionCommand> b;

    /** Slot a active with its trunk confirmed up, slot b the standby with its trunk confirmed down. */
    @BeforeEach
    void setUp() {
        fx = new HostPairFixture(testKit);
        a = testKit.createTestProbe();
        b = testKit.createTestProbe();
        assertThat(trunkOf(fx.connect(a, "a", "10.0.0.1", false))).contains(true);
        assertThat(trunkOf(fx.connect(b, "b", "10.0.0.2", false))).isEmpty();
        a.expectMessageClass(SessionCommand.SetRole.class); // b's election re-announces every role
    }

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
    }

    private boolean report(TestProbe<SessionCommand> agent, boolean up) {
        return fx.kit
                .runCommand(new HostProtocol.TrunkReported(agent.ref(), up))
                .hasNoEvents();
    }

    private static double reasserts(String result) {
        return NodeMetrics.get(testKit.system())
                .trunkReasserts
                .labelValues(result)
                .get();
    }

    /** The push that brings {@code agent}'s trunk up again: the host's epoch first, then the PORT_MOD; acknowledged. */
    private void expectReassertion(TestProbe<SessionCommand> agent, Duration within, long epoch) {
        SessionCommand.Push up = agent.expectMessageClass(SessionCommand.Push.class, within);
        assertThat(trunkOf(up)).contains(true);
        assertThat(TrunkWire.readActivation(Unpooled.wrappedBuffer(up.messages())))
                .isEqualTo(new TrunkWire.Activation(epoch));
        fx.kit.runCommand(new HostProtocol.Acked(agent.ref(), up.seq()));
    }

    @Test
    void theWantedSlotsTrunkTakenDownByItsFenceIsBroughtUpAgainWithTheHostsEpochAndNoFailover() {
        long epoch = fx.kit.getState().endpointEpoch();
        double before = reasserts("reasserted");

        assertThat(report(a, false))
                .as("no failover, nothing persisted: the persisted choice stands")
                .isTrue();

        expectReassertion(a, Duration.ofSeconds(1), epoch);
        b.expectNoMessage(Duration.ofMillis(100));
        assertThat(reasserts("reasserted") - before).isEqualTo(1);
        assertThat(report(a, true)).as("the re-assertion's own report").isTrue();
        a.expectNoMessage(Duration.ofMillis(100));
        HostInfo h = fx.info();
        assertThat(h.activeSlot()).isEqualTo("a");
        assertThat(h.slots()).extracting(HostInfo.SlotInfo::trunk).containsExactly("up", "down");
        assertThat(fx.kit.getState().endpointEpoch()).isEqualTo(epoch);
        assertThat(fx.kit.getState().activeSlot()).isEqualTo("a");
    }

    @Test
    void aTrunkReportOfTheControllersOwnPortModOrOfASlotNotToForwardChangesNothing() {
        // b, the standby, is found up after a restart of its agent: the controller takes it down itself
        fx.kit.runCommand(new HostProtocol.AgentDisconnected(b.ref()));
        TestProbe<SessionCommand> b2 = testKit.createTestProbe();
        fx.kit.runCommand(
                new HostProtocol.AgentConnected(b2.ref(), "b", "00:0b", HostPairFixture.NODE, "x", "10.0.0.2"));
        b2.expectMessageClass(SessionCommand.SetRole.class);
        a.expectMessageClass(SessionCommand.SetRole.class);
        long read = b2.expectMessageClass(SessionCommand.Reconcile.class).seq();
        fx.kit.runCommand(
                new HostProtocol.Installed(b2.ref(), read, new byte[0], new byte[0], HostPairFixture.ports(true)));
        SessionCommand.Push down = b2.expectMessageClass(SessionCommand.Push.class);
        assertThat(trunkOf(down)).contains(false);
        double before = reasserts("reasserted") + reasserts("deferred");

        // the PORT_MOD's own report, before its barrier reply and after, and the standby reporting its trunk down again
        assertThat(report(b2, false)).isTrue();
        fx.kit.runCommand(new HostProtocol.Acked(b2.ref(), down.seq()));
        assertThat(report(b2, false)).isTrue();
        assertThat(report(b2, false)).isTrue();
        // the active's trunk reported up, as the controller set it
        assertThat(report(a, true)).isTrue();

        a.expectNoMessage(Duration.ofMillis(200));
        b2.expectNoMessage(Duration.ofMillis(1));
        assertThat(reasserts("reasserted") + reasserts("deferred")).isEqualTo(before);
        assertThat(fx.info().slots()).extracting(HostInfo.SlotInfo::trunk).containsExactly("up", "down");
    }

    @Test
    void aFenceDownAgainWithinTheSpacingIsDeferredToItsEndCountedAndBroughtUpOnce() {
        long epoch = fx.kit.getState().endpointEpoch();
        double deferred = reasserts("deferred");
        long firstReport = System.nanoTime();
        report(a, false);
        expectReassertion(a, Duration.ofSeconds(1), epoch);

        // fenced again at once, and again while the re-assertion waits: nothing before the spacing ends
        assertThat(report(a, false)).isTrue();
        assertThat(report(a, false)).isTrue();
        a.expectNoMessage(Duration.ofMillis(300));
        assertThat(reasserts("deferred") - deferred).isEqualTo(1);
        assertThat(fx.info().slots()).extracting(HostInfo.SlotInfo::trunk).containsExactly("down", "down");

        expectReassertion(a, TrunkReasserts.SPACING.plusSeconds(2), epoch);
        assertThat(System.nanoTime() - firstReport)
                .as("at most one re-assertion per spacing")
                .isGreaterThanOrEqualTo(TrunkReasserts.SPACING.toNanos());
        a.expectNoMessage(Duration.ofMillis(200)); // one push for the two reports
        b.expectNoMessage(Duration.ofMillis(1));
        assertThat(reasserts("deferred") - deferred).isEqualTo(1);
        assertThat(fx.kit.getState().activeSlot()).isEqualTo("a");
    }

    /**
     * A report and a barrier reply cross: a down that came while the failover's PORT_MOD up was in flight may be older
     * than it or newer (the agent reports the state when it sends), so the acknowledgement does not confirm up and the
     * trunk is brought up once more; an up reported after that down was the PORT_MOD's own, and nothing follows.
     */
    @Test
    void aDownReportedWhileThePortModUpIsInFlightIsTakenAtItsAcknowledgementUnlessAnUpFollowed() {
        fx.kit.runCommand(new HostProtocol.AgentDisconnected(a.ref())); // failover to b, epoch 1
        SessionCommand.Push up = b.expectMessageClass(SessionCommand.Push.class);
        assertThat(trunkOf(up)).contains(true);
        assertThat(report(b, false)).isTrue();
        fx.kit.runCommand(new HostProtocol.Acked(b.ref(), up.seq()));
        expectReassertion(b, Duration.ofSeconds(1), 1);

        // a failover back to a (b lost, a back) whose up is answered after a down and then an up report: confirmed
        fx.kit.runCommand(new HostProtocol.AgentDisconnected(b.ref()));
        TestProbe<SessionCommand> a2 = testKit.createTestProbe();
        fx.connect(a2, "a", "10.0.0.1", false);
        SessionCommand.Push back = a2.expectMessageClass(SessionCommand.Push.class);
        assertThat(trunkOf(back)).contains(true);
        assertThat(report(a2, false)).isTrue();
        assertThat(report(a2, true)).isTrue();
        fx.kit.runCommand(new HostProtocol.Acked(a2.ref(), back.seq()));
        a2.expectNoMessage(Duration.ofMillis(200));
        assertThat(fx.info().activeSlot()).isEqualTo("a");
    }
}
