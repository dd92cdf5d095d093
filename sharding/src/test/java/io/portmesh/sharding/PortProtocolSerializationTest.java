package io.portmesh.sharding;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.model.flow.Cookies;
import io.portmesh.sharding.host.HostProtocol;
import io.portmesh.sharding.port.LogicalPortEntity;
import io.portmesh.sharding.port.PortChange;
import io.portmesh.sharding.port.PortProtocol;
import io.portmesh.sharding.southbound.SessionCommand;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The port's commands (and those of a move's deadline check) carry the model's types and cross nodes as they are. */
class PortProtocolSerializationTest {
    static final ActorTestKit testKit = ActorTestKit.create(EntityTestKits.config());

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
    }

    @Test
    void thePortsCommandsRoundTrip() {
        SerializationTestKit kit = new SerializationTestKit(testKit.system());
        ActorRef<StatusReply<io.portmesh.sharding.service.PortInfo>> info = testKit.<StatusReply<
                                io.portmesh.sharding.service.PortInfo>>
                        createTestProbe()
                .ref();
        ActorRef<StatusReply<PortProtocol.Outcome>> outcome =
                testKit.<StatusReply<PortProtocol.Outcome>>createTestProbe().ref();
        ActorRef<StatusReply<io.portmesh.sharding.service.MigrationInfo>> migration = testKit.<StatusReply<
                                io.portmesh.sharding.service.MigrationInfo>>
                        createTestProbe()
                .ref();
        for (Object command : List.of(
                new PortProtocol.Create(
                        SwitchId.of("blue"),
                        Mac.parse("52:54:00:12:34:56"),
                        List.of(Ipv4.parse("10.0.0.1")),
                        "vm1",
                        info),
                new PortProtocol.Bind(HostId.of("esx-1"), true, outcome),
                new PortProtocol.Bind(HostId.of("esx-1"), true, "req-1", outcome),
                new PortProtocol.Unbind(false, "req-2", outcome),
                new PortProtocol.Delete(false, "req-3", outcome),
                new PortProtocol.Move(HostId.of("esx-2"), false, migration),
                new PortProtocol.Activate(HostId.of("esx-2"), PortProtocol.Activate.BY_RARP))) {
            assertThat(kit.verifySerialization(command, true)).isEqualTo(command);
        }
    }

    /** A move's deadline check crosses nodes twice: the port asks the host, the session answers the port. */
    @Test
    void theMoveDeadlineChecksMessagesRoundTrip() {
        SerializationTestKit kit = new SerializationTestKit(testKit.system());
        ActorRef<StatusReply<HostProtocol.ActivationCount>> count = testKit.<StatusReply<HostProtocol.ActivationCount>>
                        createTestProbe()
                .ref();
        for (Object message : List.of(
                new HostProtocol.CountActivation(PortId.of("p-1"), count),
                new HostProtocol.ActivationCount(2, 3),
                new SessionCommand.CountPackets(Cookies.cookie(Cookies.ACTIVATE, 101), count),
                new PortProtocol.Activate(HostId.of("esx-2"), PortProtocol.Activate.BY_FLOW_COUNT))) {
            assertThat(kit.verifySerialization(message, true)).isEqualTo(message);
        }
    }

    /** Events journaled before request ids existed read with none (null), and new ones keep theirs. */
    @Test
    void portEventsWrittenWithoutARequestIdReadWithNone() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper cbor =
                org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider.get(testKit.system())
                        .getOrCreate("jackson-cbor", java.util.Optional.empty());
        var started = new LogicalPortEntity.ChangeStarted(new PortChange.BindTo("esx-1"), "req-1");
        var created = new LogicalPortEntity.Created("blue", 100, "52:54:00:12:34:56", List.of(), "vm", "req-2");
        assertThat(cbor.readValue(cbor.writeValueAsBytes(started), LogicalPortEntity.ChangeStarted.class))
                .isEqualTo(started);
        assertThat(withoutRequestId(cbor, started, LogicalPortEntity.ChangeStarted.class))
                .isEqualTo(new LogicalPortEntity.ChangeStarted(new PortChange.BindTo("esx-1")));
        assertThat(withoutRequestId(cbor, created, LogicalPortEntity.Created.class))
                .isEqualTo(new LogicalPortEntity.Created("blue", 100, "52:54:00:12:34:56", List.of(), "vm"));
    }

    private static <T> T withoutRequestId(com.fasterxml.jackson.databind.ObjectMapper cbor, T event, Class<T> type)
            throws Exception {
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) cbor.valueToTree(event);
        assertThat(tree.remove("requestId")).as("the field to drop").isNotNull();
        return cbor.readValue(cbor.writeValueAsBytes(tree), type);
    }
}
