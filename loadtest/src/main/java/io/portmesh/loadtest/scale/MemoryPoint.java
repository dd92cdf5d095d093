package io.portmesh.loadtest.scale;

import java.util.Arrays;

/**
 * The memory of the whole run at one moment of the bring-up, with the entities that existed then. Bytes; -1 where a
 * figure could not be read.
 *
 * @param label where in the bring-up (empty, hosts, switches, ports)
 * @param nodeHeap each controller node's live heap after a full GC
 * @param nodeResident each controller node's resident memory
 * @param agentsHeap the agents' JVM (this one) live heap after a full GC
 * @param agentsResident the agents' JVM resident memory
 * @param cassandraHeap Cassandra's live heap after a full GC
 * @param cassandraResident Cassandra's resident memory
 * @param cassandraDisk Cassandra's directory (data, commit log, hints)
 */
public record MemoryPoint(
        String label,
        int hosts,
        int agents,
        int switches,
        int ports,
        long[] nodeHeap,
        long[] nodeResident,
        long agentsHeap,
        long agentsResident,
        long cassandraHeap,
        long cassandraResident,
        long cassandraDisk) {

    /** The nodes' live heap together (every node holds its share of the entities: they are sharded over the three). */
    public long nodesHeap() {
        return Arrays.stream(nodeHeap).sum();
    }

    public long nodesResident() {
        return Arrays.stream(nodeResident).sum();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MemoryPoint m
                && label.equals(m.label)
                && ports == m.ports
                && Arrays.equals(nodeHeap, m.nodeHeap)
                && agentsHeap == m.agentsHeap
                && cassandraDisk == m.cassandraDisk;
    }

    @Override
    public int hashCode() {
        return label.hashCode() * 31 + ports;
    }

    @Override
    public String toString() {
        return String.format(
                "%s (%d hosts, %d agents, %d switches, %d ports): nodes heap %s, resident %s; agents heap %s, resident"
                        + " %s; Cassandra heap %s, resident %s, disk %s",
                label,
                hosts,
                agents,
                switches,
                ports,
                mib(nodesHeap()),
                mib(nodesResident()),
                mib(agentsHeap),
                mib(agentsResident),
                mib(cassandraHeap),
                mib(cassandraResident),
                mib(cassandraDisk));
    }

    static String mib(long bytes) {
        return bytes < 0 ? "unknown" : String.format("%.1f MiB", bytes / 1048576.0);
    }
}
