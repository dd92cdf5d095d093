package io.portmesh.model;

/** Identifies a port across the cluster: the entity id of its sharded entity. */
public record PortId(String value) implements Comparable<PortId> {
    public PortId {
        Ids.check("portId", value);
    }

    public static PortId of(String value) {
        return new PortId(value);
    }

    @Override
    public int compareTo(PortId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
