package io.portmesh.agent.table;

import static io.portmesh.agent.table.Of.F;
import static io.portmesh.agent.table.Of.add;
import static io.portmesh.agent.table.Of.any;
import static io.portmesh.agent.table.Of.apply;
import static io.portmesh.agent.table.Of.clear;
import static io.portmesh.agent.table.Of.ethDst;
import static io.portmesh.agent.table.Of.ethSrc;
import static io.portmesh.agent.table.Of.ethType;
import static io.portmesh.agent.table.Of.gotoTable;
import static io.portmesh.agent.table.Of.group;
import static io.portmesh.agent.table.Of.groupAdd;
import static io.portmesh.agent.table.Of.inPort;
import static io.portmesh.agent.table.Of.match;
import static io.portmesh.agent.table.Of.metadata;
import static io.portmesh.agent.table.Of.output;
import static io.portmesh.agent.table.Of.popVlan;
import static io.portmesh.agent.table.Of.pushVlan;
import static io.portmesh.agent.table.Of.setEthDst;
import static io.portmesh.agent.table.Of.setTunDst;
import static io.portmesh.agent.table.Of.setTunnelId;
import static io.portmesh.agent.table.Of.setVlan;
import static io.portmesh.agent.table.Of.tunnelId;
import static io.portmesh.agent.table.Of.vlan;
import static io.portmesh.agent.table.Of.write;
import static io.portmesh.agent.table.Of.writeMetadata;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.exceptions.OFParseError;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowModFlags;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.ArpOpcode;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.IPv4Address;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFMetadata;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/**
 * The wire decoder against Loxi: the same bytes applied through {@link FlowModWireDecoder} and through Loxi give
 * the same tables and the same errors, for well-formed, refused and randomly corrupted flow-mods; and whatever the
 * wire decoder accepts, Loxi reads and writes back to the very same bytes.
 */
class WireFlowModTest {
    private static final FlowModWireDecoder DECODER = new FlowModWireDecoder();

    /** Two switches, one fed through Loxi, one through the wire decoder, both on a frozen clock. */
    private final SwitchTables viaLoxi = new SwitchTables(4, m -> {}, () -> 0L);

    private final SwitchTables viaWire = new SwitchTables(4, m -> {}, () -> 0L);

    WireFlowModTest() {
        for (SwitchTables t : List.of(viaLoxi, viaWire)) {
            t.apply(groupAdd(7, List.of(output(1)), List.of(output(2))));
        }
    }

    private static List<OFFlowMod> sample() {
        List<OFFlowMod> mods = new ArrayList<>();
        mods.add(add(
                        0,
                        100,
                        inPort(vlan(ethSrc(match(), "02:00:00:00:00:01"), 10), 1)
                                .build(),
                        apply(popVlan()),
                        writeMetadata(5001, -1L),
                        gotoTable(1))
                .build());
        mods.add(add(0, 100, tunnelId(inPort(match(), 2), 5001).build(), writeMetadata(5001, -1L), gotoTable(1))
                .setCookie(U64.of(0x5000_0001L))
                .build());
        mods.add(add(
                        1,
                        100,
                        ethDst(metadata(match(), 5001), "02:00:00:00:00:02").build(),
                        apply(pushVlan(), setVlan(11), output(OFPort.IN_PORT)))
                .setFlags(Set.of(OFFlowModFlags.SEND_FLOW_REM))
                .setIdleTimeout(30)
                .build());
        mods.add(add(
                        1,
                        100,
                        match().setMasked(MatchField.METADATA, OFMetadata.ofRaw(5002), OFMetadata.ofRaw(0xFFFFFF))
                                .setExact(MatchField.ETH_DST, MacAddress.of("06:00:00:00:00:07"))
                                .build(),
                        apply(setTunnelId(5002), setTunDst("198.51.100.7"), output(2)))
                .setCookie(U64.of(42))
                .build());
        mods.add(add(1, 50, ethDst(metadata(match(), 5001), "ff:ff:ff:ff:ff:ff").build(), write(group(7)))
                .setHardTimeout(60)
                .build());
        mods.add(add(
                        0,
                        200,
                        ethType(match(), 0x0806)
                                .setExact(MatchField.ARP_OP, ArpOpcode.REQUEST)
                                .setExact(MatchField.ARP_TPA, IPv4Address.of("10.0.0.1"))
                                .build(),
                        apply(output(OFPort.CONTROLLER)),
                        clear())
                .build());
        mods.add(add(0, 1, any(), apply(setEthDst("02:00:00:00:00:09"), output(3)))
                .build());
        mods.add(add(
                        0,
                        300,
                        match().setMasked(
                                        MatchField.ETH_SRC,
                                        MacAddress.of("02:00:00:00:00:00"),
                                        MacAddress.of("ff:ff:ff:00:00:00"))
                                .build(),
                        apply(output(4)))
                .setFlags(Set.of(OFFlowModFlags.CHECK_OVERLAP))
                .build());
        mods.add(F.buildFlowModify()
                .setTableId(TableId.of(1))
                .setMatch(metadata(match(), 5001).build())
                .setInstructions(List.of(apply(output(5))))
                .build());
        mods.add(F.buildFlowModifyStrict()
                .setTableId(TableId.of(0))
                .setPriority(1)
                .setMatch(any())
                .setInstructions(List.of(apply(output(6))))
                .setFlags(Set.of(OFFlowModFlags.RESET_COUNTS))
                .build());
        mods.add(F.buildFlowDeleteStrict()
                .setTableId(TableId.of(0))
                .setPriority(200)
                .setMatch(ethType(match(), 0x0806)
                        .setExact(MatchField.ARP_OP, ArpOpcode.REQUEST)
                        .setExact(MatchField.ARP_TPA, IPv4Address.of("10.0.0.1"))
                        .build())
                .setOutPort(OFPort.ANY)
                .setOutGroup(OFGroup.ANY)
                .build());
        mods.add(F.buildFlowDelete()
                .setTableId(TableId.ALL)
                .setMatch(any())
                .setCookie(U64.of(42))
                .setCookieMask(U64.NO_MASK)
                .setOutPort(OFPort.of(2))
                .setOutGroup(OFGroup.ANY)
                .build());
        mods.add(F.buildFlowDelete()
                .setTableId(TableId.of(1))
                .setMatch(any())
                .setOutPort(OFPort.ANY)
                .setOutGroup(OFGroup.of(7))
                .build());
        return mods;
    }

