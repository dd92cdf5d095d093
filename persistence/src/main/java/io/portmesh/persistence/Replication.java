package io.portmesh.persistence;

import com.typesafe.config.Config;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Replication of the Portmesh keyspaces.
 *
 * @param strategy {@code SimpleStrategy} or {@code NetworkTopologyStrategy}
 * @param factor replication factor for SimpleStrategy
 * @param datacenters data center name to replication factor for NetworkTopologyStrategy
 */
public record Replication(String strategy, int factor, Map<String, Integer> datacenters) {

    public static final String SIMPLE = "SimpleStrategy";
    public static final String NETWORK_TOPOLOGY = "NetworkTopologyStrategy";

    public Replication {
        datacenters = Map.copyOf(datacenters);
        if (SIMPLE.equals(strategy)) {
            if (factor < 1) {
                throw new IllegalArgumentException("replication factor must be at least 1: " + factor);
            }
        } else if (NETWORK_TOPOLOGY.equals(strategy)) {
            if (datacenters.isEmpty()) {
                throw new IllegalArgumentException("NetworkTopologyStrategy needs at least one data center");
            }
            datacenters.forEach((dc, n) -> {
                if (!dc.matches("[A-Za-z0-9_.-]+") || n < 1) {
                    throw new IllegalArgumentException("bad data center replication " + dc + " = " + n);
                }
            });
        } else {
            throw new IllegalArgumentException("unknown replication strategy " + strategy);
        }
    }

    /** SimpleStrategy: for a single data center in development. */
    public static Replication simple(int factor) {
        return new Replication(SIMPLE, factor, Map.of());
    }

    public static Replication networkTopology(Map<String, Integer> factorsByDatacenter) {
        return new Replication(NETWORK_TOPOLOGY, 0, factorsByDatacenter);
    }

    /** Reads {@code portmesh.cassandra.replication} (strategy, factor, datacenters). */
    public static Replication fromConfig(Config config) {
        Config c = config.getConfig("portmesh.cassandra.replication");
        String strategy = c.getString("strategy");
        if (SIMPLE.equals(strategy)) {
            return simple(c.getInt("factor"));
        }
        Config dcs = c.getConfig("datacenters");
        Map<String, Integer> factors = new TreeMap<>();
        dcs.root().keySet().forEach(dc -> factors.put(dc, dcs.getInt(quoteKey(dc))));
        return new Replication(strategy, 0, factors);
    }

    /** The CQL replication map, e.g. {@code {'class': 'SimpleStrategy', 'replication_factor': 1}}. */
    public String toCql() {
        if (SIMPLE.equals(strategy)) {
            return "{'class': 'SimpleStrategy', 'replication_factor': " + factor + "}";
        }
        return new TreeMap<>(datacenters)
                .entrySet().stream()
                        .map(e -> "'" + e.getKey() + "': " + e.getValue())
                        .collect(Collectors.joining(", ", "{'class': 'NetworkTopologyStrategy', ", "}"));
    }

    private static String quoteKey(String key) {
        return "\"" + key + "\"";
    }
}
