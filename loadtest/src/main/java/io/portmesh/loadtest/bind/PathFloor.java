package io.portmesh.loadtest.bind;

import java.util.List;

/**
 * The least time a create+bind+realized can take on this machine: the persists that must happen one after the other,
 * each at the median Cassandra write latency, plus one barrier round trip to the agent.
 *
 * <p>Counted from the code (sharding: LogicalPortEntity, LogicalSwitchEntity, HostEntity): every step below waits for
 * the reply of the one before it, and each reply is sent only after its event is persisted ({@code thenReply} /
 * {@code thenRun}). PortAdded is tagged for the read-side view, and pekko-persistence-cassandra acknowledges a tagged
 * event only once its tag_views row is written too (journal asks its tag writers, which write at once with
 * flush-interval 0 and answer when Cassandra did): a second sequential write. The hosts of the switch then update their plans without persisting anything (member lists are
 * the switch's state; hosts keep them in memory), so the fan-out adds no write. The barrier is the agent acknowledging the last flow push; it overlaps
 * the reply hops back to the caller, which the floor leaves out, as it leaves out the Cassandra reads that start a new
 * port entity (recovery): so the floor is a lower bound.
 */
record PathFloor(Samples writes, Samples barriers) {
    static final List<String> SEQUENTIAL_PERSISTS = List.of(
            "createPort  LogicalSwitch PortAdded   (the switch claims the MAC; LogicalPort waits for its reply)",
            "createPort  its events-by-tag row     (the journal acknowledges a tagged event after its tag_views write)",
            "createPort  LogicalPort Created       (persisted after the switch's reply)",
            "bindPort    LogicalPort ChangeStarted (the change is in the journal before the host is asked)",
            "bindPort    Host PortBound            (VLAN allocated; LogicalPort waits for the reply)",
            "bindPort    LogicalPort Bound         (persisted after the host's reply)",
            "bindPort    LogicalSwitch BindingChanged (asked after the port persisted)");

    int persists() {
        return SEQUENTIAL_PERSISTS.size();
    }

    double floorMs() {
        return persists() * writes.medianMs() + barriers.medianMs();
    }
}
