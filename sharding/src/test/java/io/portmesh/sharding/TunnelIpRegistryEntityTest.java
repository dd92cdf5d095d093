package io.portmesh.sharding;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.sharding.registry.TunnelIpRegistryEntity;
import io.portmesh.sharding.service.ConflictException;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TunnelIpRegistryEntityTest {
    static final ActorTestKit testKit = ActorTestKit.create(EntityTestKits.config());
    private EventSourcedBehaviorTestKit<
                    TunnelIpRegistryEntity.Command, TunnelIpRegistryEntity.Event, TunnelIpRegistryEntity.State>
            kit;

    @BeforeEach
    void setUp() {
        kit = EventSourcedBehaviorTestKit.create(
                testKit.system(), TunnelIpRegistryEntity.create(TunnelIpRegistryEntity.ID));
        kit.clear();
    }

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
    }

    @Test
    void anIpHeldByOneHostIsAConflictForAnotherNamingTheHolder() {
        var first = claim("esx-1", "10.0.0.1");
        assertThat(first.event()).isEqualTo(new TunnelIpRegistryEntity.Claimed("esx-1", "10.0.0.1"));
        assertThat(first.reply().isSuccess()).isTrue();

        var second = claim("esx-2", "10.0.0.1");
        assertThat(second.hasNoEvents()).isTrue();
        assertThat(Errors.toException(second.reply().getError()))
                .isInstanceOf(ConflictException.class)
                .hasMessageStartingWith("tunnelIp: tunnel IP 10.0.0.1 is already used by host esx-1");
        assertThat(kit.getState().hostByIp()).containsOnly(Map.entry("10.0.0.1", "esx-1"));
    }

    @Test
    void aClaimIsIdempotentForItsHostAndAHostKeepsOneIp() {
        claim("esx-1", "10.0.0.1");
        var retried = claim("esx-1", "10.0.0.1");
        assertThat(retried.hasNoEvents()).isTrue();
        assertThat(retried.reply().isSuccess()).isTrue();

        var another = claim("esx-1", "10.0.0.2");
        assertThat(another.hasNoEvents()).isTrue();
        assertThat(Errors.toException(another.reply().getError()))
                .isInstanceOf(ConflictException.class)
                .hasMessageStartingWith("tunnelIp: host esx-1 already holds tunnel IP 10.0.0.1");
    }

    @Test
    void onlyTheHolderReleasesAndClaimsSurviveARestart() {
        claim("esx-1", "10.0.0.1");
        claim("esx-2", "10.0.0.2");

        var notHers = release("esx-2", "10.0.0.1");
        assertThat(notHers.hasNoEvents()).isTrue();
        assertThat(notHers.reply().isSuccess()).isTrue();

        var released = release("esx-1", "10.0.0.1");
        assertThat(released.event()).isEqualTo(new TunnelIpRegistryEntity.Released("esx-1", "10.0.0.1"));
        assertThat(release("esx-1", "10.0.0.1").hasNoEvents()).isTrue();
        assertThat(claim("esx-3", "10.0.0.1").reply().isSuccess()).isTrue();

        kit.restart();
        assertThat(kit.getState().hostByIp())
                .containsEntry("10.0.0.1", "esx-3")
                .containsEntry("10.0.0.2", "esx-2")
                .hasSize(2);
    }

    private EventSourcedBehaviorTestKit.CommandResultWithReply<
                    TunnelIpRegistryEntity.Command,
                    TunnelIpRegistryEntity.Event,
                    TunnelIpRegistryEntity.State,
                    StatusReply<Done>>
            claim(String host, String ip) {
        return kit.runCommand(r -> new TunnelIpRegistryEntity.Claim(host, ip, r));
    }

    private EventSourcedBehaviorTestKit.CommandResultWithReply<
                    TunnelIpRegistryEntity.Command,
                    TunnelIpRegistryEntity.Event,
                    TunnelIpRegistryEntity.State,
                    StatusReply<Done>>
            release(String host, String ip) {
        return kit.runCommand(r -> new TunnelIpRegistryEntity.Release(host, ip, r));
    }
}