    /** Flow-mods the tables refuse, one per check the wire path shares with Loxi's. */
    private static List<OFFlowMod> refused() {
        return List.of(
                add(9, 1, any(), apply(output(1))).build(), // BAD_TABLE_ID
                add(1, 1, any(), gotoTable(0)).build(), // goto backwards: BAD_TABLE_ID (instruction)
                add(0, 1, any(), apply(group(99))).build(), // BAD_OUT_GROUP
                add(0, 1, any(), apply(output(0))).build(), // BAD_OUT_PORT
                add(0, 1, any(), apply(F.actions().pushVlan(EthType.of(0x88a8))))
                        .build(), // BAD_ARGUMENT
                add(0, 1, any(), apply(output(1)), apply(output(2))).build(), // DUP_INST
                add(0, 1, match().setExact(MatchField.ARP_OP, ArpOpcode.REQUEST).build(), apply(output(1)))
                        .build(), // BAD_PREREQ
                add(0, 1, any(), apply(output(1))).setBufferId(OFBufferId.of(5)).build(), // BUFFER_UNKNOWN
                add(
                                0,
                                300,
                                match().setMasked(
                                                MatchField.ETH_SRC,
                                                MacAddress.of("02:00:00:00:00:00"),
                                                MacAddress.of("ff:00:00:00:00:00"))
                                        .build(),
                                apply(output(4)))
                        .setFlags(Set.of(OFFlowModFlags.CHECK_OVERLAP))
                        .build()); // OVERLAP with the sample's masked eth_src flow
    }

    @Test
    void wellFormedFlowModsTakeTheWirePathAndBuildTheSameTables() {
        for (OFFlowMod m : sample()) {
            assertThat(DECODER.decode(wire(m))).as("wire path for %s", m).isInstanceOf(WireFlowMod.class);
            assertSameOutcome(bytes(m));
        }
        assertThat(viaWire.flowCount()).isPositive();
        assertSameTables();
    }

    @Test
    void refusedFlowModsGetTheSameErrors() {
        sample().subList(0, 8).forEach(m -> assertSameOutcome(bytes(m)));
        for (OFFlowMod m : refused()) {
            assertThat(DECODER.decode(wire(m))).as("wire path for %s", m).isInstanceOf(WireFlowMod.class);
            Optional<OFErrorMsg> error = assertSameOutcome(bytes(m));
            assertThat(error).as("error for %s", m).isPresent();
        }
        assertSameTables();
    }

