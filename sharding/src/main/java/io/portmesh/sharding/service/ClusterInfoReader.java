package io.portmesh.sharding.service;

import io.portmesh.sharding.host.HostEntity;
import io.portmesh.sharding.lswitch.LogicalSwitchEntity;
import io.portmesh.sharding.port.LogicalPortEntity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;

/** Cluster members and, per member and entity type, how many shards and entities it holds. */
final class ClusterInfoReader {
    private static final List<EntityTypeKey<?>> TYPES =
            List.of(HostEntity.TYPE_KEY, LogicalSwitchEntity.TYPE_KEY, LogicalPortEntity.TYPE_KEY);
    private final ActorSystem<?> system;
    private final Duration timeout;

    ClusterInfoReader(ActorSystem<?> system, Duration timeout) {
        this.system = system;
        this.timeout = timeout;
    }

    CompletionStage<ClusterInfo> read() {
        Cluster cluster = Cluster.get(system);
        Map<String, CompletableFuture<ShardRegion.ClusterShardingStats>> stats = new HashMap<>();
        for (EntityTypeKey<?> key : TYPES) {
            stats.put(
                    key.name(),
                    AskPattern
                            .<org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery,
                                    ShardRegion.ClusterShardingStats>
                                    ask(
                                            ClusterSharding.get(system).shardState(),
                                            r -> new GetClusterShardingStats(key, timeout, r),
                                            timeout.plusSeconds(1),
                                            system.scheduler())
                            .toCompletableFuture());
        }
        return CompletableFuture.allOf(stats.values().toArray(CompletableFuture[]::new))
                .thenApply(x -> {
                    List<ClusterInfo.Member> members = new ArrayList<>();
                    for (Member m : cluster.state().getMembers()) {
                        Map<String, ClusterInfo.ShardCount> shards = new HashMap<>();
                        stats.forEach((type, f) -> {
                            ShardRegion.ShardRegionStats rs =
                                    f.join().getRegions().get(m.address());
                            if (rs != null) {
                                Map<String, Object> perShard = new HashMap<>(rs.getStats());
                                int entities = perShard.values().stream()
                                        .mapToInt(v -> (Integer) v)
                                        .sum();
                                shards.put(type, new ClusterInfo.ShardCount(perShard.size(), entities));
                            }
                        });
                        members.add(new ClusterInfo.Member(
                                m.address().toString(), m.status().toString(), List.copyOf(m.getRoles()), shards));
                    }
                    Address leader = cluster.state().getLeader();
                    return new ClusterInfo(
                            cluster.selfMember().address().toString(),
                            leader == null ? null : leader.toString(),
                            members);
                });
    }
}
