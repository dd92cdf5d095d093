package io.portmesh.model;

/** Identifies a host across the cluster: the entity id of its sharded entity. */
public record HostId(String value) implements Comparable<HostId> {
    public HostId {
        Ids.check("hostId", value);
    }

    public static HostId of(String value) {
        return new HostId(value);
    }

    @Override
    public int compareTo(HostId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
