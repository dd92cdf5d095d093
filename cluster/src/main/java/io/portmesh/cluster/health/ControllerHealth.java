package io.portmesh.cluster.health;

import io.portmesh.cluster.rest.NodeHealth;
import io.portmesh.sharding.host.ClusterQuorum;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * A controller node's health from what it already knows: its own membership status, whether it sees a majority of
 * the cluster ({@link ClusterQuorum}), the latest {@link JournalProbe}
 * answer, whether its OpenFlow server listens, and {@link Rebalancing}. Nothing here waits for anything.
 */
public final class ControllerHealth implements NodeHealth {
    private final ActorSystem<?> system;
    private final Cluster cluster;
    private final JournalProbe journal;
    private final BooleanSupplier openflowBound;
    private final Rebalancing rebalancing;
    private final BooleanSupplier majority;

    public ControllerHealth(
            ActorSystem<?> system, JournalProbe journal, BooleanSupplier openflowBound, Rebalancing rebalancing) {
        this.system = system;
        this.cluster = Cluster.get(system);
        this.journal = journal;
        this.openflowBound = openflowBound;
        this.rebalancing = rebalancing;
        this.majority = ClusterQuorum.of(cluster);
    }

    @Override
    public Optional<String> notAlive() {
        if (system.whenTerminated().isCompleted()) {
            return Optional.of("this node's actor system has terminated");
        }
        // the reason is a Pekko object whose name says little to a client: "shutting down" is what matters
        return CoordinatedShutdown.get(system).getShutdownReason().map(reason -> "this node is shutting down");
    }

    @Override
    public Readiness readiness() {
        return readiness(
                cluster.selfMember().status().toString(),
                majority.getAsBoolean(),
                journal.latest(),
                openflowBound.getAsBoolean());
    }

    /** The checks, each one's state, and in words every one that failed. */
    static Readiness readiness(
            String memberStatus, boolean majority, JournalProbe.Result journal, boolean openflowBound) {
        Map<String, String> checks = new LinkedHashMap<>();
        List<String> failed = new ArrayList<>();
        checks.put("member", memberStatus);
        if (!memberStatus.equals(MemberStatus.up().toString())
                && !memberStatus.equals(MemberStatus.weaklyUp().toString())) {
            failed.add(
                    memberStatus.equals(MemberStatus.removed().toString())
                            ? "this node is not a member of the cluster (not joined yet, or removed)"
                            : "this node is a cluster member with status " + memberStatus + ", not Up");
        }
        checks.put("majority", majority ? "reachable" : "not reachable");
        if (!majority) {
            // the Host entities here elect no master either (ClusterQuorum): route no requests to this node
            failed.add("this node does not see a majority of the cluster's members reachable (the minority side of"
                    + " a partition is downed shortly)");
        }
        checks.put("cassandra", journal.detail());
        if (!journal.up()) {
            failed.add(journal.problem() + ": " + journal.detail());
        }
        checks.put("openflow", openflowBound ? "bound" : "not bound");
        if (!openflowBound) {
            failed.add("the OpenFlow server does not listen");
        }
        return new Readiness(failed.isEmpty(), failed.isEmpty() ? null : String.join("; ", failed), checks);
    }

    @Override
    public Optional<String> changesRefusedBecause() {
        JournalProbe.Result j = journal.latest();
        return journal.downForSure() ? Optional.of(j.problem() + " (" + j.detail() + ")") : Optional.empty();
    }

    /** The journal first: when Cassandra is down, nothing that persists can answer, re-balancing or not. */
    @Override
    public Optional<String> unavailableBecause() {
        JournalProbe.Result j = journal.latest();
        if (!j.up() && j != JournalProbe.Result.NOT_YET) {
            return Optional.of(j.problem() + " (" + j.detail() + ")");
        }
        return rebalancing.describe();
    }
}
