package io.portmesh.sharding.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.AgentPin;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.model.VlanId;
import io.portmesh.model.Vni;
import io.portmesh.sharding.EntityTestKits;
import io.portmesh.sharding.service.HostInfo;
import io.portmesh.sharding.southbound.SessionCommand;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Who may end a live move here (docs/architecture.md sections 7.1 and 13.1): an activation frame's cookie is written by
 * whoever sends it, so the host takes an {@link HostProtocol.ActivationSeen} only from the master connection of one
 * of its slots. One from a connection the host never saw, one it refused by its pins, or one of its slaves is
 * ignored: no {@link HostEntity.ArrivalAnnounced}, the port not told.
 */
class HostActivationSenderTest {
    static final ActorTestKit testKit = ActorTestKit.create(EntityTestKits.config());
    private static final String NODE = HostPinsTest.NODE;
    private static final String KEY = "11".repeat(32);
    private static final String DPID = "00:00:00:00:00:00:00:0a";
    private static final Mac MAC = Mac.parse("52:54:00:00:00:07");

    /** The ports the host told that their VM arrived. */
    private final List<String> told = new CopyOnWriteArrayList<>();

    private EventSourcedBehaviorTestKit<HostProtocol.Command, HostEntity.Event, HostState> kit;
    /** The arriving port's VLAN here. */
    private VlanId vlan;

    @BeforeEach
    void setUp() {
        kit = HostPinsTest.host(testKit, (port, host) -> told.add(port));
        kit.<StatusReply<HostInfo>>runCommand(
                r -> new HostProtocol.Register(Ipv4.parse("10.0.0.1"), Map.of("a", new AgentPin(KEY, DPID)), r));
        vlan = kit.<StatusReply<HostProtocol.Bound>>runCommand(r ->
                        new HostProtocol.BindPort(PortId.of("p1"), MAC, SwitchId.of("blue"), new Vni(100), true, r))
                .reply()
                .getValue()
                .vlan();
    }

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
    }

    private TestProbe<SessionCommand> connect(String key) {
        TestProbe<SessionCommand> agent = testKit.createTestProbe();
        kit.runCommand(new HostProtocol.AgentConnected(agent.ref(), "a", DPID, NODE, "127.0.0.1:1", null, key));
        return agent;
    }

    private boolean activationTaken(TestProbe<SessionCommand> from) {
        var result = kit.runCommand(new HostProtocol.ActivationSeen(from.ref(), vlan, MAC));
        if (result.hasNoEvents()) {
            return false;
        }
        assertThat(result.events()).containsExactly(new HostEntity.ArrivalAnnounced("p1"));
        return true;
    }

    @Test
    void anActivationFromAConnectionTheHostNeverSawIsIgnored() {
        TestProbe<SessionCommand> master = connect(KEY);
        assertThat(master.expectMessageClass(SessionCommand.SetRole.class).master())
                .isTrue();
        TestProbe<SessionCommand> stranger = testKit.createTestProbe();

        assertThat(activationTaken(stranger)).isFalse();
        assertThat(told).isEmpty();
    }

    @Test
    void anActivationFromAConnectionRefusedByThePinsIsIgnored() {
        TestProbe<SessionCommand> master = connect(KEY);
        assertThat(master.expectMessageClass(SessionCommand.SetRole.class).master())
                .isTrue();
        TestProbe<SessionCommand> impostor = connect("22".repeat(32));
        assertThat(impostor.expectMessageClass(SessionCommand.Refuse.class).reason())
                .isEqualTo("pinned-key-mismatch");

        assertThat(activationTaken(impostor)).isFalse();
        assertThat(told).isEmpty();
    }

    @Test
    void anActivationFromASlaveIsIgnoredAndFromTheMasterEndsTheMove() {
        TestProbe<SessionCommand> master = connect(KEY);
        assertThat(master.expectMessageClass(SessionCommand.SetRole.class).master())
                .isTrue();
        TestProbe<SessionCommand> slave = connect(KEY);
        assertThat(slave.expectMessageClass(SessionCommand.SetRole.class).master())
                .isFalse();

        assertThat(activationTaken(slave)).isFalse();
        assertThat(told).isEmpty();
        assertThat(activationTaken(master)).isTrue();
        assertThat(told).containsExactly("p1");
    }
}
