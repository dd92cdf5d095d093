package io.portmesh.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ScenarioTest {
    @Test
    void everyScenarioOfTheRepositoryReads() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("scenarios"))) {
            assertThat(files.filter(f -> f.toString().endsWith(".conf")).map(Scenario::read))
                    .isNotEmpty()
                    .allSatisfy(s -> assertThat(s.name()).isNotBlank());
        }
    }

    @Test
    void readsTheKeysAndTheSlos() {
        Scenario s = Scenario.parse("""
                name = x
                seed = 5
                duration = 40s
                fabric { hosts = 3, switches = 2, vm-pairs = 1, frame-rate = 50 }
                workloads.create-bind.rate = 4
                faults = [ { kind = node-kill, at = 15s, target = 1, restart-after = 10s } ]
                slo { "latency.bind.p99" { max = 3000 }, "ops.acknowledged.fraction" { min = 0.99 } }
                """);
        assertThat(s.seed()).isEqualTo(5);
        assertThat(s.hosts()).isEqualTo(3);
        assertThat(s.createBindRate()).isEqualTo(4);
        assertThat(s.faults()).singleElement().satisfies(f -> {
            assertThat(f.when()).isEqualTo(new Scenario.When.At(Duration.ofSeconds(15)));
            assertThat(f.target()).isEqualTo("1");
            assertThat(f.restartAfter()).isEqualTo(Duration.ofSeconds(10));
            assertThat(f.allowedLoss()).isZero();
        });
        assertThat(s.slo("latency.bind.p99").orElseThrow().met(2999)).isTrue();
        assertThat(s.slo("latency.bind.p99").orElseThrow().met(3001)).isFalse();
        assertThat(s.slo("ops.acknowledged.fraction").orElseThrow().met(0.9)).isFalse();
        assertThat(s.slo("ops.acknowledged.fraction").orElseThrow().met(Double.NaN))
                .isFalse();
    }

    @Test
    void refusesWhatThisRunnerCannotRunRatherThanIgnoreIt() {
        assertThatThrownBy(() -> Scenario.parse("faults = [ { kind = slow-link, at = 1s } ]"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("slow-link");
        assertThatThrownBy(() -> Scenario.parse("faults = [ { kind = agent-kill, at = 1s } ]"))
                .hasMessageContaining("fabric.agent-processes");
        assertThatThrownBy(() -> Scenario.parse(
                        "fabric.agent-processes = 2, faults = [ { kind = agent-kill, at = 1s, target = 2 } ]"))
                .hasMessageContaining("a host index 0..1");
        assertThatThrownBy(() -> Scenario.parse("faults = [ { kind = partition, at = 1s } ]"))
                .hasMessageContaining("heal-after");
        assertThatThrownBy(() -> Scenario.parse("fabric.agent-processes = 5")).hasMessageContaining("0..4");
        assertThatThrownBy(() -> Scenario.parse("faults = [ { kind = node-kill } ]"))
                .hasMessageContaining("at, .every or .random");
        assertThatThrownBy(() -> Scenario.parse("cluster.nodes = 5")).hasMessageContaining("cluster.nodes");
        assertThatThrownBy(() -> Scenario.parse("faults = [ { kind = node-kill, at = 1s, target = 3 } ]"))
                .hasMessageContaining("faults.target");
    }

    @Test
    void aLinkFaultReadsItsLossAndDelayAndTargetsAnyHost() {
        Scenario s = Scenario.parse("""
                seed = 4
                fabric.hosts = 4
                faults = [
                  { kind = link, at = 10s, target = 3, heal-after = 10s, loss = 0.05, allowed-loss = 10s }
                  { kind = link, at = 30s, target = random, heal-after = 5s, delay = 50ms }
                ]
                """);
        assertThat(s.faults())
                .extracting(Scenario.FaultSpec::link)
                .containsExactly(new LinkSpec(0.05, Duration.ZERO), new LinkSpec(0, Duration.ofMillis(50)));
        List<FaultSchedule.Planned> plan = FaultSchedule.plan(s);
        assertThat(plan.get(0).describe())
                .isEqualTo("#1 link the VMs' links of host 4 at 10.0 s, healed 10.0 s later, loss 0.05, delay 0 ms,"
                        + " allowed loss 10000 ms");
        assertThat(plan.get(1).target()).isBetween(0, 3);
        assertThat(plan.get(1).allowedLoss()).as("a slow link loses nothing").isZero();
        assertThat(Scenario.parse("faults = [ { kind = node-kill, at = 1s } ]")
                        .faults()
                        .get(0)
                        .link())
                .isNull();
    }

    @Test
    void aLinkFaultThatImpairsNothingOrLosesOutsideItsWindowIsRefused() {
        assertThatThrownBy(() -> Scenario.parse("faults = [ { kind = link, at = 1s, delay = 50ms } ]"))
                .as("heal-after is required")
                .hasMessageContaining("faults.heal-after")
                .hasMessageContaining("how long the link stays impaired");
        assertThatThrownBy(() -> Scenario.parse("faults = [ { kind = link, at = 1s, heal-after = 5s } ]"))
                .as("neither loss nor delay")
                .hasMessageContaining("faults.loss")
                .hasMessageContaining("impairs nothing");
        assertThatThrownBy(() -> Scenario.parse(
                        "faults = [ { kind = link, at = 1s, heal-after = 5s, loss = 0.1, allowed-loss = 4s } ]"))
                .hasMessageContaining("faults.allowed-loss")
                .hasMessageContaining("at least heal-after (PT5S)")
                .hasMessageContaining("drops frames until it heals");
        assertThatThrownBy(() -> Scenario.parse(
                        "faults = [ { kind = link, at = 1s, heal-after = 5s, loss = 1.5, allowed-loss = 5s } ]"))
                .hasMessageContaining("faults.loss")
                .hasMessageContaining("0..1");
        assertThatThrownBy(
                        () -> Scenario.parse("faults = [ { kind = link, at = 1s, heal-after = 5s, delay = 1100ms } ]"))
                .hasMessageContaining("faults.delay");
        assertThatThrownBy(() -> Scenario.parse(
                        "faults = [ { kind = link, at = 1s, heal-after = 5s, delay = 5ms, target = 4 } ]"))
                .hasMessageContaining("a host index 0..3");
        assertThatThrownBy(() -> Scenario.parse("faults = [ { kind = node-kill, at = 1s, loss = 0.1 } ]"))
                .hasMessageContaining("only for a link fault");
    }

    @Test
    void aCassandraStopNeedsNoTarget() {
        Scenario s = Scenario.parse("faults = [ { kind = cassandra-stop, at = 5s, restart-after = 10s } ]");
        assertThat(s.faults()).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(Scenario.Kind.CASSANDRA_STOP);
            assertThat(f.restartAfter()).isEqualTo(Duration.ofSeconds(10));
        });
        assertThat(FaultSchedule.plan(s))
                .singleElement()
                .satisfies(
                        p -> assertThat(p.describe())
                                .isEqualTo(
                                        "#1 cassandra-stop (the runner's Cassandra) at 5.0 s, restarted 10.0 s later, allowed loss 0 ms"));
    }

    @Test
    void theRollingRestartPlansOneNodeRestartPerNodeInTurn() {
        Scenario s = Scenario.read(Path.of("scenarios", "rolling-restart.conf"));
        assertThat(FaultSchedule.plan(s))
                .extracting(FaultSchedule.Planned::describe)
                .containsExactly(
                        "#1 node-restart node 1 at 20.0 s, allowed loss 0 ms",
                        "#2 node-restart node 2 at 100.0 s, allowed loss 0 ms",
                        "#3 node-restart node 3 at 180.0 s, allowed loss 0 ms");
        assertThat(s.slo("calls.not-retryable")).isPresent();
        assertThat(s.slo("faults.injected").orElseThrow().met(2)).isFalse();
    }

    @Test
    void anAgentKillTargetsAHostWithItsAgentInAJvmOfItsOwnAndAPartitionHeals() {
        Scenario s = Scenario.parse("""
                seed = 3
                fabric { hosts = 4, agent-processes = 2 }
                workloads { churn.rate = 1.5, broadcast.rate = 20 }
                faults = [
                  { kind = agent-kill, random = 20, target = random, restart-after = 5s, allowed-loss = 30s }
                  { kind = partition, at = 10s, target = 2, heal-after = 20s }
                ]
                """);
        assertThat(s.agentProcesses()).isEqualTo(2);
        assertThat(s.churnRate()).isEqualTo(1.5);
        assertThat(s.broadcastRate()).isEqualTo(20);
        assertThat(s.inFlight()).as("the default").isEqualTo(256);
        assertThat(Scenario.parse("workloads.in-flight = 12").inFlight()).isEqualTo(12);
        assertThatThrownBy(() -> Scenario.parse("workloads.in-flight = 0")).hasMessageContaining("workloads.in-flight");
        List<FaultSchedule.Planned> plan = FaultSchedule.plan(s);
        assertThat(plan.stream().filter(p -> p.kind() == Scenario.Kind.AGENT_KILL))
                .hasSize(20)
                .allSatisfy(p -> {
                    assertThat(p.target()).isBetween(0, 1);
                    assertThat(p.allowedLoss()).isEqualTo(Duration.ofSeconds(30));
                })
                .extracting(FaultSchedule.Planned::target)
                .contains(0, 1);
        assertThat(plan.stream().filter(p -> p.kind() == Scenario.Kind.PARTITION))
                .singleElement()
                .satisfies(p -> assertThat(p.describe())
                        .endsWith("partition node 3 at 10.0 s, healed 20.0 s later, allowed loss 0 ms"));
        assertThat(plan.stream()
                        .filter(p -> p.kind() == Scenario.Kind.AGENT_KILL)
                        .findFirst()
                        .orElseThrow()
                        .describe())
                .contains("agent-kill the agent of host ", ", restarted 5.0 s later, allowed loss 30000 ms");
    }

    @Test
    void pairHostsAreTheAgentProcessHostsAndAnAgentKillNamesItsSlot() {
        Scenario s = Scenario.read(Path.of("scenarios", "pair-kill.conf"));
        assertThat(s.agentsPerHost()).isEqualTo(2);
        assertThat(s.agentProcesses()).isEqualTo(2);
        List<FaultSchedule.Planned> plan = FaultSchedule.plan(s);
        assertThat(plan).extracting(FaultSchedule.Planned::slot).contains(Scenario.ACTIVE, "standby");
        assertThat(plan)
                .filteredOn(p -> p.slot().equals("standby"))
                .singleElement()
                .satisfies(p -> assertThat(p.describe())
                        .isEqualTo("#4 agent-kill the agent of host 1 (slot standby) at 72.0 s, restarted 5.0 s later,"
                                + " allowed loss 1000 ms"));
        assertThat(plan)
                .filteredOn(p -> p.slot().equals(Scenario.ACTIVE))
                .allSatisfy(p -> assertThat(p.describe()).doesNotContain("slot"));
        assertThatThrownBy(() -> Scenario.parse("fabric.agents-per-host = 2"))
                .hasMessageContaining("fabric.agent-processes at least 1");
        assertThatThrownBy(() -> Scenario.parse("fabric.agents-per-host = 3")).hasMessageContaining("1, or 2");
        assertThatThrownBy(
                        () -> Scenario.parse(
                                "fabric.agent-processes = 1, faults = [ { kind = agent-kill, at = 1s, target = 0, slot = b } ]"))
                .as("a slot names an agent of a pair")
                .hasMessageContaining("faults.slot");
        assertThatThrownBy(() -> Scenario.parse("fabric { agent-processes = 1, agents-per-host = 2 }, faults = ["
                        + " { kind = agent-kill, at = 1s, target = 0, slot = c } ]"))
                .hasMessageContaining("faults.slot");
    }
}
