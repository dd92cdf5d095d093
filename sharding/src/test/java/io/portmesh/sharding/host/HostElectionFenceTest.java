package io.portmesh.sharding.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.Ipv4;
import io.portmesh.sharding.EntityTestKits;
import io.portmesh.sharding.lswitch.SwitchMembers;
import io.portmesh.sharding.service.HostInfo;
import io.portmesh.sharding.southbound.SessionCommand;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Host entity on a node that does not see a majority of the cluster elects no master (docs/architecture.md section
 * 7.3, "Partition"): neither for an agent that connects, nor past a newer generation an agent reports (most likely
 * the majority's incarnation of the same host). When the majority is back, the put-off election goes ahead.
 */
class HostElectionFenceTest {
    static final ActorTestKit testKit = ActorTestKit.create(EntityTestKits.config());
    private static final String NODE = "pekko://test@127.0.0.1:1";
    private final AtomicBoolean majority = new AtomicBoolean(true);
    private EventSourcedBehaviorTestKit<HostProtocol.Command, HostEntity.Event, HostState> kit;

    @BeforeEach
    void setUp() {
        HostProtocol.SwitchDirectory switches = new HostProtocol.SwitchDirectory() {
            @Override
            public CompletionStage<SwitchMembers> members(String switchId) {
                return CompletableFuture.completedFuture(new SwitchMembers(100, 1, List.of()));
            }

            @Override
            public CompletionStage<?> setEndpoint(String sw, String host, String tep, String standby, long epoch) {
                return CompletableFuture.completedFuture(null);
            }
        };
        kit = EventSourcedBehaviorTestKit.create(
                testKit.system(),
                HostEntity.create("esx-1", NODE, Duration.ofSeconds(2), switches, (p, h) -> {}, null, majority::get));
        kit.clear();
        kit.<StatusReply<HostInfo>>runCommand(r -> new HostProtocol.Register(Ipv4.parse("10.0.0.1"), r));
    }

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
    }

    @Test
    void anAgentThatConnectsWithoutAMajorityGetsNoMasterUntilTheMajorityIsBack() {
        TestProbe<SessionCommand> agent = testKit.createTestProbe();
        majority.set(false);

        var result = kit.runCommand(new HostProtocol.AgentConnected(agent.ref(), "a", "00:0a", NODE, "127.0.0.1:1"));

        assertThat(result.events()).noneMatch(e -> e instanceof HostEntity.MasterElected);
        agent.expectNoMessage(Duration.ofMillis(3 * HostEntity.QUORUM_RECHECK.toMillis()));

        majority.set(true);
        SessionCommand.SetRole role = agent.expectMessageClass(SessionCommand.SetRole.class, Duration.ofSeconds(2));
        assertThat(role.master()).isTrue();
        assertThat(role.generation()).isEqualTo(1);
    }

    @Test
    void aNewerGenerationSeenWithoutAMajorityIsNotFoughtButIsElectedPastOnceTheMajorityIsBack() {
        TestProbe<SessionCommand> agent = testKit.createTestProbe();
        kit.runCommand(new HostProtocol.AgentConnected(agent.ref(), "a", "00:0a", NODE, "127.0.0.1:1"));
        assertThat(agent.expectMessageClass(SessionCommand.SetRole.class).generation())
                .isEqualTo(1);
        agent.receiveMessage(); // the reconciliation read
        majority.set(false);

        // the majority's incarnation of this host took the agent with generation 5
        var result = kit.runCommand(new HostProtocol.RoleStale(agent.ref(), 5));

        assertThat(result.events()).isEmpty();
        agent.expectNoMessage(Duration.ofMillis(3 * HostEntity.QUORUM_RECHECK.toMillis()));

        majority.set(true);
        SessionCommand.SetRole role = agent.expectMessageClass(SessionCommand.SetRole.class, Duration.ofSeconds(3));
        assertThat(role.master()).isTrue();
        assertThat(role.generation()).isEqualTo(6);
    }
}
