package io.portmesh.openflow;

import static io.portmesh.openflow.TestConfigs.loopback;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFBadRequestCode;
import org.projectfloodlight.openflow.protocol.OFControllerRole;
import org.projectfloodlight.openflow.protocol.OFControllerRoleReason;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.errormsg.OFBadRequestErrorMsg;

/**
 * Experimenter messages never cost a connection: an ONF role status (what Open vSwitch sends the old master over
 * OpenFlow 1.3) becomes an {@link OfRoleStatus}; one nobody knows is counted and ignored, and a switch end answers it
 * with BAD_EXPERIMENTER. Only a message too short for an experimenter header is malformed.
 */
class OfExperimenterTest {
    private static final int ONF = 0x4F4E4600;
    private static final int ONFT_ROLE_STATUS = 1911;
    private final Closer closer = new Closer();

    @AfterEach
    void tearDown() throws Exception {
        closer.close();
    }

    /** An OFPT_EXPERIMENTER frame of {@code length} bytes; the body after the exp_type is {@code body}, then zeros. */
    static byte[] experimenter(int xid, int experimenter, int expType, int length, byte... body) {
        ByteBuffer b = ByteBuffer.allocate(length);
        b.put((byte) 4).put((byte) 4).putShort((short) length).putInt(xid);
        b.putInt(experimenter).putInt(expType).put(body);
        return b.array();
    }

    /** What Open vSwitch 3.1 sends the demoted master: role SLAVE (3), reason MASTER_REQUEST (0), generation. */
    static byte[] onfRoleStatus(int role, int reason, long generation) {
        ByteBuffer body =
                ByteBuffer.allocate(16).putInt(role).put((byte) reason).put(new byte[3]);
        body.putLong(generation);
        return experimenter(0, ONF, ONFT_ROLE_STATUS, 32, body.array());
    }

    private static byte[] barrierRequest(int xid) {
        return ByteBuffer.allocate(8)
                .put((byte) 4)
                .put((byte) 20)
                .putShort((short) 8)
                .putInt(xid)
                .array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    @Test
    void anOnfRoleStatusBecomesATypedValue() throws Exception {
        Codec codec = new Codec(true);
        List<Object> out = codec.feed(onfRoleStatus(3, 0, 0x8000_0000_0000_0002L));

        assertThat(out)
                .containsExactly(new OfRoleStatus(
                        OFControllerRole.ROLE_SLAVE, OFControllerRoleReason.MASTER_REQUEST, 0x8000_0000_0000_0002L));
        assertThat(codec.replies()).isEmpty();
        assertThat(codec.stats.messagesIn()).isEqualTo(1);
        assertThat(codec.channel.isOpen()).isTrue();
        codec.release();
    }

    @Test
    void anUnknownExperimenterIsIgnoredByAControllerEndThatClosesOnMalformedInput() throws Exception {
        Codec codec = new Codec(OfRole.CONTROLLER, true, true);
        byte[] unknown = experimenter(5, 0x00002320, 0x7777, 40, (byte) 1, (byte) 2, (byte) 3);
        byte[] unknownOnfType = experimenter(6, ONF, 1999, 24);
        byte[] roleStatusWithUnknownRole = onfRoleStatus(9, 0, 1);

        List<Object> out = codec.feed(
                concat(concat(concat(unknown, unknownOnfType), roleStatusWithUnknownRole), barrierRequest(7)));

        assertThat(out)
                .singleElement()
                .satisfies(m -> assertThat(((OFMessage) m).getXid()).isEqualTo(7));
        assertThat(codec.replies())
                .as("a controller does not answer what a switch volunteers")
                .isEmpty();
        assertThat(codec.stats.get(OfStats.Counter.EXPERIMENTERS_IGNORED)).isEqualTo(3);
        assertThat(codec.stats.decodeErrors()).isZero();
        codec.channel.runPendingTasks();
        assertThat(codec.channel.isOpen()).isTrue();
        codec.release();
    }

    @Test
    void aSwitchEndAnswersAnUnknownExperimenterWithBadExperimenterAndKeepsTheConnection() throws Exception {
        Codec codec = new Codec(OfRole.SWITCH, true, true);
        byte[] unknown = experimenter(0x0a0b0c0d, 0x005c16c7, 1, 80);

        assertThat(codec.feed(concat(unknown, barrierRequest(8)))).hasSize(1);

        List<OFMessage> replies = codec.replies();
        assertThat(replies).singleElement().isInstanceOf(OFBadRequestErrorMsg.class);
        OFBadRequestErrorMsg error = (OFBadRequestErrorMsg) replies.get(0);
        assertThat(error.getCode()).isEqualTo(OFBadRequestCode.BAD_EXPERIMENTER);
        assertThat(error.getXid()).isEqualTo(0x0a0b0c0dL);
        assertThat(error.getData().getData()).isEqualTo(Arrays.copyOf(unknown, 64));
        codec.channel.runPendingTasks();
        assertThat(codec.channel.isOpen()).isTrue();
        assertThat(codec.stats.get(OfStats.Counter.EXPERIMENTERS_IGNORED)).isEqualTo(1);
        codec.release();
    }

    @Test
    void anExperimenterMessageTooShortForItsHeaderIsStillMalformed() throws Exception {
        Codec codec = new Codec(OfRole.CONTROLLER, true, true);
        byte[] truncated = Arrays.copyOf(experimenter(3, ONF, ONFT_ROLE_STATUS, 32), 12);
        truncated[3] = 12;

        assertThat(codec.feed(truncated)).isEmpty();

        assertThat(codec.stats.decodeErrors()).isEqualTo(1);
        codec.channel.runPendingTasks();
        assertThat(codec.channel.isOpen()).isFalse();
        assertThat(OfChannels.closeCause(codec.channel)).isInstanceOf(OfProtocolException.class);
        codec.release();
    }

    @Test
    void aControllerEndDeliversRoleStatusInOrderAndStaysConnected() throws Exception {
        RecordingListener controller = new RecordingListener();
        OfServer server = closer.add(OfServer.builder(OfRole.CONTROLLER, controller)
                .config(TestConfigs.relaxed())
                .bind(loopback(0)));
        RecordingListener agent = new RecordingListener(new FakeSwitch(7, "role-status", 1));
        closer.add(OfClient.builder(OfRole.SWITCH, agent)
                .config(TestConfigs.relaxed())
                .connect(loopback(server.port())));
        OfConnection atController = controller.awaitConnected();
        OfConnection atSwitch = agent.awaitConnected();

        atSwitch.sendEncoded(Unpooled.wrappedBuffer(
                experimenter(1, 0x00002320, 99, 16), onfRoleStatus(3, 0, 42), onfRoleStatus(2, 1, 43)));

        assertThat(RecordingListener.poll(controller.roleStatuses, 10))
                .isEqualTo(new OfRoleStatus(OFControllerRole.ROLE_SLAVE, OFControllerRoleReason.MASTER_REQUEST, 42));
        assertThat(RecordingListener.poll(controller.roleStatuses, 10))
                .isEqualTo(new OfRoleStatus(OFControllerRole.ROLE_MASTER, OFControllerRoleReason.CONFIG, 43));
        assertThat(atController.barrier().get(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(atController.isActive()).isTrue();
        assertThat(atController.stats().get(OfStats.Counter.EXPERIMENTERS_IGNORED))
                .isEqualTo(1);
        assertThat(controller.disconnected).isEmpty();
    }
}
