package io.portmesh.agent.pipeline;

import io.portmesh.agent.table.Act;
import io.portmesh.agent.table.FlowEntry;
import io.portmesh.agent.table.GroupEntry;
import io.portmesh.agent.table.Instructions;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFPacketInReason;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.OFMetadata;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.U64;

/** Executes compiled actions on a {@link Packet}: header changes, outputs, groups, packet-ins. */
final class ActionRunner {
    private static final int PORT_IN_PORT = OFPort.IN_PORT.getPortNumber();
    private static final int PORT_TABLE = OFPort.TABLE.getPortNumber();
    private static final int PORT_FLOOD = OFPort.FLOOD.getPortNumber();
    private static final int PORT_ALL = OFPort.ALL.getPortNumber();
    private static final int PORT_CONTROLLER = OFPort.CONTROLLER.getPortNumber();
    /** Packet-ins not caused by a flow (packet-out to CONTROLLER) carry no table and an all-ones cookie. */
    static final int NO_TABLE = 0xFF;

    static final long NO_COOKIE = -1L;

    private static final GroupEntry[] NO_GROUPS = new GroupEntry[0];

    private final OFFactory factory = OFFactories.getFactory(OFVersion.OF_13);
    private final PortOutput out;
    private final PipelineCounters counters;
    private final int tunnelPort;
    private final Pipeline pipeline;
    private final int trunkPort;
    private final ArrivalReplay replay;

    ActionRunner(
            PortOutput out,
            PipelineCounters counters,
            int tunnelPort,
            Pipeline pipeline,
            int trunkPort,
            ArrivalReplay replay) {
        this.out = out;
        this.counters = counters;
        this.tunnelPort = tunnelPort;
        this.pipeline = pipeline;
        this.trunkPort = trunkPort;
        this.replay = replay;
    }

    /**
     * apply_actions (and bucket actions): each action acts now, in list order. {@code program} is
     * an {@link Instructions} program; group operands index {@code groups}.
     */
    void apply(long[] program, GroupEntry[] groups, Packet p, Context c) {
        for (int i = 0; i < program.length; i += 2) {
            long word = program[i];
            long value = program[i + 1];
            switch (Instructions.opOf(word)) {
                case Act.OUTPUT -> output(Instructions.portOf(word), p, c);
                case Act.PUSH_VLAN -> p.pushVlan();
                case Act.POP_VLAN -> p.popVlan();
                case Act.SET_VLAN_VID -> p.setVlanVid((int) value);
                case Act.SET_ETH_DST -> p.setEthDst(value);
                case Act.SET_ETH_SRC -> p.setEthSrc(value);
                case Act.SET_TUNNEL_ID -> p.tunnelId = value;
                case Act.SET_TUN_IPV4_DST -> p.tunnelDstIp = (int) value;
                case Act.GROUP -> group(groups[(int) value], p, c);
                default -> {
                    // The compiler admits no other opcode.
                }
            }
        }
    }

    /** Group ALL: every bucket works on its own copy of the frame as it is now. */
    void group(GroupEntry g, Packet p, Context c) {
        GroupEntry.Buckets buckets = g.buckets();
        if (buckets == null) {
            counters.deletedGroup.increment();
            return;
        }
        g.hit(p.frameLen);
        long[][] programs = buckets.programs;
        Packet copy = p == c.bucket ? new Packet() : c.bucket;
        for (int i = 0; i < programs.length; i++) {
            copy.copyFrom(p);
            buckets.hit(i, p.frameLen);
            apply(programs[i], NO_GROUPS, copy, c);
        }
    }

    void output(int port, Packet p, Context c) {
        if (port == PORT_IN_PORT) {
            emit(p.inPort, p, c);
        } else if (port == PORT_FLOOD || port == PORT_ALL) {
            for (Integer q : out.allPorts()) {
                if (q != p.inPort) {
                    emit(q, p, c);
                }
            }
        } else if (port == PORT_CONTROLLER) {
            toController(p, c);
        } else if (port == PORT_TABLE) {
            if (c.packetOut) {
                pipeline.reinject(p);
            }
        } else if (port == p.inPort) {
            counters.inPortDrops.increment();
        } else {
            emit(port, p, c);
        }
    }

    private void emit(int port, Packet p, Context c) {
        if (port == tunnelPort && p.tunnelDstIp == 0) {
            counters.tunnelNoDestination.increment();
            return;
        }
        if (c.replayArmed && port == trunkPort) {
            // recorded before it is sent: a replay that runs in between then sends it twice (a duplicate), never
            // zero times (it was sent before the VM arrived and would not be in the ring)
            int vid = p.vlanVid();
            if (vid != 0) {
                replay.record(vid & 0xFFF, p.bytes(), p.bytesOffset(), p.bytesLength());
            }
        }
        out.output(port, p.inPort, p.bytes(), p.bytesOffset(), p.bytesLength(), p.tunnelId, p.tunnelDstIp);
        counters.framesOut.increment();
        c.emitted++;
    }

    private void toController(Packet p, Context c) {
        FlowEntry e = c.entry;
        OFPacketInReason reason = e != null && e.isTableMiss() ? OFPacketInReason.NO_MATCH : OFPacketInReason.ACTION;
        int tableId = e == null ? NO_TABLE : e.tableId;
        long cookie = e == null ? NO_COOKIE : e.cookie;
        out.toController(reason, tableId, cookie, packetInMatch(p), p.bytes(), p.bytesOffset(), p.bytesLength());
        counters.toController.increment();
        c.emitted++;
    }

    private Match packetInMatch(Packet p) {
        Match.Builder m = factory.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(p.inPort));
        if (p.tunnelId != 0) {
            m.setExact(MatchField.TUNNEL_ID, U64.of(p.tunnelId));
        }
        if (p.metadata != 0) {
            m.setExact(MatchField.METADATA, OFMetadata.ofRaw(p.metadata));
        }
        return m.build();
    }
}
