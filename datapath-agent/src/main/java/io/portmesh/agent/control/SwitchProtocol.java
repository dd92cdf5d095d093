package io.portmesh.agent.control;

import io.portmesh.agent.io.FramePort;
import io.portmesh.agent.io.Ports;
import io.portmesh.agent.pipeline.Pipeline;
import io.portmesh.agent.table.SwitchTables;
import io.portmesh.agent.table.WireFlowMod;
import io.portmesh.openflow.OfConnection;
import io.portmesh.openflow.plan.TrunkWire;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.projectfloodlight.openflow.protocol.*;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.OFErrorCauseData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The switch's side of OpenFlow 1.3: answers every request a controller (or ovs-ofctl) sends, and applies flow-mods,
 * group-mods and packet-outs from connections whose role allows it. Called on the agent's single control thread, so the
 * order of messages is the order of processing and a barrier reply means everything before it is applied.
 */
final class SwitchProtocol {
    private static final Logger log = LoggerFactory.getLogger(SwitchProtocol.class);
    private final DatapathId dpid;
    private final String description;
    private final SwitchTables tables;
    private final Pipeline pipeline;
    private final Ports ports;
    private final RoleTable roles;
    private final java.util.function.LongConsumer activations;
    private long flowModsApplied;
    private long errorsSent;

    /** @param activations told the epoch of each {@link TrunkWire.Activation} a connection that may modify sends */
    SwitchProtocol(
            DatapathId dpid,
            String description,
            SwitchTables tables,
            Pipeline pipeline,
            Ports ports,
            RoleTable roles,
            java.util.function.LongConsumer activations) {
        this.activations = activations;
        this.dpid = dpid;
        this.description = description;
        this.tables = tables;
        this.pipeline = pipeline;
        this.ports = ports;
        this.roles = roles;
    }

    long flowModsApplied() {
        return flowModsApplied;
    }

    long errorsSent() {
        return errorsSent;
    }

    void handle(OfConnection c, OFMessage m) {
        OFFactory f = c.factory();
        switch (m.getType()) {
            case FEATURES_REQUEST ->
                c.send(f.buildFeaturesReply()
                        .setXid(m.getXid())
                        .setDatapathId(dpid)
                        .setNBuffers(0)
                        .setNTables((short) tables.tableCount())
                        .setCapabilities(Set.of(
                                OFCapabilities.FLOW_STATS,
                                OFCapabilities.TABLE_STATS,
                                OFCapabilities.PORT_STATS,
                                OFCapabilities.GROUP_STATS))
                        .build());
            case GET_CONFIG_REQUEST ->
                c.send(f.buildGetConfigReply()
                        .setXid(m.getXid())
                        .setFlags(Set.of())
                        .setMissSendLen(0xFFFF)
                        .build());
            case SET_CONFIG -> {}
            case BARRIER_REQUEST ->
                c.send(f.buildBarrierReply().setXid(m.getXid()).build());
            case ROLE_REQUEST -> role(c, (OFRoleRequest) m);
            case FLOW_MOD -> modify(c, m, () -> tables.apply((OFFlowMod) m), true);
            case GROUP_MOD -> modify(c, m, () -> tables.apply((OFGroupMod) m), false);
            case PACKET_OUT ->
                modify(
                        c,
                        m,
                        () -> {
                            pipeline.packetOut((OFPacketOut) m);
                            return Optional.empty();
                        },
                        false);
            case PORT_MOD -> modify(c, m, () -> portMod(f, (OFPortMod) m), false);
            case STATS_REQUEST -> stats(c, (OFStatsRequest<?>) m);
            case ECHO_REPLY, ROLE_STATUS, ERROR -> log.debug("{} from {}", m.getType(), c.remoteAddress());
            default -> error(c, AgentReplies.badRequest(f, m, OFBadRequestCode.BAD_TYPE));
        }
    }

