package io.portmesh.cluster.membership;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Consecutive refusals per member incarnation. A member is proven gone after {@code limit} refusals in a row; any
 * other outcome starts its count again (a member that listens again is alive; silence proves nothing, and a refusal
 * after silence starts a new series). Members no longer in the cluster are forgotten.
 *
 * @param <M> a member incarnation (address and uid): a new incarnation on the same port starts with no count
 */
final class RefusalTally<M> {
    private final int limit;
    private final Map<M, Integer> refusals = new HashMap<>();

    RefusalTally(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("refusals must be at least 1, was " + limit);
        }
        this.limit = limit;
    }

    /** Records one probe's outcome; true when this refusal completes the series that proves the member gone. */
    boolean record(M member, PortProbe.Outcome outcome) {
        if (outcome != PortProbe.Outcome.REFUSED) {
            refusals.remove(member);
            return false;
        }
        int n = refusals.merge(member, 1, Integer::sum);
        return n == limit;
    }

    /** Forgets members that are not among {@code current} any more (removed, or downed and handled). */
    void retain(Set<M> current) {
        refusals.keySet().retainAll(current);
    }

    int count(M member) {
        return refusals.getOrDefault(member, 0);
    }
}
