package io.portmesh.cluster.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.persistence.testkit.CassandraExtension;
import io.portmesh.persistence.testkit.TestCassandra;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
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
    private static final Duration FORMATION = Duration.ofSeconds(120);
    private static final Path LOGS = Path.of("target", "kubernetes-bootstrap");

    @TempDir
    Path dir;

    @Test
    void threePodsFormOneClusterThroughTheKubernetesApiAndAFourthJoinsItListingOnlyTheControllerPods(
            TestCassandra cassandra) throws Exception {
        ControllerPod.Ports ports = ControllerPod.Ports.free();
        List<ControllerPod> pods = new ArrayList<>();
        try (KubernetesApi api = KubernetesApi.start(dir)) {
            Path config = ControllerPod.writeConfig(dir, api, 3);
            // a pod of another application, listed by the same API server, with a management port of the same name
            api.runningPod("cassandra-0", "cassandra", "127.0.0.9", ports.management());
            for (int i = 0; i < 3; i++) {
                api.runningPod(
                        "portmesh-controller-" + i, KubernetesApi.CONTROLLER, "127.0.0." + (2 + i), ports.management());
            }
            assertThat(api.controllerPodIps()).containsExactlyInAnyOrder("127.0.0.2", "127.0.0.3", "127.0.0.4");
            for (int i = 0; i < 3; i++) {
                pods.add(ControllerPod.start(
                        "127.0.0." + (2 + i), ports, config, api, cassandra.contactPointString(), LOGS, Map.of()));
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

            api.runningPod("portmesh-controller-3", KubernetesApi.CONTROLLER, "127.0.0.5", ports.management());
            pods.add(ControllerPod.start(
                    "127.0.0.5", ports, config, api, cassandra.contactPointString(), LOGS, Map.of()));
            awaitOneCluster(pods);
            awaitReady(pods.get(3));

            assertThat(api.podRequests())
                    .isNotEmpty()
                    .allMatch(
                            r -> r.equals("GET /api/v1/namespaces/" + KubernetesApi.NAMESPACE
                                    + "/pods?labelSelector=app.kubernetes.io/name=portmesh-controller"),
                            "a list of the controller pods in the pods' namespace");
        } finally {
            pods.forEach(ControllerPod::terminate);
            pods.forEach(ControllerPod::close);
        }
    }

    /** Every pod sees every pod Up, and no other member. */
    static void awaitOneCluster(List<ControllerPod> pods) {
        Map<String, String> expected = pods.stream().collect(Collectors.toMap(ControllerPod::address, pod -> "Up"));
        await(
                "every pod sees " + expected,
                FORMATION,
                () -> {
                    for (ControllerPod pod : pods) {
                        assertThat(pod.isAlive())
                                .as("pod %s runs (log %s)", pod.podIp, pod.log)
                                .isTrue();
                        if (!pod.members().equals(expected)) {
                            return false;
                        }
                    }
                    return true;
                },
                pods);
    }

    /** The status of {@code GET path} on the pod's management port; 0 when nothing answers. */
    static int status(ControllerPod pod, String path) {
        HttpResponse<String> r = pod.management(path);
        return r == null ? 0 : r.statusCode();
    }

    /** The management port's {@code /ready} answers 200 (the pod's readiness probe passes). */
    static void awaitReady(ControllerPod pod) {
        await(
                pod.podIp + " /ready on the management port",
                FORMATION,
                () -> {
                    HttpResponse<String> r = pod.management("/ready");
                    return r != null && r.statusCode() == 200;
                },
                List.of(pod));
    }

    static void await(String what, Duration timeout, BooleanSupplier done, List<ControllerPod> pods) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                StringBuilder seen = new StringBuilder();
                for (ControllerPod pod : pods) {
                    seen.append("\n  ")
                            .append(pod.podIp)
                            .append(" sees ")
                            .append(pod.members())
                            .append(" (log ")
                            .append(pod.log)
                            .append(')');
                }
                throw new AssertionError("not within " + timeout + ": " + what + seen);
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
