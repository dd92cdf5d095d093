package io.portmesh.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MoveScheduleTest {
    /** 6 hosts, 3 pairs: VMs 0..5 start on hosts 0, 3, 1, 4, 2, 5 (pair p on p and p + 3), as the fabric binds them. */
    private static final String MOVES = """
            duration = 120s
            fabric { hosts = 6, vm-pairs = 3 }
            workloads.moves = [
              { every = 5s, from = 5s, until = 65s, concurrent = 1 }
              { every = 20s, from = 70s, concurrent = 4, timeout = 45s }
            ]
            """;

    private static final List<Integer> START = List.of(0, 3, 1, 4, 2, 5);

    private static List<MoveSchedule.Planned> plan(long seed) {
        return MoveSchedule.plan(Scenario.parse(MOVES).withSeed(seed), START);
    }

    @Test
    void theSameSeedGivesTheSameMovesAndAnotherSeedOthers() {
        assertThat(plan(3)).isEqualTo(plan(3));
        assertThat(plan(3)).isNotEqualTo(plan(4));
    }

    @Test
    void roundsInARowMoveOneVmEachAndConcurrentRoundsSeveralDistinctVmsAtOnce() {
        List<MoveSchedule.Planned> plan = plan(3);
        // 12 rounds of one (5 s .. 60 s), then 3 rounds of four (70, 90, 110 s)
        assertThat(plan).hasSize(12 + 3 * 4);
        assertThat(plan).extracting(MoveSchedule.Planned::at).isSorted();
        assertThat(plan.subList(0, 12))
                .extracting(MoveSchedule.Planned::vm)
                .containsExactly(0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5);
        for (int r = 0; r < 3; r++) {
            List<MoveSchedule.Planned> round = plan.subList(12 + 4 * r, 16 + 4 * r);
            assertThat(round).extracting(MoveSchedule.Planned::at).containsOnly(Duration.ofSeconds(70 + 20L * r));
            assertThat(round).extracting(MoveSchedule.Planned::vm).doesNotHaveDuplicates();
            assertThat(round).extracting(MoveSchedule.Planned::timeout).containsOnly(Duration.ofSeconds(45));
        }
        assertThat(plan.get(0).timeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void everyMoveStartsWhereTheVmIsAndLeavesTheHostsOfItAndOfItsPeer() {
        for (long seed = 1; seed <= 50; seed++) {
            Map<Integer, Integer> at = new HashMap<>();
            for (int vm = 0; vm < START.size(); vm++) {
                at.put(vm, START.get(vm));
            }
            for (MoveSchedule.Planned m : plan(seed)) {
                assertThat(m.from()).as("seed %d, %s", seed, m.describe()).isEqualTo(at.get(m.vm()));
                assertThat(m.to())
                        .isNotEqualTo(m.from())
                        .isNotEqualTo(at.get(m.vm() ^ 1))
                        .isBetween(0, 5);
                at.put(m.vm(), m.to());
            }
        }
    }

    @Test
    void aVmsSecondMoveTakesItBackWhereItCameFromUnlessItsPeerIsThere() {
        int backAndForth = 0;
        for (long seed = 1; seed <= 50; seed++) {
            Map<Integer, MoveSchedule.Planned> first = new HashMap<>();
            Map<Integer, Integer> at = new HashMap<>();
            for (int vm = 0; vm < START.size(); vm++) {
                at.put(vm, START.get(vm));
            }
            for (MoveSchedule.Planned m : plan(seed)) {
                MoveSchedule.Planned f = first.putIfAbsent(m.vm(), m);
                if (f != null && f != m && m.index() == secondMoveOf(plan(seed), m.vm())) {
                    if (at.get(m.vm() ^ 1) != f.from()) {
                        assertThat(m.to())
                                .as("seed %d, %s after %s", seed, m.describe(), f.describe())
                                .isEqualTo(f.from());
                        backAndForth++;
                    }
                }
                at.put(m.vm(), m.to());
            }
        }
        assertThat(backAndForth).isGreaterThan(100);
    }

    private static int secondMoveOf(List<MoveSchedule.Planned> plan, int vm) {
        return plan.stream()
                .filter(m -> m.vm() == vm)
                .skip(1)
                .findFirst()
                .orElseThrow()
                .index();
    }

    @Test
    void aDrawnHostIsNeitherOfTheTwoAndEveryOtherComesUp() {
        SplittableRandom rnd = new SplittableRandom(1);
        for (int[] ab : new int[][] {{0, 1}, {1, 0}, {2, 2}, {0, 3}}) {
            java.util.Set<Integer> seen = new java.util.HashSet<>();
            for (int i = 0; i < 200; i++) {
                int h = MoveSchedule.draw(rnd, 4, ab[0], ab[1]);
                assertThat(h).isBetween(0, 3).isNotEqualTo(ab[0]).isNotEqualTo(ab[1]);
                seen.add(h);
            }
            assertThat(seen).hasSize(ab[0] == ab[1] ? 3 : 2);
        }
    }

    @Test
    void movesNeedThreeHostsAndAtMostEveryVmInARound() {
        assertThatThrownBy(() -> Scenario.parse("fabric { hosts = 2, vm-pairs = 1 }\nworkloads.moves = [{ at = 5s }]"))
                .isInstanceOf(ConfigException.BadValue.class)
                .hasMessageContaining("workloads.moves");
        assertThatThrownBy(() -> Scenario.parse(
                        "fabric { hosts = 4, vm-pairs = 2 }\nworkloads.moves = [{ at = 5s, concurrent = 5 }]"))
                .isInstanceOf(ConfigException.BadValue.class)
                .hasMessageContaining("workloads.moves.concurrent");
        assertThatThrownBy(() -> Scenario.parse("workloads.moves = [{ concurrent = 1 }]"))
                .isInstanceOf(ConfigException.Missing.class);
        assertThat(MoveSchedule.plan(Scenario.parse("duration = 30s"), START)).isEmpty();
    }
}
