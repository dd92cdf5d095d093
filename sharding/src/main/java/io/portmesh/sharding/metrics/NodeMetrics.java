package io.portmesh.sharding.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * One controller node's metrics, in the Prometheus text format at {@code GET /metrics} of its REST port. One registry
 * per ActorSystem (not the process-wide default), so that three nodes in one JVM (tests, the bind benchmark) each
 * count their own. What every metric means, and what to watch, is in the README's operations section.
 */
public final class NodeMetrics implements Extension {
    /** Latency buckets from 1 ms to about 16 s, for northbound calls and for pushes waiting on a barrier. */
    private static final double[] SECONDS = {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 16};

    private static final List<MemberStatus> STATUSES = List.of(
            MemberStatus.joining(),
            MemberStatus.weaklyUp(),
            MemberStatus.up(),
            MemberStatus.leaving(),
            MemberStatus.exiting(),
            MemberStatus.down());

    private static final ExtensionId<NodeMetrics> ID = new ExtensionId<>() {
        @Override
        public NodeMetrics createExtension(ActorSystem<?> system) {
            return new NodeMetrics(system);
        }
    };

    /**
     * The JVM's own metrics, registered once per JVM: the client keeps every registry it registers them in (and a GC
     * listener for each) for the life of the JVM, which would keep every stopped ActorSystem (tests start dozens).
     */
    private static final PrometheusRegistry JVM = jvmRegistry();

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    /** Northbound operations by name and outcome (ok, realized, not_realized, invalid, not_found, conflict, ...). */
    public final Counter operations = Counter.builder()
            .name("portmesh_operations_total")
            .help("Northbound operations answered by this node, by operation and outcome")
            .labelNames("operation", "outcome")
            .register(registry);

    public final Histogram operationSeconds = seconds(
            "portmesh_operation_duration_seconds",
            "Time from a northbound call to its answer on this node (with ?wait=realized: until the agents "
                    + "acknowledged, or the realization timeout)",
            "operation");

    public final Gauge openflowSessions = Gauge.builder()
            .name("portmesh_openflow_sessions")
            .help("OpenFlow connections from agents that this node holds after their handshake")
            .register(registry);

    public final Counter agentDisconnects = counter(
            "portmesh_openflow_disconnects_total",
            "Agent connections this node lost (closed, reset, or echo replies missed)");

    /** Agent connections refused, by reason: TLS handshake failures and identities that do not hold. */
    public final Counter openflowRefusals = Counter.builder()
            .name("portmesh_openflow_refusals_total")
            .help("OpenFlow connections this node refused, by reason: no-certificate, unknown-ca, invalid-certificate,"
                    + " not-tls, tls-handshake-timeout, tls-handshake (the TLS handshake failed or stalled);"
                    + " no-identity, identity-mismatch (the certificate names no agent, or another than the datapath"
                    + " description); pinned-key-mismatch, dpid-mismatch (the host pins another key or datapath),"
                    + " slot-not-pinned (the host pins its agents, not this slot's);"
                    + " no-description (plain TCP, no host and slot in the description). Logged at warning with the"
                    + " peer's address, at most once a minute per address and reason")
            .labelNames("reason")
            .register(registry);

    public final Counter masterElections = counter(
            "portmesh_master_elections_total",
            "New master connections chosen by the Host entities running on this node (each persists a "
                    + "generation id)");

    public final Counter staleRoles = counter(
            "portmesh_stale_role_refusals_total",
            "Role requests an agent refused as stale (it had seen a newer generation id); the Host entity elects "
                    + "again past the agent's generation. More than a few means something else is taking the switch");

    public final Counter electionsFenced = counter(
            "portmesh_elections_fenced_total",
            "Master elections a Host entity on this node put off because the node did not see a majority of the "
                    + "cluster reachable (the minority side of a partition does not take switches)");

    public final Counter membersDownedAsGone = counter(
            "portmesh_members_downed_as_gone_total",
            "Cluster members this node downed because their cluster port refused connections (a crashed or killed"
                    + " process), without waiting for the failure detector and the split brain resolver");

