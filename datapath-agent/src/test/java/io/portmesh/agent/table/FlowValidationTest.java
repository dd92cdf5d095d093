package io.portmesh.agent.table;

import static io.portmesh.agent.table.Of.F;
import static io.portmesh.agent.table.Of.add;
import static io.portmesh.agent.table.Of.any;
import static io.portmesh.agent.table.Of.apply;
import static io.portmesh.agent.table.Of.ethType;
import static io.portmesh.agent.table.Of.gotoTable;
import static io.portmesh.agent.table.Of.group;
import static io.portmesh.agent.table.Of.match;
import static io.portmesh.agent.table.Of.output;
import static io.portmesh.agent.table.Of.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFBadActionCode;
import org.projectfloodlight.openflow.protocol.OFBadInstructionCode;
import org.projectfloodlight.openflow.protocol.OFBadMatchCode;
import org.projectfloodlight.openflow.protocol.OFBadRequestCode;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFErrorType;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.errormsg.OFBadActionErrorMsg;
import org.projectfloodlight.openflow.protocol.errormsg.OFBadInstructionErrorMsg;
import org.projectfloodlight.openflow.protocol.errormsg.OFBadMatchErrorMsg;
import org.projectfloodlight.openflow.protocol.errormsg.OFBadRequestErrorMsg;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.ArpOpcode;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.IPv4Address;
import org.projectfloodlight.openflow.types.IpProtocol;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TransportPort;

class FlowValidationTest {
    private final SwitchTables tables = new SwitchTables(4, msg -> {});

    private OFErrorMsg refused(OFFlowMod mod) {
        OFErrorMsg err = tables.apply(mod).orElseThrow(() -> new AssertionError("accepted: " + mod));
        assertThat(tables.flowCount()).as("a refused flow-mod changes nothing").isZero();
        assertThat(err.getXid()).isEqualTo(mod.getXid());
        assertThat(err.getData().getData()).as("first 64 bytes of the request").isEqualTo(first64(mod));
        return err;
    }

    private static byte[] first64(OFFlowMod mod) {
        ByteBuf b = Unpooled.buffer();
        mod.writeTo(b);
        byte[] all = new byte[b.readableBytes()];
        b.readBytes(all);
        return Arrays.copyOf(all, Math.min(64, all.length));
    }

    @Test
    void unsupportedMatchFieldIsBadField() {
        var m = ethType(match(), 0x0800)
                .setExact(MatchField.IP_PROTO, IpProtocol.TCP)
                .setExact(MatchField.TCP_DST, TransportPort.of(80))
                .build();
        var err = (OFBadMatchErrorMsg)
                refused(add(0, 10, m, apply(output(1))).setXid(5).build());
        assertThat(err.getErrType()).isEqualTo(OFErrorType.BAD_MATCH);
        assertThat(err.getCode()).isEqualTo(OFBadMatchCode.BAD_FIELD);
        assertThat(err.getData().getData()).hasSize(64);
    }

    @Test
    void arpFieldsRequireEthTypeArp() {
        var m = match().setExact(MatchField.ARP_OP, ArpOpcode.of(1)).build();
        var err = (OFBadMatchErrorMsg) refused(add(0, 10, m, apply(output(1))).build());
        assertThat(err.getCode()).isEqualTo(OFBadMatchCode.BAD_PREREQ);

        var wrongType = ethType(match(), 0x0800)
                .setExact(MatchField.ARP_TPA, IPv4Address.of("10.0.0.1"))
                .build();
        assertThat(((OFBadMatchErrorMsg)
                                refused(add(0, 10, wrongType, apply(output(1))).build()))
                        .getCode())
                .isEqualTo(OFBadMatchCode.BAD_PREREQ);

        var good = ethType(match(), 0x0806)
                .setExact(MatchField.ARP_OP, ArpOpcode.of(1))
                .setExact(MatchField.ARP_TPA, IPv4Address.of("10.0.0.1"))
                .build();
        assertThat(tables.apply(add(0, 10, good, apply(output(1))).build())).isEmpty();
    }

