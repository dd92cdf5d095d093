package io.portmesh.sharding.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.MemberStatus;
import org.junit.jupiter.api.Test;

class ClusterQuorumTest {
    private static final Address A = new Address("pekko", "portmesh", "127.0.0.1", 2551);
    private static final Address B = new Address("pekko", "portmesh", "127.0.0.1", 2552);
    private static final Address C = new Address("pekko", "portmesh", "127.0.0.1", 2553);
    private static final Map<Address, MemberStatus> THREE_UP =
            Map.of(A, MemberStatus.up(), B, MemberStatus.up(), C, MemberStatus.up());

    @Test
    void twoOfThreeReachableHoldTheQuorumAndOneOfThreeDoesNot() {
        assertThat(ClusterQuorum.held(A, THREE_UP, Set.of())).isTrue();
        assertThat(ClusterQuorum.held(A, THREE_UP, Set.of(C)))
                .as("a crashed node, not yet downed")
                .isTrue();
        assertThat(ClusterQuorum.held(A, THREE_UP, Set.of(B, C)))
                .as("cut off from both others")
                .isFalse();
    }

    @Test
    void aDownedOrRemovedMemberNoLongerCountsSoTheSurvivorsOfALossHoldIt() {
        Map<Address, MemberStatus> oneDown = Map.of(A, MemberStatus.up(), B, MemberStatus.up(), C, MemberStatus.down());
        assertThat(ClusterQuorum.held(A, oneDown, Set.of(C))).isTrue();
        assertThat(ClusterQuorum.held(A, Map.of(A, MemberStatus.up(), B, MemberStatus.up()), Set.of()))
                .isTrue();
    }

    @Test
    void halfOfAnEvenClusterIsNoMajorityAndASingleNodeIsItsOwn() {
        Address d = new Address("pekko", "portmesh", "127.0.0.1", 2554);
        Map<Address, MemberStatus> four =
                Map.of(A, MemberStatus.up(), B, MemberStatus.up(), C, MemberStatus.up(), d, MemberStatus.up());
        assertThat(ClusterQuorum.held(A, four, Set.of(C, d))).isFalse();
        assertThat(ClusterQuorum.held(A, Map.of(A, MemberStatus.up()), Set.of()))
                .isTrue();
    }

    @Test
    void aNodeThatIsNotItselfACountedMemberHoldsNothing() {
        assertThat(ClusterQuorum.held(A, Map.of(A, MemberStatus.joining()), Set.of()))
                .isFalse();
        assertThat(ClusterQuorum.held(A, Map.of(A, MemberStatus.down(), B, MemberStatus.up()), Set.of()))
                .isFalse();
        assertThat(ClusterQuorum.held(A, Map.of(A, MemberStatus.leaving(), B, MemberStatus.up()), Set.of()))
                .as("a leaving node still hands its hosts over")
                .isTrue();
    }
}
