package io.portmesh.sharding.view;

import io.portmesh.sharding.host.HostEntity;
import io.portmesh.sharding.lswitch.LogicalSwitchEntity;
import io.portmesh.sharding.service.HostInfo;
import io.portmesh.sharding.service.SwitchInfo;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The read side for listings: switches, hosts and the ports of each switch, folded from the entities' tagged events
 * (fed by {@link TopologyProjection}). It answers lists without waking a single entity; it lags the entities by the
 * journal's events-by-tag delay, which the API documents.
 */
public final class TopologyView {
    private final Map<String, Integer> switchVni = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> switchPorts = new ConcurrentHashMap<>();
    private final Map<String, String> hostTunnelIp = new ConcurrentHashMap<>();

    /** Folds one event; {@code entityId} is the id part of the persistence id. */
    public void apply(String entityId, Object event) {
        if (event instanceof LogicalSwitchEntity.Created e) {
            switchVni.put(entityId, e.vni());
        } else if (event instanceof LogicalSwitchEntity.Deleted) {
            switchVni.remove(entityId);
            switchPorts.remove(entityId);
        } else if (event instanceof LogicalSwitchEntity.PortAdded e) {
            switchPorts
                    .computeIfAbsent(entityId, k -> new ConcurrentSkipListSet<>())
                    .add(e.port());
        } else if (event instanceof LogicalSwitchEntity.PortRemoved e) {
            Set<String> ports = switchPorts.get(entityId);
            if (ports != null) {
                ports.remove(e.port());
            }
        } else if (event instanceof HostEntity.Registered e) {
            hostTunnelIp.put(entityId, e.tunnelIp());
        }
    }

    public List<SwitchInfo> switches() {
        return new TreeMap<>(switchVni)
                .entrySet().stream()
                        .map(e -> new SwitchInfo(e.getKey(), e.getValue(), portsOf(e.getKey())))
                        .toList();
    }

    public List<String> portsOf(String switchId) {
        return List.copyOf(switchPorts.getOrDefault(switchId, Set.of()));
    }

    public boolean hasSwitch(String switchId) {
        return switchVni.containsKey(switchId);
    }

    /** A summary per host: the live fields (agents, flows) come from GET /v1/hosts/{id}. */
    public List<HostInfo> hosts() {
        return new TreeMap<>(hostTunnelIp)
                .entrySet().stream()
                        .map(e -> new HostInfo(e.getKey(), e.getValue(), List.of(), 0, 0, 0, 0, false, 0))
                        .toList();
    }
}
