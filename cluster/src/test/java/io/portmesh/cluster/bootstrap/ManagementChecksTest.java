package io.portmesh.cluster.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.portmesh.cluster.rest.FakeNodeHealth;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The management port's checks on a plain actor system. What makes the node's own readiness (an Up member seeing a
 * majority, the journal answering, OpenFlow bound) is ControllerHealth's, tested condition by condition in
 * HealthWordsTest; here: that the readiness check answers exactly that, and false before there is a node.
 */
class ManagementChecksTest {
    private ActorSystem system;

    @BeforeEach
    void start() {
        system = ActorSystem.create(
                "checks",
                ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
    }

    @AfterEach
    void stop() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static boolean answer(java.util.function.Supplier<java.util.concurrent.CompletionStage<Boolean>> check)
            throws Exception {
        return check.get().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void readinessIsFalseBeforeTheNodeRegisteredItsHealth() throws Exception {
        assertThat(answer(new ReadinessCheck(system))).isFalse();
    }

    @Test
    void readinessFollowsTheNodesOwnReadiness() throws Exception {
        FakeNodeHealth health = new FakeNodeHealth();
        RegisteredHealth.get(system).register(health);
        ReadinessCheck check = new ReadinessCheck(system);

        health.cassandra("no Cassandra node at 127.0.0.1:9042 answers");
        assertThat(answer(check)).isFalse();

        health.cassandra("ok");
        assertThat(answer(check)).isTrue();
    }

    @Test
    void livenessIsTrueWhileTheActorSystemRunsAndFalseOnceItTerminated() throws Exception {
        LivenessCheck check = new LivenessCheck(system);
        assertThat(answer(check)).isTrue();

        system.terminate();
        system.getWhenTerminated()
                .toCompletableFuture()
                .get(Duration.ofSeconds(10).toSeconds(), TimeUnit.SECONDS);
        assertThat(answer(check)).isFalse();
    }
}
