package io.portmesh.openflow.plan;

import io.portmesh.model.flow.Cookies;
import io.portmesh.model.flow.FlowDiff;
import io.portmesh.model.flow.FlowEntry;
import io.portmesh.model.flow.FlowPlan;
import io.portmesh.model.flow.GroupEntry;
import io.portmesh.openflow.OpenFlowBytes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFFlowStatsReply;
import org.projectfloodlight.openflow.protocol.OFGroupDescStatsEntry;
import org.projectfloodlight.openflow.protocol.OFGroupDescStatsReply;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/**
 * The plan as the bytes that travel between a Host entity and its agents' sessions: the entity works on model types
 * ({@link FlowPlan}, {@link FlowDiff}) and hands the sessions OpenFlow wire bytes, so nothing outside this module sees
 * Loxi.
 */
public final class PlanWire {
    private static final OFFactory OF13 = OFFactories.getFactory(OFVersion.OF_13);
    private static final PlanToOpenFlow ENCODER = new PlanToOpenFlow(OF13);

    /**
     * What a switch holds of Portmesh's: the flows and groups the plan's model can express, and the cookies of
     * Portmesh flows it cannot (someone changed a match by hand, or an older controller wrote a field this one never
     * uses): those are purged by cookie before anything else is pushed. Foreign flows (another cookie) and foreign
     * groups (ids outside {@link Cookies#isPortmeshGroup}) are not in it, so a diff against it never touches them.
     */
    public record Installed(FlowPlan plan, List<Long> unreadableCookies) {
        public Installed {
            unreadableCookies = List.copyOf(unreadableCookies);
        }
    }

    private PlanWire() {}

    /** A diff as flow-mods and group-mods, in {@link FlowDiff}'s order. */
    public static byte[] encode(FlowDiff diff) {
        return OpenFlowBytes.encode(ENCODER.messages(diff));
    }

    /**
     * A reconciliation push: the unreadable Portmesh flows deleted by their exact cookie (every table), then the
     * diff. The diff was made against {@link Installed#plan}, which leaves out readable flows sharing such a cookie,
     * so a desired flow deleted by the purge is added again.
     */
    public static byte[] encodeReconciliation(List<Long> purgeCookies, FlowDiff diff) {
        List<OFMessage> out = new ArrayList<>(purgeCookies.size() + diff.size());
        for (long cookie : purgeCookies) {
            out.add(OF13.buildFlowDelete()
                    .setTableId(TableId.ALL)
                    .setCookie(U64.of(cookie))
                    .setCookieMask(U64.NO_MASK)
                    .setMatch(OF13.buildMatch().build())
                    .setOutPort(OFPort.ANY)
                    .setOutGroup(OFGroup.ANY)
                    .build());
        }
        out.addAll(ENCODER.messages(diff));
        return OpenFlowBytes.encode(out);
    }

    /**
     * Reads a switch's flow stats and group descriptions (multipart reply bytes, as {@link OpenFlowBytes#encode}
     * wrote them) into what Portmesh owns there.
     *
     * @throws IllegalArgumentException when the bytes are not OpenFlow
     */
    public static Installed decodeInstalled(byte[] flowStats, byte[] groupDesc) {
        List<OFFlowStatsEntry> flows = OpenFlowBytes.decode(flowStats, OFFlowStatsReply.class).stream()
                .flatMap(r -> r.getEntries().stream())
                .toList();
        List<OFGroupDescStatsEntry> groups = OpenFlowBytes.decode(groupDesc, OFGroupDescStatsReply.class).stream()
                .flatMap(r -> r.getEntries().stream())
                .filter(g -> Cookies.isPortmeshGroup(g.getGroup().getGroupNumber()))
                .toList();
        List<Long> unreadable = OpenFlowToPlan.unreadable(flows);
        Set<Long> purged = new HashSet<>(unreadable);
        List<FlowEntry> readable = new ArrayList<>();
        for (OFFlowStatsEntry e : flows) {
            if (!purged.contains(e.getCookie().getValue())) {
                OpenFlowToPlan.flow(e).ifPresent(readable::add);
            }
        }
        List<GroupEntry> ours = groups.stream().map(OpenFlowToPlan::group).toList();
        return new Installed(FlowPlan.of(readable, ours), List.copyOf(purged));
    }
}
