package io.portmesh.sharding.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.portmesh.model.Ipv4;
import io.portmesh.sharding.EntityTestKits;
import io.portmesh.sharding.lswitch.SwitchMembers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fan-out on a one-node cluster: hosts that run here are reached through this node's {@link HostFanout.Deliver},
 * a host no node claims is asked through sharding, and the node's list of its hosts follows entities that start and
 * stop. The three-node path (one Deliver per node) runs in the cluster module's integration tests.
 */
class HostFanoutTest {
    private static final Duration ASK = Duration.ofSeconds(5);
    static final ActorTestKit testKit = ActorTestKit.create(
            ConfigFactory.parseString("pekko.cluster.jmx.enabled = off").withFallback(EntityTestKits.config()));
    private static HostFanout fanout;

    @BeforeAll
    static void joinAndStartSharding() throws Exception {
        var system = testKit.system();
        EntityTestKits.joinAsSingleNode(system);
        // members are never fetched here: every update below carries what the host needs
        HostEntity.init(system, Duration.ofSeconds(2), ASK);
        fanout = HostFanout.get(system);
    }

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
    }

    @Test
    void aHostThatRunsHereIsReachedThroughThisNode() throws Exception {
        register("fan-h1");
        assertThat(fanout.localHosts()).contains("fan-h1");
        awaitListed();
        long viaNodes = fanout.reachedThroughNodes();
        long direct = fanout.askedDirectly();

        Map<String, HostProtocol.Applied> applied = inform(List.of("fan-h1"), Set.of("fan-h1"));

        assertThat(applied).containsOnlyKeys("fan-h1");
        assertThat(fanout.reachedThroughNodes()).isEqualTo(viaNodes + 1);
        assertThat(fanout.askedDirectly()).isEqualTo(direct);
    }

    @Test
    void aHostNoNodeClaimsIsAskedThroughShardingWhichStartsIt() throws Exception {
        assertThat(fanout.localHosts()).doesNotContain("fan-h2");
        long direct = fanout.askedDirectly();

        Map<String, HostProtocol.Applied> applied = inform(List.of("fan-h2"), Set.of("fan-h2"));

        assertThat(applied).containsOnlyKeys("fan-h2");
        assertThat(fanout.askedDirectly()).isEqualTo(direct + 1);
        assertThat(fanout.localHosts()).contains("fan-h2");
    }

    @Test
    void hostsThatHoldTheListGetTheChangeAndOnlyTheOthersTheWholeList() throws Exception {
        register("fan-h3");
        register("fan-h4");
        // fan-h3 holds no list: a change alone would need a fetch (which has no switch to ask here and fails);
        // given the whole list it answers at once, and fan-h4, which has no port of the switch, ignores the change
        Map<String, HostProtocol.Applied> applied = inform(List.of("fan-h3", "fan-h4"), Set.of("fan-h3"));

        assertThat(applied).containsOnlyKeys("fan-h3", "fan-h4");
    }

    @Test
    void anEntityThatStopsLeavesThisNodesHosts() throws Exception {
        ActorRef<HostProtocol.Command> host = testKit.spawn(HostEntity.create(
                "fan-h5", "pekko://test@127.0.0.1:1", Duration.ofSeconds(1), s -> null, (p, h) -> {}, fanout));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!fanout.localHosts().contains("fan-h5")) { // the entity registers when it starts, on its own thread
            assertThat(System.nanoTime()).as("fan-h5 started").isLessThan(deadline);
            Thread.sleep(10);
        }

        testKit.stop(host);

        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (fanout.localHosts().contains("fan-h5")) { // the fan-out learns of it by death watch
            assertThat(System.nanoTime())
                    .as("fan-h5 gone from this node's hosts")
                    .isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void anUpdateForNewHostsMustCarryTheList() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new HostFanout.Update("sw", change(), null, Set.of("h")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whole member list");
    }

    @Test
    void messagesBetweenNodesSerialize() {
        var ser = testKit.serializationTestKit();
        var update = new HostFanout.Update("sw", change(), members(), Set.of("h1"));
        ser.verifySerialization(update, true);
        ser.verifySerialization(new HostFanout.Update("sw", change(), null, Set.of()), true);
        ser.verifySerialization(
                new HostFanout.Deliver(
                        update,
                        List.of("h1", "h2"),
                        true,
                        20_000,
                        testKit.<HostFanout.Delivered>createTestProbe().ref()),
                true);
        ser.verifySerialization(new HostFanout.Delivered(Map.of("h1", new HostProtocol.Applied(3, true))), true);
    }

    private static Map<String, HostProtocol.Applied> inform(List<String> hosts, Set<String> newHosts) throws Exception {
        CompletableFuture<Map<String, HostProtocol.Applied>> f = fanout.inform(
                        new HostFanout.Update("sw-fan", change(), members(), newHosts), hosts, false, ASK)
                .toCompletableFuture();
        return f.get(15, TimeUnit.SECONDS);
    }

    private static void register(String host) throws Exception {
        ClusterSharding.get(testKit.system())
                .entityRefFor(HostEntity.TYPE_KEY, host)
                .<io.portmesh.sharding.service.HostInfo>askWithStatus(
                        r -> new HostProtocol.Register(Ipv4.parse("10.9.0.1"), r), ASK)
                .toCompletableFuture()
                .get(15, TimeUnit.SECONDS);
    }

    /** The receptionist lists this node's own fan-out shortly after start. */
    private static void awaitListed() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (fanout.nodeCount() == 0) {
            assertThat(System.nanoTime()).as("fan-out listed").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static SwitchMembers members() {
        return new SwitchMembers(
                5001, 1, List.of(new SwitchMembers.Member("p1", "52:54:00:00:00:01", "fan-h9", "10.9.0.9")));
    }

    private static SwitchMembers.Change change() {
        return new SwitchMembers.Change(
                5001, 1, new SwitchMembers.Member("p1", "52:54:00:00:00:01", "fan-h9", "10.9.0.9"));
    }
}
