package io.portmesh.cluster.rest;

import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.sharding.service.BindingResult;
import io.portmesh.sharding.service.ClusterInfo;
import io.portmesh.sharding.service.ConflictException;
import io.portmesh.sharding.service.HostInfo;
import io.portmesh.sharding.service.NetworkService;
import io.portmesh.sharding.service.NotFoundException;
import io.portmesh.sharding.service.PortInfo;
import io.portmesh.sharding.service.Realization;
import io.portmesh.sharding.service.SwitchInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * An in-memory {@link NetworkService} for API tests: it keeps just enough state to answer like the real one and
 * records every call, so a test can assert that bad input never reached the service.
 */
public final class FakeNetworkService implements NetworkService {
    public static final ClusterInfo CLUSTER = new ClusterInfo(
            "pekko://portmesh@127.0.0.1:25520",
            "pekko://portmesh@127.0.0.1:25520",
            List.of(new ClusterInfo.Member(
                    "pekko://portmesh@127.0.0.1:25520",
                    "Up",
                    List.of("dc-default"),
                    Map.of("LogicalPort", new ClusterInfo.ShardCount(3, 7)))));

    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final Map<String, SwitchInfo> switches = new TreeMap<>();
    private final Map<String, HostInfo> hosts = new TreeMap<>();
    private final Map<String, PortInfo> ports = new TreeMap<>();
    private int nextVni = 1000;
    private int nextPort = 1;
    private int nextVlan = 100;
    private volatile List<String> pendingHosts = List.of();
    private volatile Throwable failNext;
    private volatile boolean hangNext;

    /** Every call as {@code name(arg, ...)}, in order. */
    public List<String> calls() {
        return List.copyOf(calls);
    }

    public void clearCalls() {
        calls.clear();
    }

    public synchronized void reset() {
        calls.clear();
        switches.clear();
        hosts.clear();
        ports.clear();
        pendingHosts = List.of();
        failNext = null;
        hangNext = false;
        nextVni = 1000;
        nextPort = 1;
        nextVlan = 100;
    }

    /** Waited changes report these hosts as not yet realized (empty: realized). */
    public void pendingHosts(List<String> hosts) {
        pendingHosts = List.copyOf(hosts);
    }

    /** The next call's stage fails with {@code t}, as a real entity ask would. */
    public void failNext(Throwable t) {
        failNext = t;
    }

    /** The next call's stage never completes, like an ask to an entity whose node vanished mid-request. */
    public void hangNext() {
        hangNext = true;
    }

    @Override
    public CompletionStage<SwitchInfo> createSwitch(SwitchId id, Optional<Integer> vni) {
        return call("createSwitch(" + id + ", " + vni + ")", () -> {
            if (switches.containsKey(id.value())) {
                throw new ConflictException("switch " + id + " already exists");
            }
            SwitchInfo s = new SwitchInfo(id.value(), vni.orElseGet(() -> nextVni++), List.of());
            switches.put(id.value(), s);
            return s;
        });
    }

    @Override
    public CompletionStage<List<SwitchInfo>> listSwitches() {
        return call("listSwitches()", () -> List.copyOf(switches.values()));
    }

    @Override
    public CompletionStage<SwitchInfo> getSwitch(SwitchId id) {
        return call("getSwitch(" + id + ")", () -> sw(id.value()));
    }

    @Override
    public CompletionStage<Void> deleteSwitch(SwitchId id) {
        return call("deleteSwitch(" + id + ")", () -> {
            if (!sw(id.value()).ports().isEmpty()) {
                throw new ConflictException("switch " + id + " still has ports");
            }
            switches.remove(id.value());
            return null;
        });
    }

    @Override
    public CompletionStage<HostInfo> createHost(HostId id, Ipv4 tunnelIp) {
        return call("createHost(" + id + ", " + tunnelIp + ")", () -> {
            if (hosts.containsKey(id.value())) {
                throw new ConflictException("host " + id + " already exists");
            }
            hosts.values().stream()
                    .filter(h -> h.tunnelIp().equals(tunnelIp.toString()))
                    .findFirst()
                    .ifPresent(h -> {
                        throw new ConflictException(
                                "tunnelIp: tunnel IP " + tunnelIp + " is already used by host " + h.id());
                    });
            HostInfo h = new HostInfo(id.value(), tunnelIp.toString(), List.of(), 0, 0, 0, 0, true, 0);
            hosts.put(id.value(), h);
            return h;
        });
    }

    @Override
    public CompletionStage<List<HostInfo>> listHosts() {
        return call("listHosts()", () -> List.copyOf(hosts.values()));
    }

    @Override
    public CompletionStage<HostInfo> getHost(HostId id) {
        return call("getHost(" + id + ")", () -> host(id.value()));
    }

    @Override
    public CompletionStage<PortInfo> createPort(SwitchId switchId, Mac mac, List<Ipv4> ips, Optional<String> name) {
        return call("createPort(" + switchId + ", " + mac + ", " + ips + ", " + name + ")", () -> {
            SwitchInfo s = sw(switchId.value());
            String id = "port-" + nextPort++;
            List<String> ipText = ips.stream().map(Ipv4::toString).toList();
            PortInfo p = new PortInfo(id, s.id(), name.orElse(null), mac.toString(), ipText, null, null, "UNBOUND");
            ports.put(id, p);
            List<String> members = new ArrayList<>(s.ports());
            members.add(id);
            switches.put(s.id(), new SwitchInfo(s.id(), s.vni(), List.copyOf(members)));
            return p;
        });
    }

