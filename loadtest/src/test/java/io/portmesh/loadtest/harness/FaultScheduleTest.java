package io.portmesh.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultScheduleTest {
    private static final String CHAOS = """
            duration = 10m
            max-run = 20m
            faults = [
              { kind = node-kill, random = 120, from = 30s, restart-after = 5s }
              { kind = node-kill, every = 2m, from = 1m, target = 2 }
              { kind = node-kill, at = 90s, target = 0 }
            ]
            """;

    @Test
    void theSameSeedGivesTheSameSchedule() {
        assertThat(FaultSchedule.plan(Scenario.parse(CHAOS).withSeed(7)))
                .isEqualTo(FaultSchedule.plan(Scenario.parse(CHAOS).withSeed(7)));
    }

    @Test
    void anotherSeedGivesAnotherSchedule() {
        assertThat(FaultSchedule.plan(Scenario.parse(CHAOS).withSeed(7)))
                .isNotEqualTo(FaultSchedule.plan(Scenario.parse(CHAOS).withSeed(8)));
    }

    @Test
    void randomFaultsFallInTheirRangeOnRandomNodesAndEveryFaultIsPlannedInTimeOrder() {
        List<FaultSchedule.Planned> plan =
                FaultSchedule.plan(Scenario.parse(CHAOS).withSeed(7));
        // 120 random, every 2 min from 1 min to 10 min (1, 3, 5, 7, 9), one at 90 s
        assertThat(plan).hasSize(126);
        assertThat(plan).extracting(FaultSchedule.Planned::at).isSorted();
        assertThat(plan)
                .extracting(FaultSchedule.Planned::index)
                .startsWith(1, 2, 3)
                .endsWith(126);
        List<FaultSchedule.Planned> random =
                plan.stream().filter(p -> p.restartAfter() != null).toList();
        assertThat(random).hasSize(120).allSatisfy(p -> {
            assertThat(p.at()).isBetween(Duration.ofSeconds(30), Duration.ofMinutes(10));
            assertThat(p.target()).isBetween(0, 2);
            assertThat(p.allowedLoss()).isZero();
        });
        assertThat(random).extracting(FaultSchedule.Planned::target).contains(0, 1, 2);
        assertThat(plan.stream().filter(p -> p.restartAfter() == null && p.target() == 2))
                .extracting(FaultSchedule.Planned::at)
                .containsExactly(
                        Duration.ofMinutes(1),
                        Duration.ofMinutes(3),
                        Duration.ofMinutes(5),
                        Duration.ofMinutes(7),
                        Duration.ofMinutes(9));
    }

    @Test
    void aFaultAtOrAfterTheEndOfTheRunIsNotPlanned() {
        Scenario s = Scenario.parse("""
                duration = 30s
                faults = [ { kind = node-kill, at = 30s }, { kind = node-kill, at = 29s } ]
                """);
        assertThat(FaultSchedule.plan(s)).extracting(FaultSchedule.Planned::at).containsExactly(Duration.ofSeconds(29));
    }

    /**
     * The chaos scenario's seed injects at least 100 faults of every kind in its 10 minutes, modelled as the runner
     * decides: a node fault is skipped while an earlier one is under way (a kill until every node is Up and ready
     * again, taken as its restart-after plus 90 s, longer than the restarts took in the node-kill runs; a partition
     * until the node is Up again after the heal: its heal-after plus 90 s), an agent kill or an agent disconnect while
     * the same host is still in the outage of either (a kill's 30 s window; a disconnect's settling, taken as 10 s).
     */
    @Test
    void theChaosScenarioInjectsAtLeast100FaultsOfEveryKindWithItsSeedInTenMinutes() {
        Scenario chaos = Scenario.read(java.nio.file.Path.of("scenarios", "chaos.conf"));
        List<FaultSchedule.Planned> plan = FaultSchedule.plan(chaos);
        Duration nodeBusyUntil = Duration.ofMillis(-1);
        java.util.Map<Integer, Duration> hostBusyUntil = new java.util.HashMap<>();
        java.util.Map<Scenario.Kind, Integer> injected = new java.util.EnumMap<>(Scenario.Kind.class);
        for (FaultSchedule.Planned p : plan) {
            if (p.kind().onHost()) {
                if (p.at().compareTo(hostBusyUntil.getOrDefault(p.target(), Duration.ofMillis(-1))) > 0) {
                    injected.merge(p.kind(), 1, Integer::sum);
                    hostBusyUntil.put(
                            p.target(),
                            p.at().plus(
                                            p.kind() == Scenario.Kind.AGENT_KILL
                                                    ? p.allowedLoss()
                                                    : Duration.ofSeconds(10)));
                }
            } else if (p.at().compareTo(nodeBusyUntil) > 0) {
                injected.merge(p.kind(), 1, Integer::sum);
                nodeBusyUntil = p.kind() == Scenario.Kind.PARTITION
                        ? p.at().plus(p.healAfter()).plusSeconds(90)
                        : p.at().plus(p.restartAfter()).plusSeconds(90);
            }
        }
        assertThat(chaos.duration()).isLessThanOrEqualTo(Duration.ofMinutes(10));
        assertThat(chaos.maxRun()).isLessThanOrEqualTo(Duration.ofMinutes(15));
        assertThat(plan).hasSize(188);
        assertThat(injected.values().stream().mapToInt(Integer::intValue).sum()).isGreaterThanOrEqualTo(110);
        assertThat(injected)
                .containsKeys(
                        Scenario.Kind.NODE_KILL,
                        Scenario.Kind.AGENT_KILL,
                        Scenario.Kind.PARTITION,
                        Scenario.Kind.AGENT_DISCONNECT);
        assertThat(plan.stream().filter(p -> p.kind() == Scenario.Kind.AGENT_KILL))
                .extracting(FaultSchedule.Planned::target)
                .containsOnly(0, 1, 2);
        assertThat(plan.stream().filter(p -> p.kind() == Scenario.Kind.AGENT_DISCONNECT))
                .extracting(FaultSchedule.Planned::target)
                .containsOnly(0, 1, 2, 3, 4, 5, 6, 7);
    }
}