    public final Counter membersDownedForOneWayFault = counter(
            "portmesh_members_downed_for_one_way_fault_total",
            "Cluster members this node downed because they heard nobody while every other member heard from them (a"
                    + " one-way fault on their side), before the split brain resolver could take the cycle for"
                    + " indirectly connected nodes (docs/architecture.md 7.3)");

    public final Counter asksResent = counter(
            "portmesh_asks_resent_total",
            "API asks to entities that this node sent again because a cluster member was removed while they waited"
                    + " (their first may have gone to the dead member's shard region and been lost); only commands"
                    + " safe to repeat are resent (docs/architecture.md 7.3)");

    public final Gauge planConflicts = Gauge.builder()
            .name("portmesh_plan_conflicts")
            .help(
                    "Inputs the Host entities on this node leave out of their plans because they contradict others (a MAC "
                            + "bound here and on another host, two members with one MAC): resolved by the plan code's rules, "
                            + "logged at warning with the ports. Should be 0")
            .register(registry);

    public final Counter reconciliations = counter(
            "portmesh_reconciliations_total",
            "Flow tables read back from a new master agent and diffed against the plan");

    public final Counter flowMods = counter(
            "portmesh_flow_mods_sent_total",
            "Flow-mods and group-mods sent to agents by the Host entities on this node");

    public final Counter flowModsAcknowledged = counter(
            "portmesh_flow_mods_acknowledged_total",
            "Flow-mods and group-mods whose push the agent's barrier acknowledged (a push refused, e.g. by an agent that"
                    + " no longer takes this incarnation for its master, is sent but never acknowledged)");

    public final Counter pushes =
            counter("portmesh_plan_pushes_total", "Plan changes pushed to master agents (each ends with a barrier)");

    public final Counter pushFailures = counter(
            "portmesh_plan_push_failures_total",
            "Pushes an agent refused or that failed on the connection; the agent's flows are read again");

    public final Histogram pushSeconds = seconds(
            "portmesh_plan_push_ack_seconds",
            "Time from a push to the agent's barrier reply, as seen by the Host entity");

    /** Live moves by how they ended: activated (by the VM's RARP), completed_by_api, rolled_back, cancelled. */
    public final Counter moves = Counter.builder()
            .name("portmesh_port_moves_total")
            .help(
                    "Live port moves ended by the port entities on this node, by outcome (activated: by the VM's own RARP or"
                            + " ARP; completed_by_api; rolled_back: not activated in time; cancelled)")
            .labelNames("outcome")
            .register(registry);

    /** Move deadline checks whose destination did not answer: the move stays MIGRATING past its deadline. */
    public final Counter moveChecksUnanswered = Counter.builder()
            .name("portmesh_port_move_deadline_checks_unanswered_total")
            .help(
                    "Checks of a live move past its deadline that the destination host could not answer (no master"
                            + " connection, no answer in time, its agent without the activation flows): the move stays"
                            + " MIGRATING and is asked again; a rate above 0 for minutes is a move stuck on an unreachable host")
            .register(registry);

    public final Histogram moveSeconds = seconds(
            "portmesh_port_move_phase_seconds",
            "Phases of live port moves: prepare (start -> destination ready, as persisted), activation (activated ->"
                    + " every peer re-pointed and the source released), total (start -> end)",
            "phase");

    /** Switch-VM failovers: unplanned (the active agent lost by every node), planned (through the API). */
    public final Counter failovers = Counter.builder()
            .name("portmesh_switch_failovers_total")
            .help("Switch-VM failovers decided by the Host entities on this node, by kind (unplanned, planned)")
            .labelNames("kind")
            .register(registry);

    public final Histogram failoverSeconds = seconds(
            "portmesh_switch_failover_phase_seconds",
            "Phases of switch-VM failovers: decided (active agent lost -> failover persisted), trunk (persisted ->"
                    + " the new active's trunk up, acknowledged), repointed (persisted -> every peer host's flows"
                    + " point at the new tunnel endpoint, acknowledged)",
            "phase");

