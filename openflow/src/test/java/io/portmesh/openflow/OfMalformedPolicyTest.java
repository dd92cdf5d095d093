package io.portmesh.openflow;

import static io.portmesh.openflow.TestConfigs.loopback;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFBadRequestCode;
import org.projectfloodlight.openflow.protocol.OFEchoReply;
import org.projectfloodlight.openflow.protocol.OFFeaturesRequest;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.errormsg.OFBadRequestErrorMsg;

/** The per-role policy for unparseable messages, over real TCP. */
class OfMalformedPolicyTest {
    private final Closer closer = new Closer();

    @AfterEach
    void tearDown() throws Exception {
        closer.close();
    }

    /** A 1.3 frame of unknown type 99, 80 bytes long, with a recognisable body. */
    private static byte[] unknownType(int xid) {
        byte[] b = new byte[80];
        b[0] = 4;
        b[1] = 99;
        b[3] = 80;
        b[7] = (byte) xid;
        for (int i = 8; i < b.length; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    @Test
    void theSwitchEndAnswersAndKeepsTheConnection() throws Exception {
        RecordingListener agent = new RecordingListener();
        OfServer server = closer.add(OfServer.builder(OfRole.SWITCH, agent)
                .config(TestConfigs.relaxed())
                .bind(loopback(0)));
        try (RawOfPeer controller = new RawOfPeer(server.port())) {
            controller.helloExchange();
            OfConnection c = agent.awaitConnected();
            byte[] bad = unknownType(42);
            controller.send(bad);

            OFMessage reply = controller.read();
            assertThat(reply).isInstanceOf(OFBadRequestErrorMsg.class);
            OFBadRequestErrorMsg error = (OFBadRequestErrorMsg) reply;
            assertThat(error.getCode()).isEqualTo(OFBadRequestCode.BAD_TYPE);
            assertThat(error.getXid()).isEqualTo(42);
            assertThat(error.getData().getData()).isEqualTo(Arrays.copyOf(bad, 64));

            controller.send(FakeSwitch.F
                    .buildEchoRequest()
                    .setXid(43)
                    .setData(new byte[0])
                    .build());
            assertThat(controller.read()).isInstanceOf(OFEchoReply.class);
            assertThat(c.isActive()).isTrue();
            assertThat(c.stats().decodeErrors()).isEqualTo(1);
            assertThat(server.stats().decodeErrors()).isEqualTo(1);
            assertThat(agent.disconnected).isEmpty();
        }
    }

    @Test
    void theControllerEndAnswersAndClosesOnlyThatConnection() throws Exception {
        RecordingListener controller = new RecordingListener();
        OfServer server = closer.add(OfServer.builder(OfRole.CONTROLLER, controller)
                .config(TestConfigs.relaxed())
                .bind(loopback(0)));
        // a well-behaved switch first
        RecordingListener healthyAgent = new RecordingListener(new FakeSwitch(1, "healthy", 2));
        closer.add(OfClient.builder(OfRole.SWITCH, healthyAgent)
                .config(TestConfigs.relaxed())
                .connect(loopback(server.port())));
        OfConnection healthy = controller.awaitConnected();

        try (RawOfPeer broken = new RawOfPeer(server.port())) {
            broken.helloExchange();
            broken.readUntil(OFFeaturesRequest.class);
            broken.send(unknownType(9));

            OFMessage reply = broken.read();
            assertThat(reply).isInstanceOf(OFBadRequestErrorMsg.class);
            assertThat(((OFBadRequestErrorMsg) reply).getCode()).isEqualTo(OFBadRequestCode.BAD_TYPE);
            assertThat(broken.closedByPeer()).isTrue();
            Throwable cause = RecordingListener.poll(controller.handshakeFailures, 10);
            assertThat(cause).isInstanceOf(OfProtocolException.class);
        }
        assertThat(healthy.isActive()).isTrue();
        assertThat(healthy.barrier().get(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(controller.disconnected).isEmpty();
        assertThat(server.stats().decodeErrors()).isEqualTo(1);
    }

    @Test
    void theConfiguredPolicyOverridesTheRoleDefault() throws Exception {
        RecordingListener agent = new RecordingListener();
        OfServer server = closer.add(OfServer.builder(OfRole.SWITCH, agent)
                .config(TestConfigs.relaxed().withMalformedPolicy(MalformedPolicy.CLOSE_CONNECTION))
                .bind(loopback(0)));
        try (RawOfPeer controller = new RawOfPeer(server.port())) {
            controller.helloExchange();
            OfConnection c = agent.awaitConnected();
            controller.send(unknownType(1));
            assertThat(controller.read()).isInstanceOf(OFBadRequestErrorMsg.class);
            assertThat(controller.closedByPeer()).isTrue();
            RecordingListener.Disconnect d = agent.awaitDisconnected();
            assertThat(d.connection()).isSameAs(c);
            assertThat(d.cause()).isInstanceOf(OfProtocolException.class);
        }
    }

    @Test
    void anUnframeableLengthClosesTheConnection() throws Exception {
        RecordingListener agent = new RecordingListener();
        OfServer server = closer.add(OfServer.builder(OfRole.SWITCH, agent)
                .config(TestConfigs.relaxed())
                .bind(loopback(0)));
        try (RawOfPeer controller = new RawOfPeer(server.port())) {
            controller.helloExchange();
            agent.awaitConnected();
            controller.send(new byte[] {4, 2, 0, 5, 0, 0, 0, 1});
            assertThat(controller.closedByPeer()).isTrue();
            assertThat(agent.awaitDisconnected().cause()).isInstanceOf(OfProtocolException.class);
            assertThat(server.stats().framingErrors()).isEqualTo(1);
        }
    }
}
