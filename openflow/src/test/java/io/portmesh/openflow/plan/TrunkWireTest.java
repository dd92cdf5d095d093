package io.portmesh.openflow.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portmesh.model.flow.DatapathPorts;
import io.portmesh.openflow.OpenFlowBytes;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFPortConfig;
import org.projectfloodlight.openflow.protocol.OFPortDesc;
import org.projectfloodlight.openflow.protocol.OFPortMod;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFPort;

class TrunkWireTest {
    private static final OFFactory F = OFFactories.getFactory(OFVersion.OF_13);

    private static OFPortDesc port(int no, long mac, boolean down) {
        return F.buildPortDesc()
                .setPortNo(OFPort.of(no))
                .setHwAddr(MacAddress.of(mac))
                .setName("p" + no)
                .setConfig(down ? Set.of(OFPortConfig.PORT_DOWN) : Set.of())
                .build();
    }

    private static byte[] reply(OFPortDesc... ports) {
        return OpenFlowBytes.encode(List.of(
                F.buildPortDescStatsReply().setXid(1).setEntries(List.of(ports)).build()));
    }

    @Test
    void the_trunk_is_found_by_its_number_with_its_admin_state_and_hardware_address() {
        byte[] bytes = reply(
                port(DatapathPorts.TUNNEL, 0x02_00_00_00_00_02L, false),
                port(DatapathPorts.TRUNK, 0x02_00_00_00_00_01L, true));
        assertEquals(Optional.of(new TrunkWire.Trunk(false, 0x02_00_00_00_00_01L)), TrunkWire.decode(bytes));
        assertEquals(
                Optional.of(new TrunkWire.Trunk(true, 0x02_00_00_00_00_01L)),
                TrunkWire.decode(reply(port(DatapathPorts.TRUNK, 0x02_00_00_00_00_01L, false))));
    }

    @Test
    void a_switch_without_a_trunk_port_has_no_trunk_state() {
        assertTrue(TrunkWire.decode(reply(port(DatapathPorts.TUNNEL, 1, false))).isEmpty());
        assertTrue(TrunkWire.decode(null).isEmpty());
    }

    @Test
    void the_port_mod_masks_only_port_down_and_repeats_the_hardware_address() {
        for (boolean up : new boolean[] {true, false}) {
            OFPortMod m = OpenFlowBytes.decode(TrunkWire.portMod(0x02_AB_00_00_00_01L, up), OFPortMod.class)
                    .get(0);
            assertEquals(DatapathPorts.TRUNK, m.getPortNo().getPortNumber());
            assertEquals(MacAddress.of(0x02_AB_00_00_00_01L), m.getHwAddr());
            assertEquals(Set.of(OFPortConfig.PORT_DOWN), m.getMask());
            assertEquals(!up, m.getConfig().contains(OFPortConfig.PORT_DOWN));
            assertEquals(Optional.of(up), TrunkWire.readPortMod(TrunkWire.portMod(1, up)));
        }
    }

    @Test
    void aTrunkUpToAPairCarriesItsEpochInAnActivationFirstAndDecodersSkipIt() {
        byte[] up = TrunkWire.trunkChange(1, true, 42);
        io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.wrappedBuffer(up);
        assertEquals(new TrunkWire.Activation(42), TrunkWire.readActivation(buf));
        assertEquals(0, buf.readerIndex(), "read without moving");
        assertEquals(Optional.of(true), TrunkWire.readPortMod(up), "Loxi decoding skips the activation");
        assertEquals(null, OpenFlowBytes.assignXids(buf, () -> 7), "framed as OpenFlow: the session patches its xids");
        assertEquals(
                null, TrunkWire.readActivation(io.netty.buffer.Unpooled.wrappedBuffer(TrunkWire.portMod(1, true))));
    }

    @Test
    void aTrunkDownOrATrunkUpToAHostWithOneAgentIsThePortModAlone() {
        assertTrue(java.util.Arrays.equals(TrunkWire.portMod(1, false), TrunkWire.trunkChange(1, false, 42)));
        assertTrue(java.util.Arrays.equals(TrunkWire.portMod(1, true), TrunkWire.trunkChange(1, true, -1)));
    }
}