    @Override
    public CompletionStage<PortInfo> getPort(PortId id) {
        return call("getPort(" + id + ")", () -> port(id.value()));
    }

    @Override
    public CompletionStage<List<PortInfo>> listPorts(SwitchId switchId) {
        return call("listPorts(" + switchId + ")", () -> {
            sw(switchId.value());
            return ports.values().stream()
                    .filter(p -> p.switchId().equals(switchId.value()))
                    .toList();
        });
    }

    @Override
    public CompletionStage<Realization> deletePort(PortId id, boolean waitRealized) {
        return call("deletePort(" + id + ", " + waitRealized + ")", () -> {
            PortInfo p = port(id.value());
            ports.remove(p.id());
            SwitchInfo s = switches.get(p.switchId());
            List<String> members = new ArrayList<>(s.ports());
            members.remove(p.id());
            switches.put(s.id(), new SwitchInfo(s.id(), s.vni(), List.copyOf(members)));
            return realization(waitRealized);
        });
    }

    @Override
    public CompletionStage<BindingResult> bindPort(PortId id, HostId host, boolean waitRealized) {
        return call("bindPort(" + id + ", " + host + ", " + waitRealized + ")", () -> {
            PortInfo p = port(id.value());
            host(host.value());
            int vlan = nextVlan++;
            ports.put(
                    p.id(),
                    new PortInfo(p.id(), p.switchId(), p.name(), p.mac(), p.ips(), host.value(), vlan, "BOUND"));
            return new BindingResult(p.id(), host.value(), vlan, realization(waitRealized));
        });
    }

    @Override
    public CompletionStage<Realization> unbindPort(PortId id, boolean waitRealized) {
        return call("unbindPort(" + id + ", " + waitRealized + ")", () -> {
            PortInfo p = port(id.value());
            ports.put(p.id(), new PortInfo(p.id(), p.switchId(), p.name(), p.mac(), p.ips(), null, null, "UNBOUND"));
            return realization(waitRealized);
        });
    }

    @Override
    public CompletionStage<ClusterInfo> clusterInfo() {
        return call("clusterInfo()", () -> CLUSTER);
    }

    private Realization realization(boolean waited) {
        if (!waited) {
            return Realization.NOT_WAITED;
        }
        List<String> pending = pendingHosts;
        return pending.isEmpty() ? Realization.done() : new Realization(true, false, pending);
    }

    private SwitchInfo sw(String id) {
        SwitchInfo s = switches.get(id);
        if (s == null) {
            throw new NotFoundException("switch " + id + " does not exist");
        }
        return s;
    }

    private HostInfo host(String id) {
        HostInfo h = hosts.get(id);
        if (h == null) {
            throw new NotFoundException("host " + id + " does not exist");
        }
        return h;
    }

    private PortInfo port(String id) {
        PortInfo p = ports.get(id);
        if (p == null) {
            throw new NotFoundException("port " + id + " does not exist");
        }
        return p;
    }

    /** Runs asynchronously like an ask would, so the REST layer is exercised with real futures. */
    private synchronized <T> CompletionStage<T> call(String description, Supplier<T> body) {
        calls.add(description);
        if (hangNext) {
            hangNext = false;
            return new CompletableFuture<>();
        }
        Throwable failure = failNext;
        if (failure != null) {
            failNext = null;
            return CompletableFuture.supplyAsync(() -> {
                throw failure instanceof RuntimeException re
                        ? re
                        : new java.util.concurrent.CompletionException(failure);
            });
        }
        try {
            T value = body.get();
            return CompletableFuture.supplyAsync(() -> value);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    // Live moves: not faked yet (issue 16 in progress).
    @Override
    public CompletionStage<io.portmesh.sharding.service.MigrationInfo> startMigration(
            PortId id, HostId to, boolean waitRealized) {
        return java.util.concurrent.CompletableFuture.failedFuture(new UnsupportedOperationException("not faked"));
    }

    @Override
    public CompletionStage<io.portmesh.sharding.service.MigrationInfo> getMigration(PortId id) {
        return java.util.concurrent.CompletableFuture.failedFuture(new UnsupportedOperationException("not faked"));
    }

    @Override
    public CompletionStage<io.portmesh.sharding.service.MigrationInfo> cancelMigration(
            PortId id, boolean waitRealized) {
        return java.util.concurrent.CompletableFuture.failedFuture(new UnsupportedOperationException("not faked"));
    }

    @Override
    public CompletionStage<io.portmesh.sharding.service.MigrationInfo> completeMigration(
            PortId id, boolean waitRealized) {
        return java.util.concurrent.CompletableFuture.failedFuture(new UnsupportedOperationException("not faked"));
    }

    @Override
    public CompletionStage<List<io.portmesh.sharding.service.PortHistoryEntry>> portHistory(PortId id) {
        return java.util.concurrent.CompletableFuture.failedFuture(new UnsupportedOperationException("not faked"));
    }
}
