package io.portmesh.sharding.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.sharding.EntityTestKits;
import io.portmesh.sharding.host.HostEntity;
import io.portmesh.sharding.host.HostProtocol;
import io.portmesh.sharding.registry.TunnelIpRegistryEntity;
import io.portmesh.sharding.view.TopologyView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Host registration through the real service on a one-node cluster: one tunnel IP, one host. */
class TunnelIpUniquenessTest {
    private static final Duration ASK = Duration.ofSeconds(5);
    static final ActorTestKit testKit = ActorTestKit.create(
            ConfigFactory.parseString("pekko.cluster.jmx.enabled = off").withFallback(EntityTestKits.config()));
    private static final AtomicInteger ids = new AtomicInteger();
    private static NetworkService svc;
    private static ClusterSharding sharding;

    @BeforeAll
    static void joinAndStartSharding() {
        EntityTestKits.startEntities(testKit.system(), ASK, Duration.ofSeconds(2));
        sharding = ClusterSharding.get(testKit.system());
        svc = new ShardedNetworkService(testKit.system(), new TopologyView(), ASK, Duration.ofSeconds(2));
    }

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
    }

    @Test
    void aSecondHostOnATakenTunnelIpIsAConflictNamingTheOtherHostAndIsNotRegistered() throws Exception {
        HostId first = newHostId();
        HostId second = newHostId();
        await(svc.createHost(first, Ipv4.parse("10.20.0.1")));

        assertThat(failure(svc.createHost(second, Ipv4.parse("10.20.0.1"))))
                .isInstanceOf(ConflictException.class)
                .hasMessageStartingWith("tunnelIp: tunnel IP 10.20.0.1 is already used by host " + first);
        assertThat(failure(svc.getHost(second))).isInstanceOf(NotFoundException.class);
        // a retry of the first registration is still answered as before
        assertThat(await(svc.createHost(first, Ipv4.parse("10.20.0.1"))).tunnelIp())
                .isEqualTo("10.20.0.1");
    }

    @Test
    void hostsRacingForOneTunnelIpLeaveExactlyOneRegistered() throws Exception {
        List<HostId> hosts = new ArrayList<>();
        List<CompletableFuture<HostInfo>> attempts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            HostId h = newHostId();
            hosts.add(h);
            attempts.add(svc.createHost(h, Ipv4.parse("10.21.0.1")).toCompletableFuture());
        }
        List<HostId> registered = new ArrayList<>();
        for (int i = 0; i < attempts.size(); i++) {
            try {
                attempts.get(i).get(20, TimeUnit.SECONDS);
                registered.add(hosts.get(i));
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(ConflictException.class);
            }
        }
        assertThat(registered).hasSize(1);
        for (HostId h : hosts) {
            if (!registered.contains(h)) {
                assertThat(failure(svc.getHost(h))).isInstanceOf(NotFoundException.class);
            }
        }
    }

    /** The host existed before tunnel IPs were claimed, with another IP: it refuses, and the new IP is free again. */
    @Test
    void aHostThatRefusesTheRegistrationGivesTheClaimBack() throws Exception {
        HostId h = newHostId();
        await(sharding.entityRefFor(HostEntity.TYPE_KEY, h.value())
                .<HostInfo>askWithStatus(r -> new HostProtocol.Register(Ipv4.parse("10.22.0.1"), r), ASK));

        assertThat(failure(svc.createHost(h, Ipv4.parse("10.22.0.2"))))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("already exists with tunnelIp 10.22.0.1");
        HostId other = newHostId();
        assertThat(await(svc.createHost(other, Ipv4.parse("10.22.0.2"))).tunnelIp())
                .isEqualTo("10.22.0.2");
    }

    /**
     * What a failure between the two steps leaves (the claim persisted, the host never registered): the claim belongs
     * to that host id, a retry with the same id and IP registers it, and another host is refused naming it.
     */
    @Test
    void aClaimLeftByAnUnfinishedRegistrationIsReusedByItsRetry() throws Exception {
        HostId h = newHostId();
        await(sharding.entityRefFor(TunnelIpRegistryEntity.TYPE_KEY, TunnelIpRegistryEntity.ID)
                .<Done>askWithStatus(r -> new TunnelIpRegistryEntity.Claim(h.value(), "10.23.0.1", r), ASK));
        assertThat(failure(svc.getHost(h))).isInstanceOf(NotFoundException.class);

        assertThat(failure(svc.createHost(newHostId(), Ipv4.parse("10.23.0.1"))))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("host " + h);
        assertThat(await(svc.createHost(h, Ipv4.parse("10.23.0.1"))).tunnelIp()).isEqualTo("10.23.0.1");
        assertThat(await(svc.getHost(h)).tunnelIp()).isEqualTo("10.23.0.1");
    }

    @Test
    void registryMessagesSurviveSerialization() {
        var ser = testKit.serializationTestKit();
        var probe = testKit.<StatusReply<Done>>createTestProbe();
        ser.verifySerialization(new TunnelIpRegistryEntity.Claim("esx-1", "10.0.0.1", probe.ref()), true);
        ser.verifySerialization(new TunnelIpRegistryEntity.Release("esx-1", "10.0.0.1", probe.ref()), true);
        ser.verifySerialization(new TunnelIpRegistryEntity.Claimed("esx-1", "10.0.0.1"), true);
        ser.verifySerialization(new TunnelIpRegistryEntity.State(Map.of("10.0.0.1", "esx-1")), true);
    }

    private static HostId newHostId() {
        return HostId.of("tep-" + ids.incrementAndGet());
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    private static Throwable failure(CompletionStage<?> stage) throws Exception {
        try {
            Object v = stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + v);
        } catch (ExecutionException e) {
            Throwable t = e.getCause();
            return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        }
    }
}
