package io.portmesh.openflow;

import java.util.List;
import java.util.Map;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/** FLOW_MOD samples: every command, and the matches/actions/instructions of the pipeline of docs/architecture.md section 5. */
final class FlowMods {
    private static final OFFactory F = FakeSwitch.F;

    private FlowMods() {}

    static void addAll(Map<String, OFMessage> m) {
        m.put(
                "FLOW_MOD add classify trunk",
                F.buildFlowAdd()
                        .setXid(13)
                        .setCookie(U64.of(0x0100_0000_0000_0001L))
                        .setTableId(TableId.of(0))
                        .setPriority(100)
                        .setBufferId(OFBufferId.NO_BUFFER)
                        .setFlags(SampleMessages.sendFlowRem())
                        .setMatch(SampleMessages.trunkMatch())
                        .setInstructions(SampleMessages.classifyInstructions())
                        .build());
        m.put(
                "FLOW_MOD add classify tunnel",
                F.buildFlowAdd()
                        .setXid(14)
                        .setTableId(TableId.of(0))
                        .setPriority(100)
                        .setMatch(SampleMessages.tunnelMatch())
                        .setInstructions(List.of(
                                F.instructions().writeMetadata(U64.of(5001), U64.NO_MASK),
                                F.instructions().gotoTable(TableId.of(1))))
                        .build());
        m.put(
                "FLOW_MOD add arp to controller",
                F.buildFlowAdd()
                        .setXid(15)
                        .setTableId(TableId.of(0))
                        .setPriority(200)
                        .setMatch(SampleMessages.arpMatch())
                        .setInstructions(List.of(F.instructions()
                                .applyActions(List.of(F.actions().output(OFPort.CONTROLLER, 0xffff)))))
                        .build());
        m.put(
                "FLOW_MOD modify remote",
                F.buildFlowModify()
                        .setXid(16)
                        .setTableId(TableId.of(1))
                        .setMatch(SampleMessages.l2Match())
                        .setInstructions(List.of(F.instructions().applyActions(SampleMessages.remoteActions())))
                        .build());
        m.put(
                "FLOW_MOD modify_strict local",
                F.buildFlowModifyStrict()
                        .setXid(17)
                        .setTableId(TableId.of(1))
                        .setPriority(100)
                        .setMatch(SampleMessages.l2Match())
                        .setInstructions(List.of(F.instructions().writeActions(SampleMessages.localActions())))
                        .build());
        m.put(
                "FLOW_MOD add flood group",
                F.buildFlowAdd()
                        .setXid(18)
                        .setTableId(TableId.of(1))
                        .setPriority(10)
                        .setMatch(SampleMessages.l2Match())
                        .setInstructions(List.of(F.instructions()
                                .applyActions(List.of(F.actions().group(OFGroup.of(5001))))))
                        .build());
        m.put(
                "FLOW_MOD delete by cookie",
                F.buildFlowDelete()
                        .setXid(19)
                        .setTableId(TableId.ALL)
                        .setOutPort(OFPort.ANY)
                        .setOutGroup(OFGroup.ANY)
                        .setCookie(U64.of(0x0100_0000_0000_0000L))
                        .setCookieMask(U64.of(0xff00_0000_0000_0000L))
                        .build());
        m.put(
                "FLOW_MOD delete_strict",
                F.buildFlowDeleteStrict()
                        .setXid(23)
                        .setTableId(TableId.of(0))
                        .setPriority(100)
                        .setOutPort(OFPort.ANY)
                        .setOutGroup(OFGroup.ANY)
                        .setMatch(SampleMessages.trunkMatch())
                        .build());
    }

    /** A distinct flow-mod per {@code i}, for bulk tests. */
    static OFFlowAdd bulk(int i) {
        return F.buildFlowAdd()
                .setTableId(TableId.of(1))
                .setPriority(100)
                .setCookie(U64.of(i))
                .setMatch(SampleMessages.l2Match())
                .setInstructions(List.of(F.instructions().applyActions(SampleMessages.remoteActions())))
                .build();
    }
}