    @Test
    void formsLoxiWouldRewriteAreLeftToLoxi() {
        OFFlowMod fullMask = add(
                        0,
                        1,
                        match().setMasked(MatchField.IN_PORT, OFPort.of(1), OFPort.of(0xFFFFFFFF))
                                .build(),
                        apply(output(2)))
                .build();
        byte[] b = bytes(add(0, 1, inPort(match(), 1).build(), apply(output(2))).build());
        b[44] = (byte) 0x80; // an unknown flag bit: Loxi drops it
        assertThat(DECODER.decode(Unpooled.wrappedBuffer(b))).isNull();
        byte[] swapped =
                bytes(add(0, 1, ethSrc(inPort(match(), 1), "02:00:00:00:00:01").build(), apply(output(2)))
                        .build());
        // put eth_src (12 bytes of OXM) before in_port (8 bytes): Loxi would write them back the other way round
        byte[] reordered = swapped.clone();
        System.arraycopy(swapped, 52 + 8, reordered, 52, 10);
        System.arraycopy(swapped, 52, reordered, 62, 8);
        assertThat(DECODER.decode(Unpooled.wrappedBuffer(reordered))).isNull();
        assertThat(DECODER.decode(
                        wire(F.buildEchoRequest().setXid(1).setData(new byte[0]).build())))
                .isNull();
        assertSameOutcome(bytes(fullMask));
        assertSameOutcome(b);
        assertSameOutcome(reordered);
        assertSameTables();
    }

    /** Random corruption of valid flow-mods: whatever the wire path accepts, Loxi reads the same way. */
    @Test
    void corruptedFlowModsBehaveTheSameOnBothPaths() {
        SplittableRandom random = new SplittableRandom(7);
        List<OFFlowMod> seeds = new ArrayList<>(sample());
        seeds.addAll(refused());
        int viaWirePath = 0;
        for (int round = 0; round < 4000; round++) {
            byte[] b = bytes(seeds.get(random.nextInt(seeds.size())));
            int flips = 1 + random.nextInt(3);
            for (int i = 0; i < flips; i++) {
                int at = 8 + random.nextInt(b.length - 8); // keep the header's version, type, length, xid
                b[at] = random.nextInt(3) == 0 ? 0 : (byte) random.nextInt(256);
            }
            if (DECODER.decode(Unpooled.wrappedBuffer(b)) != null) {
                viaWirePath++;
                assertThat(loxi(b)).as("Loxi reads %s", ByteBufUtil.hexDump(b)).isNotNull();
                assertThat(roundTrip(b))
                        .as("Loxi re-encodes what the wire path took")
                        .isEqualTo(b);
            }
            if (loxi(b) != null) {
                assertSameOutcome(b);
            }
        }
        assertThat(viaWirePath).as("mutations the wire path still took").isGreaterThan(500);
        assertSameTables();
    }

    /** Applies {@code b} to both switches (Loxi path / wire path); returns the common error, if any. */
    private Optional<OFErrorMsg> assertSameOutcome(byte[] b) {
        OFFlowMod parsed = loxi(b);
        Optional<OFErrorMsg> expected = viaLoxi.apply(parsed);
        Object decoded = DECODER.decode(Unpooled.wrappedBuffer(b));
        Optional<OFErrorMsg> actual = decoded instanceof WireFlowMod w ? viaWire.apply(w) : viaWire.apply(parsed);
        assertThat(actual).as("outcome of %s", ByteBufUtil.hexDump(b)).isEqualTo(expected);
        return actual;
    }

    private void assertSameTables() {
        assertThat(stats(viaWire)).isEqualTo(stats(viaLoxi));
    }

    private static List<OFFlowStatsEntry> stats(SwitchTables t) {
        return t.flowStats(F.buildFlowStatsRequest()
                .setTableId(TableId.ALL)
                .setOutPort(OFPort.ANY)
                .setOutGroup(OFGroup.ANY)
                .setMatch(any())
                .build());
    }

    private static OFFlowMod loxi(byte[] b) {
        try {
            OFMessage m = OFFactories.getGenericReader().readFrom(Unpooled.wrappedBuffer(b));
            return m instanceof OFFlowMod f ? f : null;
        } catch (OFParseError | RuntimeException e) {
            return null;
        }
    }

    private static byte[] roundTrip(byte[] b) {
        return bytes(loxi(b));
    }

    private static ByteBuf wire(OFMessage m) {
        return Unpooled.wrappedBuffer(bytes(m));
    }

    private static byte[] bytes(OFMessage m) {
        ByteBuf buf = Unpooled.buffer();
        m.writeTo(buf);
        return ByteBufUtil.getBytes(buf);
    }
}
