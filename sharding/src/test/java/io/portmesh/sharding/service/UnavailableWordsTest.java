package io.portmesh.sharding.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.SwitchId;
import io.portmesh.sharding.EntityTestKits;
import io.portmesh.sharding.view.TopologyView;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A service whose asks are never answered: the entities it asks are stand-ins that handle no message (and stop on hand-off) (a real
 * entity can answer within the scheduler's tick, which is what a microsecond's timeout becomes). Every failure is an
 * {@link UnavailableException} that names the entity and what it was asked, says whether a change may have been
 * applied, and carries no class name.
 */
class UnavailableWordsTest {
    static final ActorTestKit testKit = ActorTestKit.create(
            ConfigFactory.parseString("pekko.cluster.jmx.enabled = off").withFallback(EntityTestKits.config()));
    private static NetworkService impatient;

    @BeforeAll
    static void start() {
        var system = testKit.system();
        EntityTestKits.joinAsSingleNode(system);
        var sharding = org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.get(system);
        sharding.init(org.apache.pekko.cluster.sharding.typed.javadsl.Entity.of(
                io.portmesh.sharding.lswitch.VniRegistryEntity.TYPE_KEY, ctx -> Behaviors.empty()));
        sharding.init(org.apache.pekko.cluster.sharding.typed.javadsl.Entity.of(
                io.portmesh.sharding.registry.TunnelIpRegistryEntity.TYPE_KEY, ctx -> Behaviors.empty()));
        sharding.init(org.apache.pekko.cluster.sharding.typed.javadsl.Entity.of(
                io.portmesh.sharding.lswitch.LogicalSwitchEntity.TYPE_KEY, ctx -> Behaviors.empty()));
        sharding.init(org.apache.pekko.cluster.sharding.typed.javadsl.Entity.of(
                io.portmesh.sharding.host.HostEntity.TYPE_KEY, ctx -> Behaviors.empty()));
        impatient = new ShardedNetworkService(
                testKit.system(), new TopologyView(), Duration.ofNanos(1000), Duration.ofSeconds(2));
    }

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
    }

    @Test
    void aReadSaysWhatDidNotAnswerAndThatNothingChanged() throws Exception {
        assertThat(unavailable(impatient.getSwitch(SwitchId.of("never-asked-1"))))
                .isEqualTo("switch never-asked-1 did not answer in time (waited 0 s); nothing was changed, and the"
                        + " request may be retried");
        assertThat(unavailable(impatient.getHost(HostId.of("never-asked-2")))).startsWith("host never-asked-2 ");
    }

    @Test
    void aChangeSaysWhatWasAskedAndThatItMayHaveBeenApplied() throws Exception {
        // a port answers within its own client timeout (ask timeouts plus a margin), so its words are the call's
        Throwable port = EntityCall.change("port p-3", "bind to host esx-1", "port p-3")
                .explain(new java.util.concurrent.TimeoutException("ask timed out"), Duration.ofSeconds(21));
        assertThat(port)
                .isInstanceOf(UnavailableException.class)
                .hasMessage("port p-3 did not answer to bind to host esx-1 in time (waited 21 s); the change"
                        + " may or may not have been applied: read port p-3 back before retrying");
        assertThat(unavailable(impatient.createSwitch(SwitchId.of("never-asked-4"), Optional.empty())))
                .startsWith("the VNI registry did not answer to claim a VNI for switch never-asked-4 in time")
                .endsWith("read switch never-asked-4 back before retrying");
        assertThat(unavailable(impatient.createHost(HostId.of("never-asked-5"), Ipv4.parse("10.30.0.1"))))
                .startsWith("the tunnel IP registry did not answer to claim 10.30.0.1 for host never-asked-5");
    }

    private static String unavailable(CompletionStage<?> stage) throws Exception {
        Throwable t;
        try {
            stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
            throw new AssertionError("expected no answer in time");
        } catch (ExecutionException e) {
            t = e.getCause() instanceof CompletionException c && c.getCause() != null ? c.getCause() : e.getCause();
        }
        assertThat(t).isInstanceOf(UnavailableException.class);
        assertThat(t.getMessage()).doesNotContain("Exception", "pekko", "io.portmesh", "EntityRef");
        return t.getMessage();
    }
}