    /** A message the agent's wire decoder read: a flow-mod, with the same role check and errors. */
    void handleWire(OfConnection c, Object m) {
        if (m instanceof TrunkWire.Activation a) {
            // no answer of its own: a connection that may not modify gets its error for the PORT_MOD behind it
            if (roles.mayModify(c)) {
                activations.accept(a.epoch());
            } else {
                log.debug("activation (epoch {}) from {} ignored: it may not modify", a.epoch(), c.remoteAddress());
            }
            return;
        }
        if (!(m instanceof WireFlowMod mod)) {
            log.debug("unexpected wire message {} from {}", m.getClass().getSimpleName(), c.remoteAddress());
            return;
        }
        if (!roles.mayModify(c)) {
            OFFactory f = c.factory();
            OFErrorCauseData data = OFErrorCauseData.of(mod.errorData(), f.getVersion());
            roles.refusedAsSlave(c);
            error(
                    c,
                    roles.isReadOnly(c)
                            ? f.errorMsgs()
                                    .buildFlowModFailedErrorMsg()
                                    .setXid(mod.xid())
                                    .setCode(OFFlowModFailedCode.EPERM)
                                    .setData(data)
                                    .build()
                            : f.errorMsgs()
                                    .buildBadRequestErrorMsg()
                                    .setXid(mod.xid())
                                    .setCode(OFBadRequestCode.IS_SLAVE)
                                    .setData(data)
                                    .build());
            return;
        }
        Optional<OFErrorMsg> err = tables.apply(mod);
        if (err.isPresent()) {
            error(c, err.get());
        } else {
            flowModsApplied++;
            roles.applied(c);
        }
    }

    private void role(OfConnection c, OFRoleRequest r) {
        OFFactory f = c.factory();
        long gen = r.getGenerationId().getValue();
        RoleTable.Outcome outcome = roles.request(c, r.getRole(), gen);
        if (outcome != RoleTable.Outcome.GRANTED) {
            log.info("{}: role request {} (generation {}) refused: {}", c.remoteAddress(), r.getRole(), gen, outcome);
            error(
                    c,
                    f.errorMsgs()
                            .buildRoleRequestFailedErrorMsg()
                            .setXid(r.getXid())
                            .setCode(
                                    outcome == RoleTable.Outcome.STALE
                                            ? OFRoleRequestFailedCode.STALE
                                            : OFRoleRequestFailedCode.UNSUP)
                            .setData(OFErrorCauseData.of(AgentReplies.head(r), f.getVersion()))
                            .build());
            return;
        }
        log.info("{} is now {} (generation {})", c.remoteAddress(), roles.roleOf(c), roles.generation());
        c.send(f.buildRoleReply()
                .setXid(r.getXid())
                .setRole(roles.roleOf(c))
                .setGenerationId(org.projectfloodlight.openflow.types.U64.of(roles.generation()))
                .build());
    }

    private void modify(
            OfConnection c, OFMessage m, java.util.function.Supplier<Optional<OFErrorMsg>> apply, boolean flowMod) {
        if (!roles.mayModify(c)) {
            roles.refusedAsSlave(c);
            error(
                    c,
                    roles.isReadOnly(c)
                            ? AgentReplies.eperm(c.factory(), m)
                            : AgentReplies.badRequest(c.factory(), m, OFBadRequestCode.IS_SLAVE));
            return;
        }
        Optional<OFErrorMsg> err = apply.get();
        if (err.isPresent()) {
            error(c, err.get());
        } else {
            roles.applied(c);
            if (flowMod) {
                flowModsApplied++;
            }
        }
    }

    private Optional<OFErrorMsg> portMod(OFFactory f, OFPortMod pm) {
        FramePort p = ports.get(pm.getPortNo().getPortNumber());
        if (p == null) {
            return Optional.of(f.errorMsgs()
                    .buildPortModFailedErrorMsg()
                    .setXid(pm.getXid())
                    .setCode(OFPortModFailedCode.BAD_PORT)
                    .setData(OFErrorCauseData.of(AgentReplies.head(pm), f.getVersion()))
                    .build());
        }
        if (pm.getMask().contains(OFPortConfig.PORT_DOWN)) {
            p.setAdminUp(!pm.getConfig().contains(OFPortConfig.PORT_DOWN));
        }
        return Optional.empty();
    }

