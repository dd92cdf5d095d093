package io.portmesh.cluster.membership;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;

/** A node whose wire version differs is not let into the cluster; one of the same version is. */
class WireVersionCheckTest {
    @Test
    void aNodeOfAnotherWireVersionCannotJoinAndOneOfTheSameCan() throws Exception {
        try (LocalMembers members = LocalMembers.start(1, "", s -> {})) {
            ActorSystem<Void> other = members.startAnother("portmesh.wire-version = 99");
            ActorSystem<Void> same = members.startAnother("");
            // the same version joins (a bound for the join, not a latency check)
            LocalMembers.awaitUntil(
                    Duration.ofSeconds(30),
                    "the node of the same version Up",
                    () -> Cluster.get(same).selfMember().status() == MemberStatus.up());
            // the other is refused by the seed, and shuts itself down (Pekko's reaction to an incompatible join)
            other.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThat(Cluster.get(members.systems.get(0)).state().getMembers())
                    .as("the members the seed knows")
                    .extracting(m -> m.address())
                    .doesNotContain(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(other)
                            .provider()
                            .getDefaultAddress());
            assertThat(LocalMembers.countUp(members.systems.get(0))).isEqualTo(2);
        }
    }
}
