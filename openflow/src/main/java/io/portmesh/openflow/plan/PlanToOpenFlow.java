package io.portmesh.openflow.plan;

import io.portmesh.model.flow.Action;
import io.portmesh.model.flow.FlowDiff;
import io.portmesh.model.flow.FlowEntry;
import io.portmesh.model.flow.FlowMatch;
import io.portmesh.model.flow.GroupEntry;
import io.portmesh.model.flow.Instruction;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.projectfloodlight.openflow.protocol.OFBucket;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowModFlags;
import org.projectfloodlight.openflow.protocol.OFGroupType;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.protocol.instruction.OFInstruction;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.ArpOpcode;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.IPv4Address;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFMetadata;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.OFVlanVidMatch;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/** Turns the controller's plan (model records) into OpenFlow 1.3 messages. The inverse is {@link OpenFlowToPlan}. */
public final class PlanToOpenFlow {
    /**
     * The max_len of every output action: OFPCML_NO_BUFFER, so that an output to the controller (an arriving port's
     * activation flow) carries the whole frame, unbuffered. Other ports ignore it.
     */
    public static final int OUTPUT_MAX_LEN = 0xFFFF;

    private final OFFactory f;

    public PlanToOpenFlow(OFFactory factory) {
        this.f = factory;
    }

    /** The messages of a diff in the order that keeps every flow's group present (see {@link FlowDiff}). */
    public List<OFMessage> messages(FlowDiff diff) {
        List<OFMessage> out = new ArrayList<>(diff.size());
        diff.addGroups().forEach(g -> out.add(groupAdd(g)));
        diff.modifyGroups().forEach(g -> out.add(groupModify(g)));
        diff.addFlows().forEach(e -> out.add(flowAdd(e)));
        diff.modifyFlows().forEach(e -> out.add(flowModifyStrict(e)));
        diff.deleteFlows().forEach(k -> out.add(flowDeleteStrict(k)));
        diff.deleteGroups().forEach(id -> out.add(groupDelete(id)));
        return out;
    }

    public OFMessage flowAdd(FlowEntry e) {
        return withEntry(f.buildFlowAdd(), e);
    }

    public OFMessage flowModifyStrict(FlowEntry e) {
        return withEntry(f.buildFlowModifyStrict(), e);
    }

    private OFMessage withEntry(OFFlowMod.Builder b, FlowEntry e) {
        return b.setTableId(TableId.of(e.tableId()))
                .setPriority(e.priority())
                .setCookie(U64.of(e.cookie()))
                .setMatch(match(e.match()))
                .setInstructions(instructions(e.instructions()))
                .setBufferId(OFBufferId.NO_BUFFER)
                .setHardTimeout(e.hardTimeout())
                .setFlags(Set.of(OFFlowModFlags.SEND_FLOW_REM))
                .build();
    }

    public OFMessage flowDeleteStrict(FlowEntry.FlowKey k) {
        return f.buildFlowDeleteStrict()
                .setTableId(TableId.of(k.tableId()))
                .setPriority(k.priority())
                .setMatch(match(k.match()))
                .setOutPort(OFPort.ANY)
                .setOutGroup(OFGroup.ANY)
                .build();
    }

    public OFMessage groupAdd(GroupEntry g) {
        return f.buildGroupAdd()
                .setGroup(OFGroup.of(g.groupId()))
                .setGroupType(OFGroupType.ALL)
                .setBuckets(buckets(g))
                .build();
    }

    public OFMessage groupModify(GroupEntry g) {
        return f.buildGroupModify()
                .setGroup(OFGroup.of(g.groupId()))
                .setGroupType(OFGroupType.ALL)
                .setBuckets(buckets(g))
                .build();
    }

    public OFMessage groupDelete(int groupId) {
        return f.buildGroupDelete()
                .setGroup(OFGroup.of(groupId))
                .setGroupType(OFGroupType.ALL)
                .build();
    }

    private List<OFBucket> buckets(GroupEntry g) {
        return g.buckets().stream()
                .map(b -> f.buildBucket()
                        .setActions(actions(b.actions()))
                        .setWatchGroup(OFGroup.ANY)
                        .setWatchPort(OFPort.ANY)
                        .build())
                .toList();
    }

