package io.portmesh.sharding.southbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.Mac;
import io.portmesh.model.VlanId;
import io.portmesh.openflow.session.AgentMessage;
import io.portmesh.sharding.EntityTestKits;
import io.portmesh.sharding.host.HostProtocol;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The agent's report of its trunk (OFPT_PORT_STATUS) reaches the Host incarnation that gave the connection its role,
 * where the acknowledgements go (docs/architecture.md section 7.2: the Host re-asserts a trunk the fence took down).
 * So does an activation frame (section 13.1): a connection the host refused or never admitted has no role, and the
 * frames it sends, which anybody can forge, reach no host.
 */
class SouthboundSessionTrunkStatusTest {
    static final ActorTestKit testKit = ActorTestKit.create(EntityTestKits.config());

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
    }

    private static ActorRef<SessionCommand> announced(TestProbe<HostProtocol.Command> shard) {
        return new FakeAgentConnection().announcedSession(testKit, shard);
    }

    @Test
    void anActivationFrameGoesToTheHostIncarnationThatGaveTheRoleAndNowhereBeforeOne() {
        TestProbe<HostProtocol.Command> shard = testKit.createTestProbe();
        TestProbe<HostProtocol.Command> incarnation = testKit.createTestProbe();
        ActorRef<SessionCommand> session = announced(shard);
        AgentMessage.ActivationFrame frame =
                new AgentMessage.ActivationFrame(new VlanId(7), Mac.parse("52:54:00:00:00:07"));

        session.tell(new SouthboundSession.Inbound(frame));
        shard.expectNoMessage(Duration.ofMillis(100));

        session.tell(new SessionCommand.SetRole(true, 1, incarnation.ref()));
        session.tell(new SouthboundSession.Inbound(frame));
        assertThat(incarnation.expectMessageClass(HostProtocol.ActivationSeen.class))
                .isEqualTo(new HostProtocol.ActivationSeen(session, frame.vlan(), frame.mac()));
        shard.expectNoMessage(Duration.ofMillis(1));
    }

    @Test
    void aTrunkStatusGoesToTheHostIncarnationThatGaveTheRoleAndNowhereBeforeOne() {
        TestProbe<HostProtocol.Command> shard = testKit.createTestProbe();
        TestProbe<HostProtocol.Command> incarnation = testKit.createTestProbe();
        ActorRef<SessionCommand> session = announced(shard);

        // no role yet: the entity does not know this connection, and its read will find the trunk as it is
        session.tell(new SouthboundSession.Inbound(new AgentMessage.TrunkStatus(false)));
        shard.expectNoMessage(Duration.ofMillis(100));

        session.tell(new SessionCommand.SetRole(true, 1, incarnation.ref()));
        session.tell(new SouthboundSession.Inbound(new AgentMessage.TrunkStatus(false)));
        assertThat(incarnation.expectMessageClass(HostProtocol.TrunkReported.class))
                .isEqualTo(new HostProtocol.TrunkReported(session, false));
        shard.expectNoMessage(Duration.ofMillis(1));
    }
}
