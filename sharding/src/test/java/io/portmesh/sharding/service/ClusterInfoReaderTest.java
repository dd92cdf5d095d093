package io.portmesh.sharding.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.portmesh.model.Vni;
import io.portmesh.sharding.EntityTestKits;
import io.portmesh.sharding.lswitch.LogicalSwitchEntity;
import io.portmesh.sharding.lswitch.SwitchProtocol;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/cluster}'s answer: the members at once, the shard counts only as far as they arrive in time. The
 * composition is tested with shard regions that never answer (what a dead member's region does), then the real asks
 * on a one-node cluster.
 */
class ClusterInfoReaderTest {
    private static final String A = "pekko://portmesh@127.0.0.1:2551";
    private static final String B = "pekko://portmesh@127.0.0.1:2552";
    private static final ClusterView TWO_MEMBERS_ONE_UNREACHABLE = new ClusterView(
            A,
            A,
            List.of(
                    new ClusterView.MemberView(A, "Up", List.of("dc-default"), true),
                    new ClusterView.MemberView(B, "Up", List.of("dc-default"), false)));

    static final ActorTestKit testKit = ActorTestKit.create(
            ConfigFactory.parseString("pekko.cluster.jmx.enabled = off").withFallback(EntityTestKits.config()));

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
    }

    @Test
    void answersWithinOneSecondWithTheMembersWhenNoRegionEverAnswers() throws Exception {
        ClusterInfoReader reader = new ClusterInfoReader(
                () -> TWO_MEMBERS_ONE_UNREACHABLE,
                (member, type, timeout) -> new CompletableFuture<>(), // never completes
                ClusterInfoReader.STATS_BOUND);

        long start = System.nanoTime();
        ClusterInfo info = reader.read().toCompletableFuture().get(5, TimeUnit.SECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took).isGreaterThanOrEqualTo(ClusterInfoReader.STATS_BOUND).isLessThan(Duration.ofSeconds(1));
        assertThat(info.shardStats()).isEqualTo(ClusterInfo.PARTIAL);
        assertThat(info.selfAddress()).isEqualTo(A);
        assertThat(info.leader()).isEqualTo(A);
        assertThat(info.unreachable()).containsExactly(B);
        assertThat(info.members())
                .extracting(ClusterInfo.Member::address, ClusterInfo.Member::status, ClusterInfo.Member::reachable)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(A, "Up", true),
                        org.assertj.core.groups.Tuple.tuple(B, "Up", false));
        assertThat(info.members()).allSatisfy(m -> assertThat(m.shards()).isEmpty());
    }

    @Test
    void keepsTheCountsOfTheRegionsThatAnsweredAndSaysTheRestIsMissing() throws Exception {
        ClusterInfoReader reader = new ClusterInfoReader(
                () -> TWO_MEMBERS_ONE_UNREACHABLE,
                (member, type, timeout) -> member.equals(A)
                        ? CompletableFuture.completedFuture(new ClusterInfoReader.RegionCounts(3, 7, true))
                        : new CompletableFuture<>(),
                ClusterInfoReader.STATS_BOUND);

        ClusterInfo info = reader.read().toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(info.shardStats()).isEqualTo(ClusterInfo.PARTIAL);
        assertThat(info.members().get(0).shards())
                .containsOnlyKeys(ClusterInfoReader.TYPES)
                .allSatisfy((type, count) -> assertThat(count).isEqualTo(new ClusterInfo.ShardCount(3, 7)));
        assertThat(info.members().get(1).shards()).isEmpty();
    }

    @Test
    void aRegionWhoseShardsDidNotAllAnswerMakesTheCountsPartial() throws Exception {
        ClusterView one = new ClusterView(A, A, List.of(new ClusterView.MemberView(A, "Up", List.of(), true)));
        ClusterInfoReader reader = new ClusterInfoReader(
                () -> one,
                (member, type, timeout) -> CompletableFuture.completedFuture(
                        new ClusterInfoReader.RegionCounts(1, 1, !type.equals("Host"))),
                ClusterInfoReader.STATS_BOUND);

        ClusterInfo info = reader.read().toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(info.shardStats()).isEqualTo(ClusterInfo.PARTIAL);
        assertThat(info.members().get(0).shards()).containsOnlyKeys(ClusterInfoReader.TYPES);
    }

    /** The real asks, to the real regions of a one-node cluster: complete, with the started switch counted. */
    @Test
    void aHealthyClusterAnswersCompleteCountsFromEveryRegion() throws Exception {
        var system = testKit.system();
        EntityTestKits.startEntities(system, Duration.ofSeconds(5), Duration.ofSeconds(5));
        ClusterSharding.get(system)
                .entityRefFor(LogicalSwitchEntity.TYPE_KEY, "counted")
                .<SwitchInfo>askWithStatus(r -> new SwitchProtocol.Create(new Vni(5000), r), Duration.ofSeconds(10))
                .toCompletableFuture()
                .get(20, TimeUnit.SECONDS);

        ClusterInfo info =
                new ClusterInfoReader(system).read().toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(info.shardStats()).isEqualTo(ClusterInfo.COMPLETE);
        assertThat(info.unreachable()).isEmpty();
        assertThat(info.members()).hasSize(1);
        ClusterInfo.Member self = info.members().get(0);
        assertThat(self.address()).isEqualTo(info.selfAddress());
        assertThat(self.reachable()).isTrue();
        assertThat(self.status()).isEqualTo("Up");
        assertThat(self.shards()).containsOnlyKeys(ClusterInfoReader.TYPES);
        assertThat(self.shards().get("LogicalSwitch").entities()).isEqualTo(1);
    }
}
