package io.portmesh.openflow.plan;

import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.flow.Action;
import io.portmesh.model.flow.Cookies;
import io.portmesh.model.flow.FlowEntry;
import io.portmesh.model.flow.FlowMatch;
import io.portmesh.model.flow.FlowPlan;
import io.portmesh.model.flow.GroupEntry;
import io.portmesh.model.flow.Instruction;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFGroupDescStatsEntry;
import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.protocol.action.OFActionGroup;
import org.projectfloodlight.openflow.protocol.action.OFActionOutput;
import org.projectfloodlight.openflow.protocol.action.OFActionPopVlan;
import org.projectfloodlight.openflow.protocol.action.OFActionPushVlan;
import org.projectfloodlight.openflow.protocol.action.OFActionSetField;
import org.projectfloodlight.openflow.protocol.instruction.OFInstruction;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionApplyActions;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionGotoTable;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionWriteMetadata;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.protocol.match.MatchFields;
import org.projectfloodlight.openflow.protocol.oxm.OFOxm;
import org.projectfloodlight.openflow.protocol.oxm.OFOxmEthDst;
import org.projectfloodlight.openflow.protocol.oxm.OFOxmTunnelId;
import org.projectfloodlight.openflow.protocol.oxm.OFOxmTunnelIpv4Dst;
import org.projectfloodlight.openflow.protocol.oxm.OFOxmVlanVid;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.Masked;
import org.projectfloodlight.openflow.types.OFPort;

/**
 * Reads what a switch reports (flow stats, group descriptions) back into the plan's model, so that reconciliation
 * can diff the installed state against the desired one. Only Portmesh's flows (by cookie) are read; a flow whose
 * match uses a field the plan never uses, a mask the plan cannot hold, or a field without its prerequisite cannot be
 * expressed and is reported through {@link #unreadable} (and purged by cookie). An output to the controller that
 * does not send the whole frame (max_len other than {@link PlanToOpenFlow#OUTPUT_MAX_LEN}) is read as
 * {@link Action.Unrecognized}, so that the flow is written again.
 */
public final class OpenFlowToPlan {
    private OpenFlowToPlan() {}

    /** The installed plan of a switch from its flow stats and group descriptions (Portmesh's flows only). */
    public static FlowPlan installed(List<OFFlowStatsEntry> flows, List<OFGroupDescStatsEntry> groups) {
        List<FlowEntry> f = new ArrayList<>();
        for (OFFlowStatsEntry e : flows) {
            flow(e).ifPresent(f::add);
        }
        List<GroupEntry> g = groups.stream().map(OpenFlowToPlan::group).toList();
        return FlowPlan.of(f, g);
    }

    /** Portmesh flows that {@link #flow} cannot read: they must be removed by cookie. */
    public static List<Long> unreadable(List<OFFlowStatsEntry> flows) {
        return flows.stream()
                .filter(e -> Cookies.isPortmesh(e.getCookie().getValue())
                        && match(e.getMatch()).isEmpty())
                .map(e -> e.getCookie().getValue())
                .toList();
    }

    public static Optional<FlowEntry> flow(OFFlowStatsEntry e) {
        long cookie = e.getCookie().getValue();
        if (!Cookies.isPortmesh(cookie)) {
            return Optional.empty();
        }
        return match(e.getMatch())
                .map(m -> new FlowEntry(
                        e.getTableId().getValue(),
                        e.getPriority(),
                        cookie,
                        m,
                        instructions(e.getInstructions()),
                        e.getHardTimeout()));
    }

    public static GroupEntry group(OFGroupDescStatsEntry g) {
        return new GroupEntry(
                g.getGroup().getGroupNumber(),
                g.getBuckets().stream()
                        .map(b -> new GroupEntry.Bucket(actions(b.getActions())))
                        .toList());
    }

