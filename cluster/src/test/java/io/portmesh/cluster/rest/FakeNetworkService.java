package io.portmesh.cluster.rest;

import io.portmesh.model.AgentPin;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.model.ValidationException;
import io.portmesh.sharding.service.BindingResult;
import io.portmesh.sharding.service.ClusterInfo;
import io.portmesh.sharding.service.ConflictException;
import io.portmesh.sharding.service.HostInfo;
import io.portmesh.sharding.service.MigrationInfo;
import io.portmesh.sharding.service.NetworkService;
import io.portmesh.sharding.service.NotFoundException;
import io.portmesh.sharding.service.PortHistoryEntry;
import io.portmesh.sharding.service.PortInfo;
import io.portmesh.sharding.service.Realization;
import io.portmesh.sharding.service.SwitchInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
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
 *
 * <p>Live moves are kept as the interface describes them, without agents: a move starts MIGRATING at once (its
 * {@code toVlan} allocated), cancel ends it CANCELLED, complete ends it COMPLETED with the port bound to the
 * destination; nothing rolls back by itself. Times come from a clock that ticks one second per reading, from
 * {@link #EPOCH}, so that answers are the same on every run.
 */
public final class FakeNetworkService implements NetworkService {
    public static final ClusterInfo CLUSTER = new ClusterInfo(
            "pekko://portmesh@127.0.0.1:25520",
            "pekko://portmesh@127.0.0.1:25520",
            List.of(new ClusterInfo.Member(
                    "pekko://portmesh@127.0.0.1:25520",
                    "Up",
                    true,
                    List.of("dc-default"),
                    Map.of("LogicalPort", new ClusterInfo.ShardCount(3, 7)))),
            List.of(),
            ClusterInfo.COMPLETE);

    /** The fake clock's start: the first time it reads is one second later. */
    public static final Instant EPOCH = Instant.parse("2026-12-06T12:00:00Z");
    /** How long after its start an unactivated move would roll back (the fake never rolls back by itself). */
    public static final Duration MOVE_TIMEOUT = Duration.ofMinutes(10);

    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final Map<String, SwitchInfo> switches = new TreeMap<>();
    private final Map<String, HostInfo> hosts = new TreeMap<>();
    private final Map<String, PortInfo> ports = new TreeMap<>();
    /** Each port's move under way, or its last one. */
    private final Map<String, MigrationInfo> moves = new TreeMap<>();
    /** Each port's journal, oldest first. */
    private final Map<String, List<PortHistoryEntry>> journals = new TreeMap<>();

    private long ticks;
    private int nextVni = 1000;
    private int nextPort = 1;
    private int nextVlan = 100;
    private volatile List<String> pendingHosts = List.of();
    private volatile Throwable failNext;
    private volatile boolean hangNext;
    private volatile boolean failoverUnfinished;

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
        moves.clear();
        journals.clear();
        ticks = 0;
        pendingHosts = List.of();
        failNext = null;
        hangNext = false;
        failoverUnfinished = false;
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

    /**
     * The next failover answers as a Host entity does when its realization timeout passed first: the standby is the
     * active slot, but the trunks are as they were (the old active's still up, the new one's still down).
     */
    public void failoverUnfinished() {
        failoverUnfinished = true;
    }

    /** The next call's stage never completes, like an ask to an entity whose node vanished mid-request. */
    public void hangNext() {
        hangNext = true;
    }

    @Override
    public CompletionStage<SwitchInfo> createSwitch(SwitchId id, Optional<Integer> vni) {
        return call("createSwitch(" + id + ", " + vni + ")", () -> {
            SwitchInfo existing = switches.get(id.value());
            if (existing != null && (vni.isEmpty() || vni.get() == existing.vni())) {
                return existing; // the same switch again, as the real one answers it
            }
            if (existing != null) {
                throw new ConflictException("switch " + id + " already exists (vni " + existing.vni() + ")");
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
    public CompletionStage<HostInfo> createHost(HostId id, Ipv4 tunnelIp, Map<String, AgentPin> pins) {
        return call("createHost(" + id + ", " + tunnelIp + (pins.isEmpty() ? "" : ", " + pins) + ")", () -> {
            if (hosts.containsKey(id.value())) {
                throw new ConflictException("host " + id + " already exists");
            }
            hosts.values().stream()
                    .filter(h -> registeredTunnelIp(h).equals(tunnelIp.toString()))
                    .findFirst()
                    .ifPresent(h -> {
                        throw new ConflictException(
                                "tunnelIp: tunnel IP " + tunnelIp + " is already used by host " + h.id());
                    });
            String ip = tunnelIp.toString();
            // as a Host entity answers it before any agent connected: slot a active, its trunk not read yet
            HostInfo h = pinned(
                    host(id.value(), ip, "a", List.of(new HostInfo.SlotInfo("a", ip, true, "unknown", 0, false))),
                    pins);
            hosts.put(id.value(), h);
            return h;
        });
    }

    @Override
    public CompletionStage<HostInfo> pinAgents(HostId id, Map<String, AgentPin> pins) {
        return call("pinAgents(" + id + ", " + pins + ")", () -> {
            HostInfo h = pinned(host(id.value()), pins);
            hosts.put(id.value(), h);
            return h;
        });
    }

    private static HostInfo pinned(HostInfo h, Map<String, AgentPin> pins) {
        return new HostInfo(
                h.id(),
                h.tunnelIp(),
                h.agents(),
                h.vlansUsed(),
                h.flowsDesired(),
                h.flowsInstalled(),
                h.masterGeneration(),
                h.realized(),
                h.flowModsSent(),
                h.activeSlot(),
                h.slots(),
                pins);
    }

    @Override
    public CompletionStage<List<HostInfo>> listHosts() {
        return call("listHosts()", () -> List.copyOf(hosts.values()));
    }

    @Override
    public CompletionStage<HostInfo> getHost(HostId id) {
        return call("getHost(" + id + ")", () -> host(id.value()));
    }

    /**
     * Both switch VMs of a host connected and holding the plan, as a Host entity shows them: slot a active with its
     * trunk up, slot b the standby at {@code standbyTunnelIp} with its trunk down.
     */
    public synchronized void standbyReady(String hostId, String standbyTunnelIp) {
        String tepA = registeredTunnelIp(host(hostId));
        hosts.put(
                hostId,
                host(
                        hostId,
                        tepA,
                        "a",
                        List.of(
                                new HostInfo.SlotInfo("a", tepA, true, "up", 1, true),
                                new HostInfo.SlotInfo("b", standbyTunnelIp, false, "down", 1, true))));
    }

    /**
     * Switches the host to its other slot as a planned failover that completed does (the new active's trunk up, the
     * old one's down); refused as the Host entity refuses it when the other slot is not connected or does not hold
     * the plan.
     */
    @Override
    public CompletionStage<HostInfo> failover(HostId id) {
        return call("failover(" + id + ")", () -> {
            HostInfo h = host(id.value());
            String to = h.activeSlot().equals("a") ? "b" : "a";
            HostInfo.SlotInfo standby = h.slots().stream()
                    .filter(s -> s.slot().equals(to))
                    .findFirst()
                    .orElse(null);
            if (standby == null || standby.connections() == 0) {
                throw new ConflictException(
                        "host: cannot fail over: host " + id + " has no standby agent (slot " + to + ") connected");
            }
            if (!standby.holdsPlan()) {
                throw new ConflictException("host: cannot fail over: the standby agent (slot " + to + ") of host " + id
                        + " does not hold the current plan yet");
            }
            boolean done = !failoverUnfinished;
            failoverUnfinished = false;
            List<HostInfo.SlotInfo> slots = h.slots().stream()
                    .map(s -> new HostInfo.SlotInfo(
                            s.slot(),
                            s.tunnelIp(),
                            s.slot().equals(to),
                            done ? (s.slot().equals(to) ? "up" : "down") : s.trunk(),
                            s.connections(),
                            s.holdsPlan()))
                    .toList();
            HostInfo failedOver = host(h.id(), standby.tunnelIp(), to, slots);
            hosts.put(h.id(), failedOver);
            return failedOver;
        });
    }

    /** The tunnel IP the host was registered with: slot a's, whichever slot is active. */
    private static String registeredTunnelIp(HostInfo h) {
        return h.slots().stream()
                .filter(s -> s.slot().equals("a"))
                .map(HostInfo.SlotInfo::tunnelIp)
                .findFirst()
                .orElse(h.tunnelIp());
    }

    /** A host with no ports and these slots, reached at {@code tunnelIp} (the active slot's). */
    private static HostInfo host(String id, String tunnelIp, String activeSlot, List<HostInfo.SlotInfo> slots) {
        return new HostInfo(id, tunnelIp, List.of(), 0, 0, 0, 0, true, 0, activeSlot, slots, Map.of());
    }

    @Override
    public CompletionStage<PortInfo> createPort(SwitchId switchId, Mac mac, List<Ipv4> ips, Optional<String> name) {
        return call("createPort(" + switchId + ", " + mac + ", " + ips + ", " + name + ")", () -> {
            SwitchInfo s = sw(switchId.value());
            String id = "port-" + nextPort++;
            List<String> ipText = ips.stream().map(Ipv4::toString).toList();
            PortInfo p = new PortInfo(id, s.id(), name.orElse(null), mac.toString(), ipText, null, null, "UNBOUND");
            ports.put(id, p);
            journal(id, "Created", "switch", s.id(), "mac", p.mac());
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
            moves.remove(p.id());
            journals.remove(p.id());
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
            if (p.host() != null && !p.host().equals(host.value())) {
                // bound elsewhere: a live move, answered with the VLAN on the new host
                MigrationInfo m = move(p, host.value(), waitRealized);
                return new BindingResult(p.id(), m.to(), m.toVlan(), m.realization());
            }
            int vlan = nextVlan++;
            ports.put(
                    p.id(),
                    new PortInfo(p.id(), p.switchId(), p.name(), p.mac(), p.ips(), host.value(), vlan, "BOUND"));
            journal(p.id(), "Bound", "host", host.value(), "vlan", vlan);
            return new BindingResult(p.id(), host.value(), vlan, realization(waitRealized));
        });
    }

    @Override
    public CompletionStage<Realization> unbindPort(PortId id, boolean waitRealized) {
        return call("unbindPort(" + id + ", " + waitRealized + ")", () -> {
            PortInfo p = port(id.value());
            MigrationInfo m = underWay(p.id());
            if (m != null) {
                end(m, MigrationInfo.CANCELLED, null, null);
            }
            if (p.host() != null) {
                journal(p.id(), "Unbound", "host", p.host());
            }
            ports.put(p.id(), new PortInfo(p.id(), p.switchId(), p.name(), p.mac(), p.ips(), null, null, "UNBOUND"));
            return realization(waitRealized);
        });
    }

    @Override
    public CompletionStage<MigrationInfo> startMigration(PortId id, HostId to, boolean waitRealized) {
        return call("startMigration(" + id + ", " + to + ", " + waitRealized + ")", () -> {
            PortInfo p = port(id.value());
            host(to.value());
            if (p.host() == null) {
                throw new ValidationException("port", "port " + p.id() + " is not bound; bind it instead of moving it");
            }
            return move(p, to.value(), waitRealized);
        });
    }

    @Override
    public CompletionStage<MigrationInfo> getMigration(PortId id) {
        return call("getMigration(" + id + ")", () -> {
            PortInfo p = port(id.value());
            MigrationInfo m = moves.get(p.id());
            if (m == null) {
                throw new NotFoundException("port " + p.id() + " has never moved");
            }
            return m;
        });
    }

    @Override
    public CompletionStage<MigrationInfo> cancelMigration(PortId id, boolean waitRealized) {
        return call("cancelMigration(" + id + ", " + waitRealized + ")", () -> {
            PortInfo p = port(id.value());
            MigrationInfo m = underWay(p.id());
            if (m == null) {
                throw new ConflictException("port " + p.id() + " has no move under way to cancel");
            }
            return end(m, MigrationInfo.CANCELLED, null, null).withRealization(realization(waitRealized));
        });
    }

    @Override
    public CompletionStage<MigrationInfo> completeMigration(PortId id, boolean waitRealized) {
        return call("completeMigration(" + id + ", " + waitRealized + ")", () -> {
            PortInfo p = port(id.value());
            MigrationInfo m = underWay(p.id());
            if (m == null) {
                throw new ConflictException("port " + p.id() + " has no move under way to complete");
            }
            ports.put(
                    p.id(),
                    new PortInfo(p.id(), p.switchId(), p.name(), p.mac(), p.ips(), m.to(), m.toVlan(), "BOUND"));
            return end(m, MigrationInfo.COMPLETED, "API", now()).withRealization(realization(waitRealized));
        });
    }

    @Override
    public CompletionStage<List<PortHistoryEntry>> portHistory(PortId id) {
        return call(
                "portHistory(" + id + ")",
                () -> List.copyOf(journals.get(port(id.value()).id())));
    }

    @Override
    public CompletionStage<ClusterInfo> clusterInfo() {
        return call("clusterInfo()", () -> CLUSTER);
    }

    /**
     * Starts a move of bound port {@code p} to {@code to} as {@link #startMigration} describes: nothing changes when
     * it is under way to {@code to} already (or, with none under way, when {@code p} is on {@code to}); one under way
     * elsewhere is taken back first.
     */
    private MigrationInfo move(PortInfo p, String to, boolean waitRealized) {
        MigrationInfo current = underWay(p.id());
        if (current != null && current.to().equals(to)) {
            return current.withRealization(realization(waitRealized));
        }
        if (current != null) {
            end(current, MigrationInfo.CANCELLED, null, null);
        }
        if (p.host().equals(to)) {
            // on that host already: no move, as the port entity answers it
            return MigrationInfo.notMoved(p.id(), to, p.vlan(), realization(waitRealized));
        }
        Instant started = tick();
        MigrationInfo m = new MigrationInfo(
                p.id(),
                MigrationInfo.MIGRATING,
                p.host(),
                to,
                p.vlan(),
                nextVlan++,
                null,
                started.toString(),
                started.plus(MOVE_TIMEOUT).toString(),
                null,
                null,
                Realization.NOT_WAITED,
                null);
        moves.put(p.id(), m);
        journal(p.id(), "MoveStarted", "from", m.from(), "to", to, "toVlan", m.toVlan());
        return m.withRealization(realization(waitRealized));
    }

    /** The port's move that can still be cancelled or completed, or null. */
    private MigrationInfo underWay(String portId) {
        MigrationInfo m = moves.get(portId);
        return m != null
                        && (m.state().equals(MigrationInfo.PREPARING)
                                || m.state().equals(MigrationInfo.MIGRATING))
                ? m
                : null;
    }

    /** Ends {@code m} in {@code state}, journals it and keeps it as the port's last move. */
    private MigrationInfo end(MigrationInfo m, String state, String activatedBy, String activatedAt) {
        MigrationInfo ended = new MigrationInfo(
                m.port(),
                state,
                m.from(),
                m.to(),
                m.fromVlan(),
                m.toVlan(),
                activatedBy,
                m.startedAt(),
                m.deadline(),
                activatedAt,
                now(),
                Realization.NOT_WAITED,
                null);
        moves.put(m.port(), ended);
        if (activatedBy != null) {
            journal(m.port(), "MoveActivated", "by", activatedBy);
        }
        String event = state.equals(MigrationInfo.COMPLETED) ? "MoveCompleted" : "MoveCancelled";
        journal(m.port(), event, "from", m.from(), "to", m.to());
        return ended;
    }

    /** Appends an event with its fields (name, value, name, value, ...) to the port's journal. */
    private void journal(String portId, String event, Object... fields) {
        Map<String, Object> detail = new LinkedHashMap<>();
        for (int i = 0; i < fields.length; i += 2) {
            detail.put((String) fields[i], fields[i + 1]);
        }
        List<PortHistoryEntry> journal = journals.computeIfAbsent(portId, k -> new ArrayList<>());
        journal.add(new PortHistoryEntry(journal.size() + 1, now(), event, Collections.unmodifiableMap(detail)));
    }

    private Instant tick() {
        return EPOCH.plusSeconds(++ticks);
    }

    private String now() {
        return tick().toString();
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
}
