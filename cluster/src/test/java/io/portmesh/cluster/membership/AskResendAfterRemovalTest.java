package io.portmesh.cluster.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portmesh.model.SwitchId;
import io.portmesh.sharding.lswitch.LogicalSwitchEntity;
import io.portmesh.sharding.metrics.NodeMetrics;
import io.portmesh.sharding.service.NotFoundException;
import io.portmesh.sharding.service.ShardedNetworkService;
import io.portmesh.sharding.view.TopologyView;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three members in this JVM running the LogicalSwitch entities on in-memory journals. A survivor has learned that a
 * switch's shard lives on the third member; that member stops without leaving (a crashed process), and the survivor
 * asks the switch at once: sharding sends the ask to the dead member's region, where it is lost. Without a resend the
 * ask waits out its 10 s timeout and answers 503; with it, it is answered by the switch's new incarnation once the
 * dead member's shards have a new home (removal ~1-2 s by DeadMemberDowning, plus down-removal-margin 2 s).
 */
class AskResendAfterRemovalTest {
    private static final Duration ASK = Duration.ofSeconds(10);
    private LocalMembers members;

    @AfterEach
    void stop() {
        if (members != null) {
            members.close();
        }
    }

    @Test
    void anAskLostWithAStoppedMemberIsAnsweredAfterItsRemovalWellWithinTheAskTimeout() throws Exception {
        members = LocalMembers.start(3, """
                pekko.persistence.journal.plugin = "pekko.persistence.journal.inmem"
                pekko.persistence.snapshot-store.plugin = ""
                """, s -> {
            DeadMemberDowning.start(s);
            LogicalSwitchEntity.init(s, ASK, Duration.ofSeconds(2));
        });
        ActorSystem<Void> survivor = members.systems.get(0);
        ShardedNetworkService svc = new ShardedNetworkService(survivor, new TopologyView(), ASK, Duration.ofSeconds(2));
        String onVictim = switchStartedOn(members.systems.get(2), svc);

        members.crashLast();
        long asked = System.nanoTime();
        CompletableFuture<?> get = svc.getSwitch(SwitchId.of(onVictim)).toCompletableFuture();
        Throwable answer = failure(get, ASK.plusSeconds(5));
        double tookMs = (System.nanoTime() - asked) / 1e6;

        // the switch never existed: its new incarnation answers "not found"; a lost ask would be a 503 after 10 s
        assertInstanceOf(NotFoundException.class, answer, "answered by the switch, not timed out: " + answer);
        assertTrue(tookMs < 8_000, "answered after " + tookMs + " ms (ask timeout " + ASK.toMillis() + " ms)");
        assertEquals(1.0, NodeMetrics.get(survivor).asksResent.get(), "the survivor says it resent the ask");
    }

    /** Asks switches through {@code svc} until one starts on {@code member}; returns its id. */
    private static String switchStartedOn(ActorSystem<?> member, ShardedNetworkService svc) throws Exception {
        for (int i = 0; i < 200; i++) {
            String id = "sw-" + i;
            failure(svc.getSwitch(SwitchId.of(id)).toCompletableFuture(), ASK);
            ShardRegion.CurrentShardRegionState state = AskPattern
                    .<org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery, ShardRegion.CurrentShardRegionState>
                            ask(
                                    ClusterSharding.get(member).shardState(),
                                    r -> new GetShardRegionState(LogicalSwitchEntity.TYPE_KEY, r),
                                    Duration.ofSeconds(5),
                                    member.scheduler())
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            if (state.getShards().stream().anyMatch(sh -> sh.getEntityIds().contains(id))) {
                return id;
            }
        }
        throw new AssertionError("no switch started on " + member.address());
    }

    private static Throwable failure(CompletableFuture<?> f, Duration within) throws Exception {
        try {
            f.get(within.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("expected a failure");
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable t = e.getCause();
            return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        }
    }
}