    private void stats(OfConnection c, OFStatsRequest<?> req) {
        OFFactory f = c.factory();
        long xid = req.getXid();
        List<? extends OFMessage> replies = switch (req.getStatsType()) {
            case DESC ->
                List.of(f.buildDescStatsReply()
                        .setXid(xid)
                        .setMfrDesc("Portmesh")
                        .setHwDesc("Portmesh datapath agent")
                        .setSwDesc("portmesh-datapath-agent")
                        .setSerialNum(dpid.toString())
                        .setDpDesc(description)
                        .build());
            case PORT_DESC ->
                List.of(f.buildPortDescStatsReply()
                        .setXid(xid)
                        .setEntries(ports.all().stream()
                                .map(p -> AgentReplies.portDesc(f, p))
                                .toList())
                        .build());
            case FLOW ->
                AgentReplies.split(
                        tables.flowStats((OFFlowStatsRequest) req),
                        (part, flags) -> f.buildFlowStatsReply()
                                .setXid(xid)
                                .setFlags(flags)
                                .setEntries(part)
                                .build());
            case GROUP ->
                AgentReplies.split(
                        tables.groupStats((OFGroupStatsRequest) req),
                        (part, flags) -> f.buildGroupStatsReply()
                                .setXid(xid)
                                .setFlags(flags)
                                .setEntries(part)
                                .build());
            case GROUP_DESC ->
                AgentReplies.split(
                        tables.groupDesc(),
                        (part, flags) -> f.buildGroupDescStatsReply()
                                .setXid(xid)
                                .setFlags(flags)
                                .setEntries(part)
                                .build());
            case TABLE ->
                List.of(f.buildTableStatsReply()
                        .setXid(xid)
                        .setEntries(tables.tableStats())
                        .build());
            case PORT ->
                List.of(f.buildPortStatsReply()
                        .setXid(xid)
                        .setEntries(portStats(
                                f, ((OFPortStatsRequest) req).getPortNo().getPortNumber()))
                        .build());
            case TABLE_FEATURES -> tableFeatures(f, (OFTableFeaturesStatsRequest) req);
            default -> List.of(AgentReplies.badRequest(f, req, OFBadRequestCode.BAD_STAT));
        };
        c.send(replies);
    }

    /**
     * Table features are read-only here: a request that carries features asks to reconfigure the tables (spec
     * 7.3.5.5.1), which this switch cannot do.
     */
    private List<? extends OFMessage> tableFeatures(OFFactory f, OFTableFeaturesStatsRequest req) {
        if (!req.getEntries().isEmpty()) {
            return List.of(f.errorMsgs()
                    .buildTableFeaturesFailedErrorMsg()
                    .setXid(req.getXid())
                    .setCode(OFTableFeaturesFailedCode.EPERM)
                    .setData(OFErrorCauseData.of(AgentReplies.head(req), f.getVersion()))
                    .build());
        }
        return AgentReplies.split(
                tables.tableFeatures(),
                AgentReplies.TABLE_FEATURES_PER_PART,
                (part, flags) -> f.buildTableFeaturesStatsReply()
                        .setXid(req.getXid())
                        .setFlags(flags)
                        .setEntries(part)
                        .build());
    }

    private List<OFPortStatsEntry> portStats(OFFactory f, int portNo) {
        List<OFPortStatsEntry> out = new ArrayList<>();
        for (FramePort p : ports.all()) {
            if (portNo == 0xFFFFFFFF || p.number() == portNo) {
                out.add(AgentReplies.portStats(f, p));
            }
        }
        return out;
    }

    private void error(OfConnection c, OFErrorMsg e) {
        errorsSent++;
        log.debug("error to {}: {}", c.remoteAddress(), e);
        c.send(e);
    }
}
