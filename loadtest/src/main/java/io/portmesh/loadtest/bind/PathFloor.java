package io.portmesh.loadtest.bind;

import java.util.List;

/**
 * The least time a create+bind+realized can take on this machine: the persists that must happen one after the other,
 * each at the median Cassandra write latency, plus one barrier round trip to the agent.
 *
 * <p>Counted from the code (sharding: LogicalPortEntity, LogicalSwitchEntity, HostEntity): every step below waits for
 * the reply of the one before it, and each reply is sent only after its event is persisted ({@code thenReply} /
 * {@code thenRun}). The peers' SwitchMembersChanged persists run in parallel (LogicalSwitchEntity.tellHosts asks every
 * host of the switch at once) and count once. The barrier is the agent acknowledging the last flow push; it overlaps
 * the reply hops back to the caller, which the floor leaves out, as it leaves out the Cassandra reads that start a new
 * port entity (recovery): so the floor is a lower bound.
 */
record PathFloor(Samples writes, Samples barriers) {
    static final List<String> SEQUENTIAL_PERSISTS = List.of(
            "createPort  LogicalSwitch PortAdded   (the switch claims the MAC; LogicalPort waits for its reply)",
            "createPort  LogicalPort Created       (persisted after the switch's reply)",
            "bindPort    Host PortBound            (VLAN allocated; LogicalPort waits for the reply)",
            "bindPort    LogicalPort Bound         (persisted after the host's reply)",
            "bindPort    LogicalSwitch BindingChanged (asked after the port persisted)",
            "bindPort    Host SwitchMembersChanged (every host of the switch, in parallel: counted once)");

    int persists() {
        return SEQUENTIAL_PERSISTS.size();
    }

    double floorMs() {
        return persists() * writes.medianMs() + barriers.medianMs();
    }

    /**
     * The same path with the journal as configured: events-by-tag is on (the read-side views need it), and
     * pekko-persistence-cassandra 1.1 acknowledges a persist only after the event's tag_views write too
     * (CassandraJournal.asyncWriteMessages asks TagWriters after the messages insert; TagWriter acks on
     * TagWriteDone). So each persist is two Cassandra writes one after the other; the tag write may also wait for
     * the batch in flight of the same tag on the same node (one TagWriter per tag, one batch at a time).
     */
    double configuredFloorMs() {
        return 2 * persists() * writes.medianMs() + barriers.medianMs();
    }
}
