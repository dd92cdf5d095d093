package io.portmesh.sharding.service;

import io.portmesh.sharding.Futures;
import io.portmesh.sharding.host.HostEntity;
import io.portmesh.sharding.lswitch.LogicalSwitchEntity;
import io.portmesh.sharding.port.LogicalPortEntity;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSelection;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.pattern.Patterns;

/**
 * {@code GET /v1/cluster}: the members as this node sees them, at once, and the shard counts of every member's shard
 * regions that answer within {@link #STATS_BOUND}. Each member's region is asked directly (not through the shard
 * coordinator, whose cluster-wide statistics come all or nothing and wait for the slowest region), so a dead member
 * costs only its own counts: the answer then says {@code shardStats: partial} and lists the counts that did arrive.
 */
final class ClusterInfoReader {
    /**
     * How long the answer waits for shard counts. A healthy region answers in milliseconds (it asks only its own
     * shard actors); one on a dead, partitioned or stalled node never answers in time. 700 ms keeps the whole answer
     * within 1 s with the HTTP round trip on a loaded two-core machine.
     */
    static final Duration STATS_BOUND = Duration.ofMillis(700);

    /** The entity types whose regions are counted (the registries' single entities are left out). */
    static final List<String> TYPES =
            List.of(HostEntity.TYPE_KEY.name(), LogicalSwitchEntity.TYPE_KEY.name(), LogicalPortEntity.TYPE_KEY.name());

    /** One member's shard region of one entity type, counted. */
    interface RegionStats {
        /** Completes with the region's counts, or not at all when the region does not answer. */
        CompletionStage<RegionCounts> ask(String memberAddress, String entityType, Duration timeout);
    }

    /**
     * @param whole false when some of the region's shards did not give their count in time
     */
    record RegionCounts(int shards, int entities, boolean whole) {}

    private final Supplier<ClusterView> view;
    private final RegionStats regions;
    private final Duration bound;

    ClusterInfoReader(ActorSystem<?> system) {
        this(() -> ClusterView.of(Cluster.get(system)), askRegions(system), STATS_BOUND);
    }

    ClusterInfoReader(Supplier<ClusterView> view, RegionStats regions, Duration bound) {
        this.view = view;
        this.regions = regions;
        this.bound = bound;
    }

    /** Completes within {@link #STATS_BOUND} (plus scheduling), whatever the regions do. */
    CompletionStage<ClusterInfo> read() {
        ClusterView now = view.get();
        Map<String, Map<String, CompletableFuture<RegionCounts>>> asked = new LinkedHashMap<>();
        List<CompletableFuture<RegionCounts>> all = new ArrayList<>();
        for (ClusterView.MemberView m : now.members()) {
            Map<String, CompletableFuture<RegionCounts>> byType = new LinkedHashMap<>();
            for (String type : TYPES) {
                CompletableFuture<RegionCounts> f;
                try {
                    f = regions.ask(m.address(), type, bound).toCompletableFuture();
                } catch (RuntimeException e) {
                    f = CompletableFuture.failedFuture(e);
                }
                byType.put(type, f);
                all.add(f);
            }
            asked.put(m.address(), byType);
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                .completeOnTimeout(null, bound.toMillis(), TimeUnit.MILLISECONDS)
                .handle((done, failed) -> compose(now, asked));
    }

    /** The members of {@code view} with the counts that had arrived; partial unless every region answered whole. */
    static ClusterInfo compose(ClusterView view, Map<String, Map<String, CompletableFuture<RegionCounts>>> asked) {
        boolean complete = true;
        List<ClusterInfo.Member> members = new ArrayList<>();
        for (ClusterView.MemberView m : view.members()) {
            Map<String, ClusterInfo.ShardCount> shards = new TreeMap<>();
            for (Map.Entry<String, CompletableFuture<RegionCounts>> e :
                    asked.getOrDefault(m.address(), Map.of()).entrySet()) {
                CompletableFuture<RegionCounts> f = e.getValue();
                if (!f.isDone() || f.isCompletedExceptionally()) {
                    complete = false;
                    continue;
                }
                RegionCounts c = f.join();
                complete &= c.whole();
                shards.put(e.getKey(), new ClusterInfo.ShardCount(c.shards(), c.entities()));
            }
            members.add(new ClusterInfo.Member(m.address(), m.status(), m.reachable(), m.roles(), shards));
        }
        return new ClusterInfo(
                view.selfAddress(),
                view.leader(),
                members,
                view.unreachable(),
                complete ? ClusterInfo.COMPLETE : ClusterInfo.PARTIAL);
    }

    /**
     * Asks the shard region of {@code entityType} on the member itself: sharding runs one region per entity type on
     * every node, at {@code /system/sharding/<type>}, and it counts its own shards' entities.
     */
    private static RegionStats askRegions(ActorSystem<?> system) {
        return (member, type, timeout) -> {
            ActorSelection region = system.classicSystem()
                    .actorSelection(member + "/system/sharding/" + URLEncoder.encode(type, StandardCharsets.UTF_8));
            return Futures.on(
                            Patterns.ask(region, ShardRegion.getRegionStatsInstance(), timeout),
                            system.executionContext())
                    .thenApply(answer -> {
                        ShardRegion.ShardRegionStats stats = (ShardRegion.ShardRegionStats) answer;
                        int entities = stats.getStats().values().stream()
                                .mapToInt(n -> ((Number) n).intValue())
                                .sum();
                        return new RegionCounts(
                                stats.getStats().size(),
                                entities,
                                stats.getFailed().isEmpty());
                    });
        };
    }
}
