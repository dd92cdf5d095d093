package io.portmesh.sharding.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.sharding.EntityTestKits;
import io.portmesh.sharding.port.LogicalPortEntity;
import io.portmesh.sharding.view.TopologyView;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link WarmPortIds} on a one-node cluster with the in-memory journal. */
class WarmPortIdsTest {
    private static final Duration ASK = Duration.ofSeconds(5);
    static final ActorTestKit testKit = ActorTestKit.create(
            ConfigFactory.parseString("pekko.cluster.jmx.enabled = off").withFallback(EntityTestKits.config()));

    @BeforeAll
    static void joinAndStartSharding() {
        EntityTestKits.startEntities(testKit.system(), ASK, Duration.ofSeconds(2));
    }

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
    }

    @Test
    void startsEntitiesAheadOfNeedAndHandsEachIdOutOnce() {
        WarmPortIds pool = new WarmPortIds(testKit.system(), ASK, 3);
        awaitTrue("three entities started", () -> pool.ready() == 3);

        Set<PortId> taken = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            taken.add(pool.take());
        }
        assertThat(taken).hasSize(3);
        Set<String> running = runningPortEntities();
        assertThat(taken).allSatisfy(id -> assertThat(running).contains(id.value()));

        taken.add(pool.take()); // may be fresh or warm: never one handed out before
        assertThat(taken).hasSize(4);
        awaitTrue("the pool filled up again", () -> pool.ready() == 3);
    }

    @Test
    void withNoneToKeepEveryIdIsFreshAndNothingStarts() throws Exception {
        WarmPortIds pool = new WarmPortIds(testKit.system(), ASK, 0);
        PortId a = pool.take();
        PortId b = pool.take();
        assertThat(a).isNotEqualTo(b);
        Thread.sleep(300); // a warming would have answered by now
        assertThat(pool.ready()).isZero();
        assertThat(runningPortEntities()).doesNotContain(a.value(), b.value());
    }

    @Test
    void aServiceCreatesItsPortsOnWarmIds() throws Exception {
        ShardedNetworkService svc =
                new ShardedNetworkService(testKit.system(), new TopologyView(), ASK, Duration.ofSeconds(2), 2);
        SwitchId sw = SwitchId.of("warm-sw");
        svc.createSwitch(sw, Optional.empty()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        Set<String> ids = new HashSet<>();
        for (int i = 1; i <= 4; i++) {
            PortInfo p = svc.createPort(
                            sw, new Mac(0x5254_0000_0000L | i), List.of(new Ipv4(0x0A00_0000 | i)), Optional.empty())
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            assertThat(svc.getPort(PortId.of(p.id()))
                            .toCompletableFuture()
                            .get(10, TimeUnit.SECONDS)
                            .mac())
                    .isEqualTo(new Mac(0x5254_0000_0000L | i).toString());
            ids.add(p.id());
        }
        assertThat(ids).hasSize(4);
        assertThat(svc.getSwitch(sw)
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS)
                        .ports())
                .containsExactlyInAnyOrderElementsOf(ids);
    }

    /** The ids of the LogicalPort entities running on this node, from its shard region. */
    private static Set<String> runningPortEntities() {
        TestProbe<ShardRegion.CurrentShardRegionState> probe = testKit.createTestProbe();
        ClusterSharding.get(testKit.system())
                .shardState()
                .tell(new GetShardRegionState(LogicalPortEntity.TYPE_KEY, probe.getRef()));
        Set<String> ids = new HashSet<>();
        probe.receiveMessage(Duration.ofSeconds(5)).getShards().forEach(s -> ids.addAll(s.getEntityIds()));
        return ids;
    }

    private static void awaitTrue(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(what + ": not within 10 s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
