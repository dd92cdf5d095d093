package io.portmesh.cluster.rest;

import java.util.Map;
import java.util.Optional;

/**
 * What the node says of itself: {@code /alive}, {@code /ready}, and the words in front of a 503 when the node knows
 * why entities do not answer. Every method answers at once from state kept up to date in the background.
 */
public interface NodeHealth {
    /** Empty while the actor system runs; otherwise why it does not (shutting down, terminated). */
    Optional<String> notAlive();

    Readiness readiness();

    /**
     * Why an entity may not answer now, in words that lead a 503's message ("the cluster is re-balancing (member ...
     * is unreachable)", "the journal (Cassandra) does not answer (...)"); empty when the node knows of no reason.
     */
    Optional<String> unavailableBecause();

    /**
     * Why this node refuses changes now without asking any entity, in words that lead the 503; empty when it takes
     * them. While the journal (Cassandra) is down, a change could only wait out its ask timeouts (10-21 s measured)
     * and then answer 503 all the same, with the entities' mailboxes filling meanwhile; refused at once, the client
     * knows that nothing was changed and when to come back.
     */
    Optional<String> changesRefusedBecause();

    /**
     * @param ready whether every check passed
     * @param problem what failed and why, in words; null when ready
     * @param checks each check's state by name, in the order the node checks them
     */
    record Readiness(boolean ready, String problem, Map<String, String> checks) {}
}