    static Optional<FlowMatch> match(Match m) {
        FlowMatch.Builder b = FlowMatch.builder();
        for (MatchField<?> field : m.getMatchFields()) {
            boolean exact = m.isExact(field);
            if (!exact && field.id != MatchFields.ETH_DST && field.id != MatchFields.METADATA) {
                return Optional.empty(); // a mask the model cannot hold: read as exact it would diff wrong
            }
            if (exact ? m.get(field) == null : m.getMasked(field) == null) {
                return Optional.empty(); // a field without its prerequisite (arp_op without eth_type=arp)
            }
            switch (field.id) {
                case IN_PORT -> b.inPort(m.get(MatchField.IN_PORT).getPortNumber());
                case ETH_SRC -> b.ethSrc(new Mac(m.get(MatchField.ETH_SRC).getLong()));
                case ETH_DST -> {
                    if (m.isExact(MatchField.ETH_DST)) {
                        b.ethDst(new Mac(m.get(MatchField.ETH_DST).getLong()));
                    } else {
                        Masked<MacAddress> d = m.getMasked(MatchField.ETH_DST);
                        b.ethDst(
                                new Mac(d.getValue().getLong()),
                                new Mac(d.getMask().getLong()));
                    }
                }
                case ETH_TYPE -> b.ethType(m.get(MatchField.ETH_TYPE).getValue());
                case VLAN_VID -> b.vlanVid(m.get(MatchField.VLAN_VID).getVlan());
                case TUNNEL_ID -> b.tunnelId(m.get(MatchField.TUNNEL_ID).getValue());
                case METADATA -> {
                    if (m.isExact(MatchField.METADATA)) {
                        b.metadata(m.get(MatchField.METADATA).getValue().getValue(), -1L);
                    } else {
                        var md = m.getMasked(MatchField.METADATA);
                        b.metadata(
                                md.getValue().getValue().getValue(),
                                md.getMask().getValue().getValue());
                    }
                }
                case ARP_OP -> b.arpOp(m.get(MatchField.ARP_OP).getOpcode());
                case ARP_TPA -> b.arpTpa(new Ipv4(m.get(MatchField.ARP_TPA).getInt()));
                default -> {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(b.build());
    }

    static List<Instruction> instructions(List<OFInstruction> in) {
        List<Instruction> out = new ArrayList<>(in.size());
        for (OFInstruction i : in) {
            if (i instanceof OFInstructionApplyActions a) {
                out.add(new Instruction.ApplyActions(actions(a.getActions())));
            } else if (i instanceof OFInstructionWriteMetadata w) {
                out.add(new Instruction.WriteMetadata(
                        w.getMetadata().getValue(), w.getMetadataMask().getValue()));
            } else if (i instanceof OFInstructionGotoTable g) {
                out.add(new Instruction.GotoTable(g.getTableId().getValue()));
            } else {
                out.add(new Instruction.ApplyActions(List.of(new Action.Unrecognized(i.toString()))));
            }
        }
        return out;
    }

    static List<Action> actions(List<OFAction> in) {
        List<Action> out = new ArrayList<>(in.size());
        for (OFAction a : in) {
            out.add(action(a));
        }
        return out;
    }

    private static Action action(OFAction a) {
        if (a instanceof OFActionOutput o) {
            if (o.getPort().equals(OFPort.CONTROLLER) && o.getMaxLen() != PlanToOpenFlow.OUTPUT_MAX_LEN) {
                return new Action.Unrecognized(a.toString()); // a truncated packet-in: the flow is written again
            }
            return new Action.Output(o.getPort().getPortNumber());
        } else if (a instanceof OFActionPushVlan) {
            return new Action.PushVlan();
        } else if (a instanceof OFActionPopVlan) {
            return new Action.PopVlan();
        } else if (a instanceof OFActionGroup g) {
            return new Action.Group(g.getGroup().getGroupNumber());
        } else if (a instanceof OFActionSetField s) {
            OFOxm<?> field = s.getField();
            if (field instanceof OFOxmVlanVid v) {
                return new Action.SetVlanVid(v.getValue().getVlan());
            } else if (field instanceof OFOxmEthDst d) {
                return new Action.SetEthDst(new Mac(d.getValue().getLong()));
            } else if (field instanceof OFOxmTunnelId t) {
                return new Action.SetTunnelId(t.getValue().getValue());
            } else if (field instanceof OFOxmTunnelIpv4Dst t) {
                return new Action.SetTunnelDst(new Ipv4(t.getValue().getInt()));
            }
        }
        return new Action.Unrecognized(a.toString());
    }
}
