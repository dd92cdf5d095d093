package io.portmesh.model;

/** Identifies a switch across the cluster: the entity id of its sharded entity. */
public record SwitchId(String value) implements Comparable<SwitchId> {
    public SwitchId {
        Ids.check("switchId", value);
    }

    public static SwitchId of(String value) {
        return new SwitchId(value);
    }

    @Override
    public int compareTo(SwitchId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