    /** A trunk the controllers want forwarding that its agent took down (its pair fence), brought up again. */
    public final Counter trunkReasserts = Counter.builder()
            .name("portmesh_trunk_reasserts_total")
            .help("Trunks the controllers want forwarding that their agent reported down (its pair fence), by result:"
                    + " reasserted (brought up again with the host's epoch), deferred (again within the spacing of the"
                    + " last re-assertion of the host: brought up when it ends)")
            .labelNames("result")
            .register(registry);

    /** Hosts whose active agent is gone with no standby ready to take over: the host is down, not flapped. */
    public final Counter hostsDown = counter(
            "portmesh_host_down_total",
            "Times a host lost its active agent on every controller node while no standby was ready to take over");

    /** 1 while the latest probe of the journal's Cassandra session answered, 0 otherwise (and before the first). */
    public final Gauge journalUp = Gauge.builder()
            .name("portmesh_journal_up")
            .help("Whether the latest probe of Cassandra through the journal's session answered in time with the"
                    + " journal's tables there (1) or not (0: no answer, or the schema not installed yet; the node's log"
                    + " and /ready say which); the probe runs every second")
            .register(registry);

    private NodeMetrics(ActorSystem<?> system) {
        String provider = system.settings().config().getString("pekko.actor.provider");
        if (provider.equals("cluster") || provider.endsWith(".ClusterActorRefProvider")) { // not in REST-only tests
            clusterMembers(Cluster.get(system));
        }
    }

    private static PrometheusRegistry jvmRegistry() {
        PrometheusRegistry jvm = new PrometheusRegistry();
        JvmMetrics.builder().register(jvm);
        return jvm;
    }

    private void clusterMembers(Cluster cluster) {
        GaugeWithCallback.builder()
                .name("portmesh_cluster_members")
                .help("Cluster members as this node sees them, by status (up, joining, leaving, ...) and reachability")
                .labelNames("status", "reachable")
                .callback(cb -> {
                    var state = cluster.state();
                    var unreachable = state.getUnreachable();
                    for (MemberStatus status : STATUSES) {
                        String name = status.toString().toLowerCase(java.util.Locale.ROOT);
                        long up = 0;
                        long down = 0;
                        for (var m : state.getMembers()) {
                            if (m.status().equals(status)) {
                                if (unreachable.contains(m)) {
                                    down++;
                                } else {
                                    up++;
                                }
                            }
                        }
                        cb.call(up, name, "true");
                        cb.call(down, name, "false");
                    }
                })
                .register(registry);
    }

    private Counter counter(String name, String help) {
        return Counter.builder().name(name).help(help).register(registry);
    }

    private Histogram seconds(String name, String help, String... labels) {
        return Histogram.builder()
                .name(name)
                .help(help)
                .unit(Unit.SECONDS)
                .labelNames(labels)
                .classicOnly()
                .classicUpperBounds(SECONDS)
                .register(registry);
    }

    public static NodeMetrics get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    /** Counters kept elsewhere (atomics of a component), exported as one metric with one label. */
    public void countedElsewhere(String name, String help, String label, Map<String, LongSupplier> byValue) {
        CounterWithCallback.builder()
                .name(name)
                .help(help)
                .labelNames(label)
                .callback(cb -> byValue.forEach((value, count) -> cb.call(count.getAsLong(), value)))
                .register(registry);
    }

    public String contentType() {
        return writer.getContentType();
    }

    /**
     * The sum of the samples of {@code metric} in a scrape of this format whose labels contain {@code labels} (""
     * for all): how the demo and the tests read a node's metrics back, as a Prometheus query would sum them.
     */
    public static double sum(String scrape, String metric, String labels) {
        double total = 0;
        for (String line : scrape.split("\n")) {
            if (line.startsWith(metric + " ") || (line.startsWith(metric + "{") && line.contains(labels))) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    /** Every metric of this node, in the Prometheus text format. */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, registry.scrape());
            writer.write(out, JVM.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
