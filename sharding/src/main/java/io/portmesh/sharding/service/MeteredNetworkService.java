package io.portmesh.sharding.service;

import io.portmesh.model.AgentPin;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.model.ValidationException;
import io.portmesh.sharding.metrics.NodeMetrics;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Counts and times every northbound operation of a node ({@code portmesh_operations_total},
 * {@code portmesh_operation_duration_seconds}) in front of the real service: the REST API and anything else that
 * calls the node's service are measured the same way.
 */
public final class MeteredNetworkService implements NetworkService {
    private final NetworkService inner;
    private final NodeMetrics metrics;

    public MeteredNetworkService(NetworkService inner, NodeMetrics metrics) {
        this.inner = inner;
        this.metrics = metrics;
    }

    @Override
    public CompletionStage<SwitchInfo> createSwitch(SwitchId id, Optional<Integer> vni) {
        return ok("create_switch", () -> inner.createSwitch(id, vni));
    }

    @Override
    public CompletionStage<List<SwitchInfo>> listSwitches() {
        return ok("list_switches", inner::listSwitches);
    }

    @Override
    public CompletionStage<SwitchInfo> getSwitch(SwitchId id) {
        return ok("get_switch", () -> inner.getSwitch(id));
    }

    @Override
    public CompletionStage<Void> deleteSwitch(SwitchId id) {
        return ok("delete_switch", () -> inner.deleteSwitch(id));
    }

    @Override
    public CompletionStage<HostInfo> createHost(HostId id, Ipv4 tunnelIp, Map<String, AgentPin> pins) {
        return ok("create_host", () -> inner.createHost(id, tunnelIp, pins));
    }

    @Override
    public CompletionStage<HostInfo> pinAgents(HostId id, Map<String, AgentPin> pins) {
        return ok("pin_agents", () -> inner.pinAgents(id, pins));
    }

    @Override
    public CompletionStage<List<HostInfo>> listHosts() {
        return ok("list_hosts", inner::listHosts);
    }

    @Override
    public CompletionStage<HostInfo> getHost(HostId id) {
        return ok("get_host", () -> inner.getHost(id));
    }

    @Override
    public CompletionStage<HostInfo> failover(HostId id) {
        return ok("failover_host", () -> inner.failover(id));
    }

    @Override
    public CompletionStage<PortInfo> createPort(SwitchId switchId, Mac mac, List<Ipv4> ips, Optional<String> name) {
        return ok("create_port", () -> inner.createPort(switchId, mac, ips, name));
    }

    @Override
    public CompletionStage<PortInfo> getPort(PortId id) {
        return ok("get_port", () -> inner.getPort(id));
    }

    @Override
    public CompletionStage<List<PortInfo>> listPorts(SwitchId switchId) {
        return ok("list_ports", () -> inner.listPorts(switchId));
    }

    @Override
    public CompletionStage<Realization> deletePort(PortId id, boolean waitRealized) {
        return timed("delete_port", () -> inner.deletePort(id, waitRealized), MeteredNetworkService::outcome);
    }

    @Override
    public CompletionStage<BindingResult> bindPort(PortId id, HostId host, boolean waitRealized) {
        return timed("bind_port", () -> inner.bindPort(id, host, waitRealized), b -> outcome(b.realization()));
    }

    @Override
    public CompletionStage<Realization> unbindPort(PortId id, boolean waitRealized) {
        return timed("unbind_port", () -> inner.unbindPort(id, waitRealized), MeteredNetworkService::outcome);
    }

    @Override
    public CompletionStage<MigrationInfo> startMigration(PortId id, HostId to, boolean waitRealized) {
        return timed(
                "start_migration", () -> inner.startMigration(id, to, waitRealized), m -> outcome(m.realization()));
    }

    @Override
    public CompletionStage<MigrationInfo> getMigration(PortId id) {
        return ok("get_migration", () -> inner.getMigration(id));
    }

    @Override
    public CompletionStage<MigrationInfo> cancelMigration(PortId id, boolean waitRealized) {
        return timed("cancel_migration", () -> inner.cancelMigration(id, waitRealized), m -> outcome(m.realization()));
    }

    @Override
    public CompletionStage<MigrationInfo> completeMigration(PortId id, boolean waitRealized) {
        return timed(
                "complete_migration", () -> inner.completeMigration(id, waitRealized), m -> outcome(m.realization()));
    }

    @Override
    public CompletionStage<List<PortHistoryEntry>> portHistory(PortId id) {
        return ok("port_history", () -> inner.portHistory(id));
    }

    @Override
    public CompletionStage<ClusterInfo> clusterInfo() {
        return ok("cluster_info", inner::clusterInfo);
    }

    /** A change that waited for the agents was realized or not; one that did not wait is just ok. */
    private static String outcome(Realization r) {
        if (!r.waited()) {
            return "ok";
        }
        return r.realized() ? "realized" : "not_realized";
    }

    /** The outcome of a failed operation, by the exceptions {@link NetworkService} documents. */
    static String failure(Throwable e) {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (t instanceof ValidationException) {
            return "invalid";
        }
        if (t instanceof NotFoundException) {
            return "not_found";
        }
        if (t instanceof ConflictException) {
            return "conflict";
        }
        if (t instanceof UnavailableException) {
            return "unavailable";
        }
        return "error";
    }

    /** An operation whose every answer is just "ok" (reads, creations). */
    private <R> CompletionStage<R> ok(String operation, Supplier<CompletionStage<R>> call) {
        return timed(operation, call, r -> "ok");
    }

    private <R> CompletionStage<R> timed(
            String operation, Supplier<CompletionStage<R>> call, Function<R, String> outcome) {
        long start = System.nanoTime();
        CompletionStage<R> stage;
        try {
            stage = call.get();
        } catch (RuntimeException e) { // validation before any stage exists
            record(operation, failure(e), start);
            throw e;
        }
        return stage.whenComplete((r, e) -> record(operation, e != null ? failure(e) : outcome.apply(r), start));
    }

    private void record(String operation, String outcome, long start) {
        metrics.operations.labelValues(operation, outcome).inc();
        metrics.operationSeconds.labelValues(operation).observe((System.nanoTime() - start) / 1e9);
    }
}
