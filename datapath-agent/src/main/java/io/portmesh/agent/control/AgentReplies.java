package io.portmesh.agent.control;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.portmesh.agent.io.FramePort;
import io.portmesh.agent.io.PortStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import org.projectfloodlight.openflow.protocol.OFBadRequestCode;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowModFailedCode;
import org.projectfloodlight.openflow.protocol.OFGroupModFailedCode;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPortConfig;
import org.projectfloodlight.openflow.protocol.OFPortDesc;
import org.projectfloodlight.openflow.protocol.OFPortFeatures;
import org.projectfloodlight.openflow.protocol.OFPortModFailedCode;
import org.projectfloodlight.openflow.protocol.OFPortState;
import org.projectfloodlight.openflow.protocol.OFPortStatsEntry;
import org.projectfloodlight.openflow.protocol.OFStatsReply;
import org.projectfloodlight.openflow.protocol.OFStatsReplyFlags;
import org.projectfloodlight.openflow.protocol.Writeable;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFErrorCauseData;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.U64;

/** Builders for the agent's replies: errors with the offending message's head, port descriptions, split multipart. */
final class AgentReplies {
    /** Entries per multipart reply part at most (fewer when they would not fit in {@link #MAX_PART_BYTES}). */
    static final int ENTRIES_PER_PART = 200;
    /**
     * The entries of one multipart reply part take at most this many bytes: OpenFlow's 64 KiB message limit (the
     * header's 16-bit length) less the multipart reply's header (8 + 8 bytes). A message past the limit is written by
     * Loxi with its length wrapped, and the controller cannot decode it (a flood group with 50 buckets is about 2.4 KiB:
     * 200 of them made 550 KiB).
     */
    static final int MAX_PART_BYTES = 65_535 - 16;
    /** A table's features take about 500 bytes: 64 of them stay well under the 64 KiB limit too. */
    static final int TABLE_FEATURES_PER_PART = 64;

    private AgentReplies() {}

    static OFErrorMsg badRequest(OFFactory f, OFMessage offending, OFBadRequestCode code) {
        return f.errorMsgs()
                .buildBadRequestErrorMsg()
                .setXid(offending.getXid())
                .setCode(code)
                .setData(OFErrorCauseData.of(head(offending), f.getVersion()))
                .build();
    }

    /** The refusal of a state change to a read-only connection: the message's own EPERM code, else BAD_REQUEST's. */
    static OFErrorMsg eperm(OFFactory f, OFMessage offending) {
        OFErrorCauseData data = OFErrorCauseData.of(head(offending), f.getVersion());
        long xid = offending.getXid();
        return switch (offending.getType()) {
            case FLOW_MOD ->
                f.errorMsgs()
                        .buildFlowModFailedErrorMsg()
                        .setXid(xid)
                        .setCode(OFFlowModFailedCode.EPERM)
                        .setData(data)
                        .build();
            case GROUP_MOD ->
                f.errorMsgs()
                        .buildGroupModFailedErrorMsg()
                        .setXid(xid)
                        .setCode(OFGroupModFailedCode.EPERM)
                        .setData(data)
                        .build();
            case PORT_MOD ->
                f.errorMsgs()
                        .buildPortModFailedErrorMsg()
                        .setXid(xid)
                        .setCode(OFPortModFailedCode.EPERM)
                        .setData(data)
                        .build();
            default -> badRequest(f, offending, OFBadRequestCode.EPERM);
        };
    }

    /** The first 64 bytes of a message, as the spec wants in an error's data. */
    static byte[] head(OFMessage m) {
        ByteBuf buf = Unpooled.buffer();
        try {
            m.writeTo(buf);
            byte[] out = new byte[Math.min(64, buf.readableBytes())];
            buf.readBytes(out);
            return out;
        } finally {
            buf.release();
        }
    }

    static OFPortDesc portDesc(OFFactory f, FramePort p) {
        return f.buildPortDesc()
                .setPortNo(OFPort.of(p.number()))
                .setHwAddr(MacAddress.of(p.hwAddr().value()))
                .setName(p.name())
                .setConfig(p.isAdminUp() ? Set.of() : Set.of(OFPortConfig.PORT_DOWN))
                .setState(p.isLinkUp() ? Set.of(OFPortState.LIVE) : Set.of(OFPortState.LINK_DOWN))
                .setCurr(Set.of(OFPortFeatures.PF_10GB_FD))
                .setCurrSpeed(10_000_000)
                .setMaxSpeed(10_000_000)
                .build();
    }

    static OFPortStatsEntry portStats(OFFactory f, FramePort p) {
        PortStats s = p.stats();
        return f.buildPortStatsEntry()
                .setPortNo(OFPort.of(p.number()))
                .setRxPackets(U64.of(s.rxPackets()))
                .setTxPackets(U64.of(s.txPackets()))
                .setRxBytes(U64.of(s.rxBytes()))
                .setTxBytes(U64.of(s.txBytes()))
                .setRxDropped(U64.of(s.rxDropped()))
                .setTxDropped(U64.of(s.txDropped()))
                .setRxErrors(U64.of(s.rxErrors()))
                .setTxErrors(U64.of(s.txErrors()))
                .build();
    }

    /**
     * Splits entries into reply parts of at most {@link #ENTRIES_PER_PART} entries and {@link #MAX_PART_BYTES} bytes;
     * every part but the last carries REPLY_MORE. Always at least one part.
     */
    static <E extends Writeable, R extends OFStatsReply> List<R> split(
            List<E> entries, BiFunction<List<E>, Set<OFStatsReplyFlags>, R> part) {
        return split(entries, ENTRIES_PER_PART, part);
    }

    /** Like {@link #split(List, BiFunction)}, at most {@code perPart} entries to a part. */
    static <E extends Writeable, R extends OFStatsReply> List<R> split(
            List<E> entries, int perPart, BiFunction<List<E>, Set<OFStatsReplyFlags>, R> part) {
        List<R> out = new ArrayList<>();
        ByteBuf scratch = Unpooled.buffer();
        int n = entries.size();
        int from = 0;
        while (true) {
            int to = from;
            int bytes = 0;
            while (to < n && to - from < perPart) {
                scratch.clear();
                entries.get(to).writeTo(scratch);
                if (to > from && bytes + scratch.readableBytes() > MAX_PART_BYTES) {
                    break;
                }
                bytes += scratch.readableBytes();
                to++;
            }
            Set<OFStatsReplyFlags> flags = to < n ? Set.of(OFStatsReplyFlags.REPLY_MORE) : Set.of();
            out.add(part.apply(entries.subList(from, to), flags));
            if (to >= n) {
                return out;
            }
            from = to;
        }
    }
}
