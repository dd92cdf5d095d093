package io.portmesh.cluster.bootstrap;

import static io.portmesh.cluster.bootstrap.ControllerPods.FORMATION;
import static io.portmesh.cluster.bootstrap.ControllerPods.await;
import static io.portmesh.cluster.bootstrap.ControllerPods.awaitOneCluster;
import static io.portmesh.cluster.bootstrap.ControllerPods.awaitReady;
import static io.portmesh.cluster.bootstrap.ControllerPods.status;
import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.persistence.testkit.CassandraExtension;
import io.portmesh.persistence.testkit.TestCassandra;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster Bootstrap through the Kubernetes API: three controller nodes, each in its own JVM as a pod runs it
 * (ControllerPod: Kubernetes mode, no seed nodes anywhere), find each other in the pod list a Kubernetes API server
 * (KubernetesApi: the fabric8 mock) gives for their label selector, and form one cluster; a fourth pod added later
 * joins it. The API server also lists a pod of another label on which nothing answers: bootstrap forms a cluster only
 * once every contact point answered, so none would form if the label selector let that pod in. All the pods ask the
 * API server is the list of the controller pods in their namespace: what their RBAC must grant (verb list on pods).
 */
@ExtendWith(CassandraExtension.class)
class KubernetesBootstrapIntegrationTest {
    private static final Path LOGS = Path.of("target", "kubernetes-bootstrap");

    @TempDir
    Path dir;

    @Test
    void threePodsFormOneClusterThroughTheKubernetesApiAndAFourthJoinsItListingOnlyTheControllerPods(
            TestCassandra cassandra) throws Exception {
        try (ControllerPods fleet = ControllerPods.start(dir, cassandra, LOGS, 3)) {
            KubernetesApi api = fleet.api;
            List<ControllerPod> pods = fleet.pods;
            // a pod of another application, listed by the same API server, with a management port of the same name
            api.runningPod("cassandra-0", "cassandra", "127.0.0.9", fleet.ports.management());
            for (int i = 0; i < 3; i++) {
                fleet.list("portmesh-controller-" + i, "127.0.0." + (2 + i));
            }
            assertThat(api.controllerPodIps()).containsExactlyInAnyOrder("127.0.0.2", "127.0.0.3", "127.0.0.4");
            for (int i = 0; i < 3; i++) {
                fleet.start("127.0.0." + (2 + i));
                if (i == 0) {
                    // alone it cannot form a cluster (every listed pod must answer first): alive, but not ready
                    ControllerPod first = pods.get(0);
                    await("the first pod's /alive", FORMATION, () -> status(first, "/alive") == 200, pods);
                    assertThat(first.members()).isEmpty();
                    assertThat(status(first, "/ready")).isEqualTo(500);
                }
            }

            awaitOneCluster(pods);
            for (ControllerPod pod : pods) {
                awaitReady(pod);
            }

            fleet.launch("portmesh-controller-3", "127.0.0.5");
            awaitOneCluster(pods);
            awaitReady(pods.get(3));

            assertThat(api.podRequests())
                    .isNotEmpty()
                    .allMatch(
                            r -> r.equals("GET /api/v1/namespaces/" + KubernetesApi.NAMESPACE
                                    + "/pods?labelSelector=app.kubernetes.io/name=portmesh-controller"),
                            "a list of the controller pods in the pods' namespace");
        }
    }
}
