package io.portmesh.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PathLossTest {
    /** VM 0 on host 0 sends to VM 1 on host 1; the run ends at 60 s. */
    private static final List<PathLoss.Presence> STILL = PathLoss.presence(List.of(0, 1), List.of(), 60_000);

    private static PathLoss.StreamLoss lostAt(long... sentMs) {
        return new PathLoss.StreamLoss("VM 1 -> VM 2", 0, 1, sentMs);
    }

    @Test
    void aFaultOnAnotherHostExcusesNothingOnThisPathOneOnItsHostsOrOnTheClusterDoes() {
        List<PathLoss.StreamLoss> lost = List.of(lostAt(12_000, 13_000));
        List<PathLoss.Window> elsewhere = List.of(new PathLoss.Window(10_000, 40_000, "#1", 2));

        List<Invariants.Violation> v = PathLoss.check(lost, elsewhere, STILL);
        assertThat(v).hasSize(1);
        assertThat(v.get(0).invariant()).isEqualTo(Invariants.FRAMES);
        assertThat(v.get(0).what()).startsWith("2 of 2 lost frames").contains("VM 1 -> VM 2 sent at 12.000 s");
        assertThat(v.get(0).atMs()).isEqualTo(12_000);

        assertThat(PathLoss.check(lost, List.of(new PathLoss.Window(10_000, 40_000, "#1", 0)), STILL))
                .as("a fault on the sender's host")
                .isEmpty();
        assertThat(PathLoss.check(lost, List.of(new PathLoss.Window(10_000, 40_000, "#1", 1)), STILL))
                .as("a fault on the receiver's host")
                .isEmpty();
        assertThat(PathLoss.check(lost, List.of(new PathLoss.Window(10_000, 40_000, "#1", -1)), STILL))
                .as("a fault on the whole cluster")
                .isEmpty();
    }

    @Test
    void aFrameSentAfterItsWindowClosedOrLongBeforeItOpenedIsNotExcusedOneOnItsWayWhenTheFaultFiredIs() {
        List<PathLoss.Window> w = List.of(new PathLoss.Window(10_000, 40_000, "#1", 0));
        assertThat(PathLoss.check(List.of(lostAt(9_700)), w, STILL))
                .as("300 ms before: on its way")
                .isEmpty();
        assertThat(PathLoss.check(List.of(lostAt(9_000)), w, STILL)).hasSize(1);
        assertThat(PathLoss.check(List.of(lostAt(40_001)), w, STILL)).hasSize(1);
        assertThat(PathLoss.check(List.of(lostAt(Long.MIN_VALUE)), w, STILL))
                .as("a frame whose send time is not known")
                .hasSize(1);
        assertThat(PathLoss.check(List.of(lostAt()), List.of(), STILL))
                .as("nothing lost")
                .isEmpty();
        assertThat(PathLoss.check(
                        List.of(lostAt(9_900)), List.of(new PathLoss.Window(10_000, 10_000, "#2", -1)), STILL))
                .as("a fault declared to lose nothing (a node kill) excuses nothing, not even a frame on its way")
                .hasSize(1);
    }

    @Test
    void aVmIsOnItsPathsHostsAsItMoves() {
        MoveSchedule.Planned toHost2 =
                new MoveSchedule.Planned(1, Duration.ofSeconds(20), 1, 0, 0, 2, Duration.ofSeconds(30));
        MoveSchedule.Planned back =
                new MoveSchedule.Planned(2, Duration.ofSeconds(40), 2, 0, 2, 0, Duration.ofSeconds(30));
        List<PathLoss.Presence> moved = PathLoss.presence(
                List.of(0, 1),
                List.of(
                        new VmMoves.Result(back, VmMoves.Outcome.FAILED, 40_000, 50, Double.NaN, Double.NaN, "x"),
                        new VmMoves.Result(toHost2, VmMoves.Outcome.COMPLETED, 20_000, 50, 300, 1_000, "")),
                60_000);
        List<PathLoss.Window> onHost2 = List.of(new PathLoss.Window(0, 60_000, "#1", 2));
        List<PathLoss.Window> onHost0 = List.of(new PathLoss.Window(0, 60_000, "#1", 0));

        assertThat(PathLoss.check(List.of(lostAt(10_000)), onHost2, moved))
                .as("before the move")
                .hasSize(1);
        assertThat(PathLoss.check(List.of(lostAt(20_500)), onHost2, moved))
                .as("during it")
                .isEmpty();
        assertThat(PathLoss.check(List.of(lostAt(20_500)), onHost0, moved))
                .as("during it")
                .isEmpty();
        assertThat(PathLoss.check(List.of(lostAt(30_000)), onHost2, moved))
                .as("after it")
                .isEmpty();
        assertThat(PathLoss.check(List.of(lostAt(30_000)), onHost0, moved))
                .as("after it, not on host 1")
                .hasSize(1);
        assertThat(PathLoss.check(List.of(lostAt(55_000)), onHost0, moved))
                .as("after a failed move: where the VM is is not known, both hosts")
                .isEmpty();
        assertThat(PathLoss.check(List.of(lostAt(55_000)), onHost2, moved)).isEmpty();
    }
}
