package io.portmesh.cluster.membership;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Consecutive refusals per member incarnation. A member is proven gone after {@code limit} refusals in a row, and only
 * if this node saw that incarnation's port listening before: a refusal from an address that never answered proves
 * nothing about the member (a name that resolves to a stale address, a proxy without a ready endpoint). Any other
 * outcome starts the count again (a member that listens again is alive; silence proves nothing, and a refusal after
 * silence starts a new series). Members no longer in the cluster are forgotten.
 *
 * @param <M> a member incarnation (address and uid): a new incarnation on the same port starts with no count
 */
final class RefusalTally<M> {
    private final int limit;
    private final Map<M, Integer> refusals = new HashMap<>();
    private final Set<M> seenListening = new HashSet<>();

    RefusalTally(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("refusals must be at least 1, was " + limit);
        }
        this.limit = limit;
    }

    /**
     * Records one probe's outcome; true while the refusals in a row prove the member gone (at the limit and at every
     * refusal after it, so that a proof this node could not act on, without a majority, is acted on once it can; a
     * downed member is no longer probed).
     */
    boolean record(M member, PortProbe.Outcome outcome) {
        if (outcome == PortProbe.Outcome.LISTENING) {
            seenListening.add(member);
        }
        if (outcome != PortProbe.Outcome.REFUSED || !seenListening.contains(member)) {
            refusals.remove(member);
            return false;
        }
        int n = refusals.merge(member, 1, Integer::sum);
        return n >= limit;
    }

    /** Forgets members that are not among {@code current} any more (removed, or downed and handled). */
    void retain(Set<M> current) {
        refusals.keySet().retainAll(current);
        seenListening.retainAll(current);
    }

    int count(M member) {
        return refusals.getOrDefault(member, 0);
    }
}
