package io.portmesh.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFeaturesRequest;
import org.projectfloodlight.openflow.protocol.OFHello;
import org.projectfloodlight.openflow.protocol.OFHelloElemVersionbitmap;
import org.projectfloodlight.openflow.protocol.OFPortDesc;
import org.projectfloodlight.openflow.protocol.OFPortStatus;
import org.projectfloodlight.openflow.types.DatapathId;

/** Both handshake directions over real TCP on 127.0.0.1. */
class OfHandshakeTest {
    private final Closer closer = new Closer();

    @AfterEach
    void tearDown() throws Exception {
        closer.close();
    }

    private static InetSocketAddress loopback(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    @Test
    void controllerServerLearnsTheSwitchThatConnects() throws Exception {
        RecordingListener controller = new RecordingListener();
        OfServer server =
                closer.add(OfServer.builder(OfRole.CONTROLLER, controller).bind(loopback(0)));
        assertThat(server.port()).isPositive();
        FakeSwitch fake = new FakeSwitch(0xabcdL, "host-7/a", 5);
        RecordingListener agent = new RecordingListener(fake);
        closer.add(OfClient.builder(OfRole.SWITCH, agent).connect(loopback(server.port())));

        OfConnection toSwitch = controller.awaitConnected();
        assertThat(toSwitch.localRole()).isEqualTo(OfRole.CONTROLLER);
        assertThat(toSwitch.datapathId()).isEqualTo(DatapathId.of(0xabcdL));
        assertThat(toSwitch.description().getDpDesc()).isEqualTo("host-7/a");
        assertThat(toSwitch.switchInfo())
                .hasValueSatisfying(i -> assertThat(i.dpDesc()).isEqualTo("host-7/a"));
        assertThat(toSwitch.ports())
                .extracting(OFPortDesc::getName)
                .containsExactly("p1", "p2", "p3", "p4", "p5"); // both PORT_DESC parts, in order
        assertThat(toSwitch.isActive()).isTrue();
        assertThat(toSwitch.remoteAddress()).isNotNull();

        OfConnection toController = agent.awaitConnected();
        assertThat(toController.localRole()).isEqualTo(OfRole.SWITCH);
        assertThat(toController.switchInfo()).isEmpty();
        // on the switch end the controller's handshake requests are ordinary messages for the agent
        assertThat(agent.awaitMessage(OFFeaturesRequest.class)).isNotNull();
        assertThat(server.connections()).hasSize(1);
    }

    @Test
    void switchServerAcceptsAControllerThatConnects() throws Exception {
        FakeSwitch fake = new FakeSwitch(42, "passive-agent", 2);
        RecordingListener agent = new RecordingListener(fake);
        OfServer passive = closer.add(OfServer.builder(OfRole.SWITCH, agent).bind(loopback(0)));
        RecordingListener controller = new RecordingListener();
        closer.add(OfClient.builder(OfRole.CONTROLLER, controller).connect(loopback(passive.port())));

        OfConnection toSwitch = controller.awaitConnected();
        assertThat(toSwitch.datapathId()).isEqualTo(DatapathId.of(42));
        assertThat(toSwitch.ports()).hasSize(2);
        assertThat(agent.awaitConnected().localRole()).isEqualTo(OfRole.SWITCH);
    }

    @Test
    void ourHelloCarriesAVersionBitmapOfOnly13() throws Exception {
        OfServer server = closer.add(
                OfServer.builder(OfRole.SWITCH, new RecordingListener()).bind(loopback(0)));
        try (RawOfPeer peer = new RawOfPeer(server.port())) {
            OFHello hello = peer.helloExchange();
            assertThat(hello.getVersion().getWireVersion()).isEqualTo(4);
            assertThat(hello.getElements()).singleElement().isInstanceOf(OFHelloElemVersionbitmap.class);
            assertThat(((OFHelloElemVersionbitmap) hello.getElements().get(0))
                            .getBitmaps()
                            .get(0)
                            .getValue())
                    .isEqualTo(1L << 4);
        }
    }

    @Test
    void messagesDuringTheSwitchPhaseArriveAfterOnConnected() throws Exception {
        RecordingListener controller = new RecordingListener();
        OfServer server =
                closer.add(OfServer.builder(OfRole.CONTROLLER, controller).bind(loopback(0)));
        try (RawOfPeer sw = new RawOfPeer(server.port())) {
            sw.helloExchange();
            OFFeaturesRequest request = sw.readUntil(OFFeaturesRequest.class);
            OFPortStatus early = (OFPortStatus) SampleMessages.all().get("PORT_STATUS");
            sw.send(early); // before the handshake is done
            FakeSwitch fake = new FakeSwitch(9, "raw", 2);
            sw.send(FakeSwitch.F
                    .buildFeaturesReply()
                    .setXid(request.getXid())
                    .setDatapathId(fake.dpid)
                    .setNBuffers(0)
                    .setNTables((short) 2)
                    .setCapabilities(java.util.Set.of())
                    .setAuxiliaryId(org.projectfloodlight.openflow.types.OFAuxId.MAIN)
                    .build());
            var desc = sw.readUntil(org.projectfloodlight.openflow.protocol.OFDescStatsRequest.class);
            sw.send(SampleMessages.descReply(desc.getXid(), "raw"));
            var portDesc = sw.readUntil(org.projectfloodlight.openflow.protocol.OFPortDescStatsRequest.class);
            sw.send(FakeSwitch.F
                    .buildPortDescStatsReply()
                    .setXid(portDesc.getXid())
                    .setEntries(fake.ports)
                    .build());

            OfConnection c = controller.awaitConnected();
            assertThat(c.datapathId()).isEqualTo(fake.dpid);
            assertThat(RecordingListener.poll(controller.messages, 10).message())
                    .isEqualTo(early);
        }
    }

    @Test
    void aSwitchThatNeverAnswersFeaturesFailsTheHandshakeInTime() throws Exception {
        RecordingListener controller = new RecordingListener();
        OfConfig config = OfConfig.defaults().withHandshakeTimeout(Duration.ofMillis(300));
        OfServer server = closer.add(
                OfServer.builder(OfRole.CONTROLLER, controller).config(config).bind(loopback(0)));
        try (RawOfPeer sw = new RawOfPeer(server.port())) {
            sw.helloExchange();
            Throwable cause = RecordingListener.poll(controller.handshakeFailures, 10);
            assertThat(cause).isInstanceOf(OfHandshakeException.class).hasMessageContaining("300 ms");
            assertThat(sw.closedByPeer()).isTrue();
            assertThat(controller.connected).isEmpty();
            assertThat(server.stats().get(OfStats.Counter.HANDSHAKE_FAILURES)).isEqualTo(1);
        }
    }
}
