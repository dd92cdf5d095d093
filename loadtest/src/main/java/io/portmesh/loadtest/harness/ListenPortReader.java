package io.portmesh.loadtest.harness;

import io.portmesh.loadtest.FirstConnection;
import io.portmesh.model.flow.FlowPlan;
import io.portmesh.openflow.OfClient;
import io.portmesh.openflow.OfConnection;
import io.portmesh.openflow.OfRole;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFFlowStatsReply;
import org.projectfloodlight.openflow.protocol.OFGroupDescStatsEntry;
import org.projectfloodlight.openflow.protocol.OFGroupDescStatsReply;

/**
 * An agent's flows and groups read over OpenFlow from another process: the runner dials the agent's listen port
 * ({@code --listen}, read-only by default: such a connection never takes part in mastership and may change nothing,
 * docs/architecture.md sections 6 and 13), sends a flow-stats request for every table and a group-desc request, as a
 * controller's reconciliation reads them, and hangs up. How {@code flows-converge} reads the agents that run in JVMs of
 * their own.
 */
final class ListenPortReader {
    private ListenPortReader() {}

    /** The agent's tables at {@code listen}, as {@link LiveState#installed} reads an agent of this JVM; bounded by {@code wait}. */
    static FlowPlan installed(InetSocketAddress listen, Duration wait) throws Exception {
        FirstConnection first = new FirstConnection();
        OfClient client = OfClient.builder(OfRole.CONTROLLER, first).connect(listen);
        try {
            long deadline = System.nanoTime() + wait.toNanos();
            OfConnection c = first.connection().get(left(deadline), TimeUnit.NANOSECONDS);
            CompletableFuture<List<OFFlowStatsReply>> flows = c.multipart(LiveState.ALL_FLOWS
                    .createBuilder()
                    .setXid(c.nextXid())
                    .setMatch(c.factory().matchWildcardAll())
                    .build());
            CompletableFuture<List<OFGroupDescStatsReply>> groups = c.multipart(
                    c.factory().buildGroupDescStatsRequest().setXid(c.nextXid()).build());
            List<OFFlowStatsEntry> f = flows.get(left(deadline), TimeUnit.NANOSECONDS).stream()
                    .flatMap(r -> r.getEntries().stream())
                    .toList();
            List<OFGroupDescStatsEntry> g = groups.get(left(deadline), TimeUnit.NANOSECONDS).stream()
                    .flatMap(r -> r.getEntries().stream())
                    .toList();
            return LiveState.installed(f, g);
        } finally {
            client.close();
        }
    }

    private static long left(long deadline) {
        return Math.max(1, deadline - System.nanoTime());
    }
}
