package io.portmesh.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.Mac;
import io.portmesh.model.VlanId;
import io.portmesh.model.flow.Cookies;
import io.portmesh.openflow.session.AgentMessage;
import io.portmesh.openflow.session.AgentMessages;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowModFailedCode;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPacketInReason;
import org.projectfloodlight.openflow.protocol.OFPortConfig;
import org.projectfloodlight.openflow.protocol.OFPortReason;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFErrorCauseData;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/**
 * {@link AgentMessages} (package {@code openflow.session}) reads every {@link AgentMessage} from real bytes: Loxi
 * encodes them, the controller end's own decoders ({@link Codec}) read them, as on a connection.
 */
class AgentMessagesTest {
    private static final OFFactory F = OFFactories.getFactory(OFVersion.OF_13);
    private static final byte[] VM_MAC = {0x02, 0x00, 0x00, 0x00, 0x00, 0x2a};

    /** What the controller end's pipeline hands its listener for these bytes, read by {@link AgentMessages}. */
    private static AgentMessage received(byte[] bytes) {
        List<Object> out = new Codec(false).feed(bytes);
        assertThat(out).hasSize(1);
        return out.get(0) instanceof OfRoleStatus status
                ? AgentMessages.read(status)
                : AgentMessages.read((OFMessage) out.get(0));
    }

    private static AgentMessage received(OFMessage message) {
        return received(Codec.encode(message));
    }

    @Test
    void anErrorIsARefusalOfItsXidWithTheWholeErrorAsText() {
        OFMessage error = F.errorMsgs()
                .buildFlowModFailedErrorMsg()
                .setXid(0x1234)
                .setCode(OFFlowModFailedCode.TABLE_FULL)
                .setData(OFErrorCauseData.NONE)
                .build();

        AgentMessage read = received(error);

        assertThat(read).isEqualTo(new AgentMessage.Refused(0x1234, error.toString()));
        assertThat(read.type()).isEqualTo("ERROR");
    }

    @Test
    void aTaggedRarpFromAnActivationFlowIsAnActivationFrame() {
        long activate = Cookies.cookie(Cookies.ACTIVATE, 100);

        assertThat(received(packetIn(activate, frame(0x8100, 100, 0x8035))))
                .isEqualTo(new AgentMessage.ActivationFrame(new VlanId(100), Mac.of(VM_MAC, 0)));
        assertThat(received(packetIn(activate, frame(0x8100, 4094, 0x0806))))
                .isEqualTo(new AgentMessage.ActivationFrame(new VlanId(4094), Mac.of(VM_MAC, 0)));
    }

    @Test
    void otherPacketInsAreIgnoredAndSayWhy() {
        long activate = Cookies.cookie(Cookies.ACTIVATE, 100);
        long local = Cookies.cookie(Cookies.LOCAL, 100);

        assertThat(received(packetIn(local, frame(0x8100, 100, 0x8035))))
                .isEqualTo(new AgentMessage.IgnoredPacketIn(
                        "packet-in from no activation flow ignored (cookie " + local + ")"));
        assertThat(received(packetIn(0x1L, frame(0x8100, 100, 0x8035))))
                .isInstanceOf(AgentMessage.IgnoredPacketIn.class);
        assertThat(received(packetIn(activate, frame(0x8100, 100, 0x0800))))
                .isEqualTo(new AgentMessage.IgnoredPacketIn("packet-in of no activation ignored (60 bytes)"));
        assertThat(received(packetIn(activate, frame(0x88a8, 100, 0x8035))))
                .isEqualTo(new AgentMessage.IgnoredPacketIn("packet-in of no activation ignored (60 bytes)"));
        assertThat(received(packetIn(activate, new byte[17])))
                .isEqualTo(new AgentMessage.IgnoredPacketIn("packet-in of no activation ignored (17 bytes)"));
        assertThat(received(packetIn(activate, frame(0x8100, 0, 0x8035))))
                .isEqualTo(new AgentMessage.IgnoredPacketIn("packet-in on VLAN 0 (no access VLAN) ignored"));
        assertThat(received(packetIn(activate, frame(0x8100, 4095, 0x8035))))
                .isEqualTo(new AgentMessage.IgnoredPacketIn("packet-in on VLAN 4095 (no access VLAN) ignored"));
    }

