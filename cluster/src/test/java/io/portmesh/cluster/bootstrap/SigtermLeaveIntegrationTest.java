package io.portmesh.cluster.bootstrap;

import static io.portmesh.cluster.bootstrap.ControllerPods.awaitOneCluster;
import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.persistence.testkit.CassandraExtension;
import io.portmesh.persistence.testkit.TestCassandra;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A controller pod stopped as the kubelet stops it (SIGTERM) leaves the cluster gracefully within the termination
 * grace period: the other nodes see it Leaving, Exiting and then no more (Removed), never unreachable or Down, and its
 * process exits with status 0. The pod stopped is the oldest node, which holds the shard coordinator and the
 * singletons: the hardest one to hand over.
 */
@ExtendWith(CassandraExtension.class)
class SigtermLeaveIntegrationTest {
    /** portmesh.cluster.kubernetes.termination-grace-period's default, which the pods run with. */
    private static final Duration GRACE = Duration.ofSeconds(30);

    private static final Path LOGS = Path.of("target", "sigterm-leave");

    @TempDir
    Path dir;

    @Test
    void aPodSentSigtermLeavesTheClusterAsRemovedNeverUnreachableAndExitsZeroWithinTheGracePeriod(
            TestCassandra cassandra) throws Exception {
        try (ControllerPods fleet = ControllerPods.start(dir, cassandra, LOGS, 3)) {
            List<ControllerPod> pods = fleet.pods;
            for (int i = 0; i < 3; i++) {
                fleet.launch("portmesh-controller-" + i, "127.0.0." + (2 + i));
            }
            awaitOneCluster(pods);

            // the lowest address forms the cluster (bootstrap's join decider), so it is the oldest member
            ControllerPod leaving = pods.get(0);
            List<ControllerPod> staying = pods.subList(1, 3);
            long start = System.nanoTime();
            leaving.terminate();

            Set<String> statusesSeen = new LinkedHashSet<>();
            Set<String> unreachableSeen = new LinkedHashSet<>();
            long deadline = start + GRACE.toNanos();
            boolean removed = false;
            while (!removed && System.nanoTime() - deadline < 0) {
                removed = true;
                for (ControllerPod pod : staying) {
                    Map<String, String> members = pod.members();
                    assertThat(members)
                            .as("%s answers /cluster/members", pod.podIp)
                            .isNotEmpty();
                    String status = members.get(leaving.address());
                    if (status != null) {
                        statusesSeen.add(status);
                        removed = false;
                    }
                    if (pod.unreachable().contains(leaving.address())) {
                        unreachableSeen.add(pod.podIp);
                    }
                }
                Thread.sleep(100);
            }
            assertThat(removed)
                    .as("the others no longer list %s as a member (seen: %s)", leaving.address(), statusesSeen)
                    .isTrue();
            assertThat(statusesSeen).isSubsetOf("Up", "Leaving", "Exiting");
            assertThat(unreachableSeen)
                    .as("nodes that saw the leaving node unreachable")
                    .isEmpty();

            long left = deadline - System.nanoTime();
            assertThat(leaving.process().waitFor(Math.max(left, 0), TimeUnit.NANOSECONDS))
                    .as("the process ended within the grace period (log %s)", leaving.log)
                    .isTrue();
            assertThat(leaving.process().exitValue())
                    .as("exit status (log %s)", leaving.log)
                    .isZero();

            // the two that stay are one cluster, both Up
            awaitOneCluster(staying);
        }
    }
}