    public Match match(FlowMatch m) {
        Match.Builder b = f.buildMatch();
        if (m.inPort() != null) {
            b.setExact(MatchField.IN_PORT, OFPort.of(m.inPort()));
        }
        if (m.ethSrc() != null) {
            b.setExact(MatchField.ETH_SRC, MacAddress.of(m.ethSrc().value()));
        }
        if (m.ethDst() != null) {
            if (m.ethDstMask() != null) {
                b.setMasked(
                        MatchField.ETH_DST,
                        MacAddress.of(m.ethDst().value()),
                        MacAddress.of(m.ethDstMask().value()));
            } else {
                b.setExact(MatchField.ETH_DST, MacAddress.of(m.ethDst().value()));
            }
        }
        if (m.ethType() != null) {
            b.setExact(MatchField.ETH_TYPE, EthType.of(m.ethType()));
        }
        if (m.vlanVid() != null) {
            b.setExact(MatchField.VLAN_VID, OFVlanVidMatch.ofVlan(m.vlanVid()));
        }
        if (m.tunnelId() != null) {
            b.setExact(MatchField.TUNNEL_ID, U64.of(m.tunnelId()));
        }
        if (m.metadata() != null) {
            if (m.metadataMask() != null) {
                b.setMasked(
                        MatchField.METADATA,
                        OFMetadata.of(U64.of(m.metadata())),
                        OFMetadata.of(U64.of(m.metadataMask())));
            } else {
                b.setExact(MatchField.METADATA, OFMetadata.of(U64.of(m.metadata())));
            }
        }
        if (m.arpOp() != null) {
            b.setExact(MatchField.ARP_OP, ArpOpcode.of(m.arpOp()));
        }
        if (m.arpTpa() != null) {
            b.setExact(MatchField.ARP_TPA, IPv4Address.of(m.arpTpa().value()));
        }
        return b.build();
    }

    public List<OFInstruction> instructions(List<Instruction> instructions) {
        List<OFInstruction> out = new ArrayList<>(instructions.size());
        for (Instruction i : instructions) {
            if (i instanceof Instruction.ApplyActions a) {
                out.add(f.instructions().applyActions(actions(a.actions())));
            } else if (i instanceof Instruction.WriteMetadata w) {
                out.add(f.instructions().writeMetadata(U64.of(w.value()), U64.of(w.mask())));
            } else if (i instanceof Instruction.GotoTable g) {
                out.add(f.instructions().gotoTable(TableId.of(g.tableId())));
            }
        }
        return out;
    }

    public List<OFAction> actions(List<Action> actions) {
        List<OFAction> out = new ArrayList<>(actions.size());
        for (Action a : actions) {
            out.add(action(a));
        }
        return out;
    }

    private OFAction action(Action a) {
        if (a instanceof Action.Output o) {
            return f.actions().output(OFPort.of(o.port()), OUTPUT_MAX_LEN);
        } else if (a instanceof Action.PushVlan) {
            return f.actions().pushVlan(EthType.VLAN_FRAME);
        } else if (a instanceof Action.PopVlan) {
            return f.actions().popVlan();
        } else if (a instanceof Action.SetVlanVid v) {
            return f.actions().setField(f.oxms().vlanVid(OFVlanVidMatch.ofVlan(v.vlan())));
        } else if (a instanceof Action.SetEthDst d) {
            return f.actions().setField(f.oxms().ethDst(MacAddress.of(d.mac().value())));
        } else if (a instanceof Action.SetTunnelId t) {
            return f.actions().setField(f.oxms().tunnelId(U64.of(t.tunnelId())));
        } else if (a instanceof Action.SetTunnelDst t) {
            return f.actions().setField(f.oxms().tunnelIpv4Dst(IPv4Address.of(t.ip().value())));
        } else if (a instanceof Action.Group g) {
            return f.actions().group(OFGroup.of(g.groupId()));
        }
        throw new IllegalArgumentException("an action the plan cannot send: " + a);
    }
}