    @Test
    void anOnfRoleStatusIsTheRoleAndGenerationItReports() {
        // ONF role numbers: 0 NOCHANGE, 1 EQUAL, 2 MASTER, 3 SLAVE; reason 0 MASTER_REQUEST
        assertThat(received(OfExperimenterTest.onfRoleStatus(3, 0, 0x8000_0000_0000_0002L)))
                .isEqualTo(new AgentMessage.RoleStatus(AgentMessage.Role.SLAVE, 0x8000_0000_0000_0002L));
        assertThat(received(OfExperimenterTest.onfRoleStatus(2, 1, 7)))
                .isEqualTo(new AgentMessage.RoleStatus(AgentMessage.Role.MASTER, 7));
        assertThat(received(OfExperimenterTest.onfRoleStatus(1, 0, 7)))
                .isEqualTo(new AgentMessage.RoleStatus(AgentMessage.Role.EQUAL, 7));
    }

    /** The trunk's port status is the HA pair's news (its fence took it down, architecture 7.2); others are not. */
    @Test
    void aPortStatusOfTheTrunkIsItsAdminStateAndOfAnyOtherPortOther() {
        OFMessage up = SampleMessages.all().get("PORT_STATUS"); // port 1, the trunk, no PORT_DOWN
        OFMessage down = portStatus(OFPortReason.MODIFY, 1, Set.of(OFPortConfig.PORT_DOWN));

        assertThat(received(up)).isEqualTo(new AgentMessage.TrunkStatus(true));
        assertThat(received(down)).isEqualTo(new AgentMessage.TrunkStatus(false));
        assertThat(received(portStatus(OFPortReason.MODIFY, 2, Set.of(OFPortConfig.PORT_DOWN))))
                .isEqualTo(new AgentMessage.Other("PORT_STATUS"));
        assertThat(received(portStatus(OFPortReason.DELETE, 1, Set.of())))
                .isEqualTo(new AgentMessage.Other("PORT_STATUS"));
    }

    @Test
    void anythingElseIsOtherWithItsType() {
        assertThat(received(SampleMessages.all().get("FLOW_REMOVED")))
                .isEqualTo(new AgentMessage.Other("FLOW_REMOVED"));
    }

    private static OFMessage portStatus(OFPortReason reason, int port, Set<OFPortConfig> config) {
        return F.buildPortStatus()
                .setXid(0)
                .setReason(reason)
                .setDesc(SampleMessages.port(port, "p" + port)
                        .createBuilder()
                        .setConfig(config)
                        .build())
                .build();
    }

    private static OFMessage packetIn(long cookie, byte[] frame) {
        return F.buildPacketIn()
                .setXid(9)
                .setBufferId(OFBufferId.NO_BUFFER)
                .setTotalLen(frame.length)
                .setReason(OFPacketInReason.ACTION)
                .setTableId(TableId.of(0))
                .setCookie(U64.of(cookie))
                .setMatch(F.buildMatch().build())
                .setData(frame)
                .build();
    }

    /** A 60-byte Ethernet frame from {@link #VM_MAC} to broadcast: {@code tpid}, the VLAN, then {@code ethType}. */
    private static byte[] frame(int tpid, int vlan, int ethType) {
        byte[] f = new byte[60];
        for (int i = 0; i < 6; i++) {
            f[i] = (byte) 0xFF;
        }
        System.arraycopy(VM_MAC, 0, f, 6, 6);
        f[12] = (byte) (tpid >> 8);
        f[13] = (byte) tpid;
        f[14] = (byte) (vlan >> 8);
        f[15] = (byte) vlan;
        f[16] = (byte) (ethType >> 8);
        f[17] = (byte) ethType;
        return f;
    }
}
