package io.portmesh.openflow.session;

import io.portmesh.model.flow.Cookies;
import io.portmesh.openflow.OfConnection;
import io.portmesh.openflow.OfErrorException;
import io.portmesh.openflow.OpenFlowBytes;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.projectfloodlight.openflow.protocol.OFControllerRole;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFFlowStatsReply;
import org.projectfloodlight.openflow.protocol.OFGroupDescStatsReply;
import org.projectfloodlight.openflow.protocol.OFPortDescStatsReply;
import org.projectfloodlight.openflow.protocol.OFRoleReply;
import org.projectfloodlight.openflow.protocol.OFRoleRequestFailedCode;
import org.projectfloodlight.openflow.protocol.errormsg.OFRoleRequestFailedErrorMsg;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/**
 * What a controller's session asks an agent, on one connection: role requests, the reconciliation's reads and
 * barriers. Results are Portmesh values and OpenFlow bytes; a refusal fails the future with the connection's own
 * exception ({@link OfErrorException} and the others {@link OfConnection} names), unwrapped.
 */
public final class AgentRequests {
    /** What the agent has installed, as OpenFlow bytes the Host entity reads ({@link OpenFlowBytes#decode}). */
    public record Installed(byte[] flows, byte[] groups, byte[] ports) {}

    /** The flows one cookie names on the agent, and the packets they matched since they were installed. */
    public record PacketCount(int flows, long packets) {}

    private final OfConnection conn;
    private final OFFactory f;

    public AgentRequests(OfConnection conn) {
        this.conn = conn;
        this.f = conn.factory();
    }

    /** The name of a role request's role in logs ({@code ROLE_MASTER}, {@code ROLE_SLAVE}). */
    public static String roleName(boolean master) {
        return role(master).toString();
    }

    private static OFControllerRole role(boolean master) {
        return master ? OFControllerRole.ROLE_MASTER : OFControllerRole.ROLE_SLAVE;
    }

    /** A ROLE_REQUEST for MASTER or SLAVE with {@code generation}; completes when the agent granted it. */
    public CompletableFuture<Void> requestRole(boolean master, long generation) {
        return relay(
                conn.request(
                        f.buildRoleRequest()
                                .setXid(conn.nextXid())
                                .setRole(role(master))
                                .setGenerationId(U64.of(generation))
                                .build(),
                        OFRoleReply.class),
                r -> null);
    }

    /**
     * A ROLE_REQUEST of role NOCHANGE changes nothing and answers with the newest generation the agent has seen.
     */
    public CompletableFuture<Long> newestGeneration() {
        return relay(
                conn.request(
                        f.buildRoleRequest()
                                .setXid(conn.nextXid())
                                .setRole(OFControllerRole.ROLE_NOCHANGE)
                                .setGenerationId(U64.ZERO)
                                .build(),
                        OFRoleReply.class),
                r -> r.getGenerationId().getValue());
    }

    /** A role request refused because the agent already saw a newer generation (ROLE_REQUEST_FAILED/STALE). */
    public static boolean isStale(Throwable e) {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return t instanceof OfErrorException err
                && err.error() instanceof OFRoleRequestFailedErrorMsg failed
                && failed.getCode() == OFRoleRequestFailedCode.STALE;
    }

    /**
     * Reads Portmesh's flows (by cookie), every group and the ports: the trunk's admin state is part of what the
     * entity reconciles (active up, standby down). Fails (wrapped in a {@link CompletionException}) when any read
     * does.
     */
    public CompletableFuture<Installed> readInstalled() {
        CompletableFuture<List<OFFlowStatsReply>> flows = conn.multipart(f.buildFlowStatsRequest()
                .setXid(conn.nextXid())
                .setTableId(TableId.ALL)
                .setOutPort(OFPort.ANY)
                .setOutGroup(OFGroup.ANY)
                .setCookie(U64.of(Cookies.PORTMESH))
                .setCookieMask(U64.of(Cookies.OWNER_MASK))
                .setMatch(f.buildMatch().build())
                .build());
        CompletableFuture<List<OFGroupDescStatsReply>> groups = conn.multipart(
                f.buildGroupDescStatsRequest().setXid(conn.nextXid()).build());
        CompletableFuture<List<OFPortDescStatsReply>> ports = conn.multipart(
                f.buildPortDescStatsRequest().setXid(conn.nextXid()).build());
        return flows.thenCombine(groups, (fl, gr) -> List.of(OpenFlowBytes.encode(fl), OpenFlowBytes.encode(gr)))
                .thenCombine(ports, (fg, po) -> new Installed(fg.get(0), fg.get(1), OpenFlowBytes.encode(po)));
    }

    /**
     * A flow-stats request for the flows with exactly {@code cookie} (every table): how many there are and the
     * packets they matched. A live move's deadline reads its activation flows' count this way (docs/architecture.md
     * section 7.1): a VM whose RARP was counted runs on the destination even if its packet-in was lost.
     */
    public CompletableFuture<PacketCount> packetCount(long cookie) {
        CompletableFuture<List<OFFlowStatsReply>> flows = conn.multipart(f.buildFlowStatsRequest()
                .setXid(conn.nextXid())
                .setTableId(TableId.ALL)
                .setOutPort(OFPort.ANY)
                .setOutGroup(OFGroup.ANY)
                .setCookie(U64.of(cookie))
                .setCookieMask(U64.NO_MASK)
                .setMatch(f.buildMatch().build())
                .build());
        return relay(flows, replies -> {
            int n = 0;
            long packets = 0;
            for (OFFlowStatsReply r : replies) {
                for (OFFlowStatsEntry e : r.getEntries()) {
                    n++;
                    packets += e.getPacketCount().getValue();
                }
            }
            return new PacketCount(n, packets);
        });
    }

    /** A BARRIER_REQUEST; completes when every message sent before it was processed. */
    public CompletableFuture<Void> barrier() {
        return relay(conn.barrier(), r -> null);
    }

    /** {@code source}'s outcome mapped, its failure passed on as it is (not wrapped as {@code thenApply} would). */
    private static <T, R> CompletableFuture<R> relay(CompletableFuture<T> source, Function<T, R> map) {
        CompletableFuture<R> out = new CompletableFuture<>();
        source.whenComplete((r, e) -> {
            if (e != null) {
                out.completeExceptionally(e);
            } else {
                out.complete(map.apply(r));
            }
        });
        return out;
    }
}
