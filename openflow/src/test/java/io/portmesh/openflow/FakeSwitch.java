package io.portmesh.openflow;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.projectfloodlight.openflow.protocol.OFBarrierRequest;
import org.projectfloodlight.openflow.protocol.OFCapabilities;
import org.projectfloodlight.openflow.protocol.OFConfigFlags;
import org.projectfloodlight.openflow.protocol.OFDescStatsRequest;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFeaturesRequest;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFGetConfigRequest;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPortDesc;
import org.projectfloodlight.openflow.protocol.OFPortDescStatsRequest;
import org.projectfloodlight.openflow.protocol.OFStatsReplyFlags;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.OFAuxId;

/** The switch side of a test: answers the controller's handshake and barriers, counts flow-mods. */
final class FakeSwitch implements BiConsumer<OfConnection, OFMessage> {
    static final OFFactory F = OFFactories.getFactory(OFVersion.OF_13);

    final DatapathId dpid;
    final String dpDesc;
    final List<OFPortDesc> ports;
    final AtomicInteger flowMods = new AtomicInteger();
    /** Flow-mods seen when each barrier request arrived. */
    final List<Integer> flowModsAtBarrier = new ArrayList<>();
    /** Off for tests that need a request the switch never answers. */
    volatile boolean answerGetConfig = true;

    FakeSwitch(long dpid, String dpDesc, int portCount) {
        this.dpid = DatapathId.of(dpid);
        this.dpDesc = dpDesc;
        this.ports = new ArrayList<>();
        for (int i = 1; i <= portCount; i++) {
            ports.add(SampleMessages.port(i, "p" + i));
        }
    }

    @Override
    public void accept(OfConnection c, OFMessage m) {
        if (m instanceof OFFeaturesRequest) {
            c.send(F.buildFeaturesReply()
                    .setXid(m.getXid())
                    .setDatapathId(dpid)
                    .setNBuffers(0)
                    .setNTables((short) 2)
                    .setAuxiliaryId(OFAuxId.MAIN)
                    .setCapabilities(EnumSet.of(OFCapabilities.FLOW_STATS, OFCapabilities.PORT_STATS))
                    .build());
        } else if (m instanceof OFDescStatsRequest) {
            c.send(SampleMessages.descReply(m.getXid(), dpDesc));
        } else if (m instanceof OFPortDescStatsRequest) {
            // two parts, to exercise aggregation during the handshake
            int half = ports.size() / 2;
            c.send(List.of(
                    F.buildPortDescStatsReply()
                            .setXid(m.getXid())
                            .setFlags(Set.of(OFStatsReplyFlags.REPLY_MORE))
                            .setEntries(ports.subList(0, half))
                            .build(),
                    F.buildPortDescStatsReply()
                            .setXid(m.getXid())
                            .setEntries(ports.subList(half, ports.size()))
                            .build()));
        } else if (m instanceof OFGetConfigRequest && answerGetConfig) {
            c.send(F.buildGetConfigReply()
                    .setXid(m.getXid())
                    .setFlags(Set.of(OFConfigFlags.FRAG_NORMAL))
                    .setMissSendLen(0xffff)
                    .build());
        } else if (m instanceof OFFlowMod) {
            flowMods.incrementAndGet();
        } else if (m instanceof OFBarrierRequest) {
            synchronized (flowModsAtBarrier) {
                flowModsAtBarrier.add(flowMods.get());
            }
            c.send(F.buildBarrierReply().setXid(m.getXid()).build());
        }
    }
}
