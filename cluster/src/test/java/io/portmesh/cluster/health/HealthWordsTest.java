package io.portmesh.cluster.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.cluster.rest.NodeHealth;
import io.portmesh.sharding.service.ClusterView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the readiness checks and the re-balancing note say, from the states they are made of. */
class HealthWordsTest {
    private static final String A = "pekko://portmesh@127.0.0.1:2551";
    private static final String B = "pekko://portmesh@127.0.0.1:2552";
    private static final String C = "pekko://portmesh@127.0.0.1:2553";

    private static ClusterView.MemberView member(String address, String status, boolean reachable) {
        return new ClusterView.MemberView(address, status, List.of(), reachable);
    }

    @Test
    void readyWhenUpWithTheJournalAnsweringAndOpenFlowBound() {
        NodeHealth.Readiness r = ControllerHealth.readiness("Up", true, JournalProbe.Result.OK, true);
        assertThat(r.ready()).isTrue();
        assertThat(r.problem()).isNull();
        assertThat(r.checks())
                .containsExactly(
                        Map.entry("member", "Up"),
                        Map.entry("majority", "reachable"),
                        Map.entry("cassandra", "ok"),
                        Map.entry("openflow", "bound"));
        assertThat(ControllerHealth.readiness("WeaklyUp", true, JournalProbe.Result.OK, true)
                        .ready())
                .isTrue();
    }

    @Test
    void notReadySaysEveryCheckThatFailedAndWhy() {
        NodeHealth.Readiness r = ControllerHealth.readiness(
                "Joining", true, new JournalProbe.Result(false, "no answer within 1 s"), false);
        assertThat(r.ready()).isFalse();
        assertThat(r.problem())
                .isEqualTo("this node is a cluster member with status Joining, not Up; the journal (Cassandra) does"
                        + " not answer: no answer within 1 s; the OpenFlow server does not listen");
        assertThat(r.checks())
                .containsExactly(
                        Map.entry("member", "Joining"),
                        Map.entry("majority", "reachable"),
                        Map.entry("cassandra", "no answer within 1 s"),
                        Map.entry("openflow", "not bound"));
        assertThat(ControllerHealth.readiness("Removed", true, JournalProbe.Result.OK, true)
                        .problem())
                .isEqualTo("this node is not a member of the cluster (not joined yet, or removed)");
        assertThat(ControllerHealth.readiness("Up", true, JournalProbe.Result.NOT_YET, true)
                        .problem())
                .isEqualTo("the journal (Cassandra) does not answer: not probed yet");
    }

    @Test
    void aNodeThatDoesNotSeeAMajorityIsNotReady() {
        NodeHealth.Readiness r = ControllerHealth.readiness("Up", false, JournalProbe.Result.OK, true);
        assertThat(r.ready()).isFalse();
        assertThat(r.checks()).containsEntry("majority", "not reachable");
        assertThat(r.problem()).startsWith("this node does not see a majority of the cluster's members reachable");
    }

    @Test
    void aQuietClusterIsNotReBalancing() {
        ClusterView quiet = new ClusterView(A, A, List.of(member(A, "Up", true), member(B, "Up", true)));
        assertThat(Rebalancing.describe(quiet, Map.of(), 0)).isEmpty();
    }

    @Test
    void unreachableLeavingAndRecentlyRemovedMembersAreNamed() {
        ClusterView view = new ClusterView(
                A, A, List.of(member(A, "Up", true), member(B, "Up", false), member(C, "Leaving", true)));
        long now = Duration.ofMinutes(5).toNanos();
        long fiveSecondsAgo = now - Duration.ofSeconds(5).toNanos();
        assertThat(Rebalancing.describe(view, Map.of("pekko://portmesh@127.0.0.1:2554", fiveSecondsAgo), now))
                .hasValue("the cluster is re-balancing (member " + B + " is unreachable, member " + C
                        + " is leaving, member pekko://portmesh@127.0.0.1:2554 was removed 5 s ago)");
    }

    @Test
    void aRemovalOlderThanThirtySecondsIsNoLongerNamed() {
        ClusterView quiet = new ClusterView(A, A, List.of(member(A, "Up", true)));
        long now = Duration.ofMinutes(5).toNanos();
        long longAgo = now - Rebalancing.RECENT.plusSeconds(1).toNanos();
        assertThat(Rebalancing.describe(quiet, Map.of(B, longAgo), now)).isEmpty();
    }
}