    @Test
    void maskOnANonMaskableFieldIsBadMask() {
        var m = match().setMasked(MatchField.ETH_TYPE, EthType.of(0x0800), EthType.of(0xFF00))
                .build();
        assertThat(((OFBadMatchErrorMsg) refused(add(0, 10, m).build())).getCode())
                .isEqualTo(OFBadMatchCode.BAD_MASK);
    }

    @Test
    void unsupportedActionIsBadType() {
        var err = (OFBadActionErrorMsg)
                refused(add(0, 10, any(), apply(F.actions().decNwTtl())).build());
        assertThat(err.getCode()).isEqualTo(OFBadActionCode.BAD_TYPE);
    }

    @Test
    void unsupportedSetFieldIsBadSetType() {
        var setIp = F.actions().setField(F.oxms().ipv4Dst(IPv4Address.of("10.0.0.1")));
        var err = (OFBadActionErrorMsg) refused(add(0, 10, any(), apply(setIp)).build());
        assertThat(err.getCode()).isEqualTo(OFBadActionCode.BAD_SET_TYPE);
    }

    @Test
    void pushOfAnotherTpidIsBadArgument() {
        var qinq = F.actions().pushVlan(EthType.of(0x88a8));
        var err = (OFBadActionErrorMsg) refused(add(0, 10, any(), apply(qinq)).build());
        assertThat(err.getCode()).isEqualTo(OFBadActionCode.BAD_ARGUMENT);
    }

    @Test
    void outputToTableOrAnyFromAFlowIsBadOutPort() {
        for (OFPort bad : List.of(OFPort.TABLE, OFPort.ANY, OFPort.NORMAL, OFPort.ZERO)) {
            var err = (OFBadActionErrorMsg)
                    refused(add(0, 10, any(), apply(Of.output(bad))).build());
            assertThat(err.getCode()).as("%s", bad).isEqualTo(OFBadActionCode.BAD_OUT_PORT);
        }
    }

    @Test
    void groupActionToMissingGroupIsBadOutGroup() {
        var err =
                (OFBadActionErrorMsg) refused(add(0, 10, any(), write(group(3))).build());
        assertThat(err.getCode()).isEqualTo(OFBadActionCode.BAD_OUT_GROUP);
    }

    @Test
    void meterInstructionIsUnknown() {
        var err = (OFBadInstructionErrorMsg)
                refused(add(0, 10, any(), F.instructions().meter(1)).build());
        assertThat(err.getCode()).isEqualTo(OFBadInstructionCode.UNKNOWN_INST);
    }

    @Test
    void gotoMustGoForwardAndStayInRange() {
        for (int target : new int[] {0, 1, 4}) {
            var err = (OFBadInstructionErrorMsg)
                    refused(add(1, 10, any(), gotoTable(target)).build());
            assertThat(err.getCode()).as("goto %d from 1", target).isEqualTo(OFBadInstructionCode.BAD_TABLE_ID);
        }
        assertThat(tables.apply(add(1, 10, any(), gotoTable(3)).build())).isEmpty();
    }

    @Test
    void duplicateInstructionIsRefused() {
        var err = (OFBadInstructionErrorMsg)
                refused(add(0, 10, any(), apply(output(1)), apply(output(2))).build());
        assertThat(err.getCode()).isEqualTo(OFBadInstructionCode.DUP_INST);
    }

    @Test
    void bufferedFlowModIsBufferUnknown() {
        var err = (OFBadRequestErrorMsg) refused(add(0, 10, any(), apply(output(1)))
                .setBufferId(OFBufferId.of(12))
                .build());
        assertThat(err.getCode()).isEqualTo(OFBadRequestCode.BUFFER_UNKNOWN);
    }
}
