package io.portmesh.cluster.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShutdownBudgetTest {
    private static final List<String> PHASES = List.of("cluster-exiting 5000 ms", "cluster-leave 2000 ms");

    @Test
    void phasesThatEndWithinTheGracePeriodLessTheMarginFit() {
        assertThat(ShutdownBudget.verdict(
                        Duration.ofSeconds(27), Duration.ofSeconds(30), Duration.ofSeconds(3), PHASES))
                .startsWith("SIGTERM fits: ")
                .contains("27000 ms in all");
    }

    @Test
    void phasesThatMayOutlastTheGracePeriodAreRefusedNamingTheSettings() {
        String verdict =
                ShutdownBudget.verdict(Duration.ofSeconds(28), Duration.ofSeconds(30), Duration.ofSeconds(3), PHASES);
        assertThat(verdict)
                .doesNotStartWith("SIGTERM fits")
                .contains("28000 ms in all")
                .contains("killed before it left the cluster")
                .contains("cluster-exiting 5000 ms, cluster-leave 2000 ms")
                .contains("terminationGracePeriodSeconds")
                .contains("PORTMESH_TERMINATION_GRACE_PERIOD");
    }
}
