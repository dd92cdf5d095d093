package io.portmesh.cluster.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.persistence.testkit.TestCassandra;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * The controller pods of one test, launched as a StatefulSet's pods are: one Kubernetes API server (the fabric8 mock)
 * that lists them, the ports every pod shares, the application.conf a ConfigMap mounts, and the pods started so far
 * ({@link ControllerPod}: each its own JVM). Closing stops every pod (SIGTERM to all first, so that they leave
 * together rather than one by one) and then the API server. The waits on the cluster the pods form are here too.
 */
final class ControllerPods implements AutoCloseable {
    /** How long bootstrap may take to form a cluster of JVMs started on a loaded machine. */
    static final Duration FORMATION = Duration.ofSeconds(120);

    final KubernetesApi api;
    final ControllerPod.Ports ports = ControllerPod.Ports.free();
    /** The pods started, in order. */
    final List<ControllerPod> pods = new ArrayList<>();

    private final Path config;
    private final String cassandra;
    private final Path logs;

    private ControllerPods(KubernetesApi api, Path config, String cassandra, Path logs) {
        this.api = api;
        this.config = config;
        this.cassandra = cassandra;
        this.logs = logs;
    }

    /**
     * An API server with no pods yet, and the config the pods mount: bootstrap waits for {@code
     * requiredContactPoints} listed pods to answer before it forms a cluster.
     */
    static ControllerPods start(Path dir, TestCassandra cassandra, Path logs, int requiredContactPoints)
            throws IOException {
        KubernetesApi api = KubernetesApi.start(dir);
        try {
            Path config = ControllerPod.writeConfig(dir, api, requiredContactPoints);
            return new ControllerPods(api, config, cassandra.contactPointString(), logs);
        } catch (IOException | RuntimeException e) {
            api.close();
            throw e;
        }
    }

    /** The API server lists a running controller pod {@code name} with this IP (no JVM started for it). */
    void list(String name, String podIp) {
        api.runningPod(name, KubernetesApi.CONTROLLER, podIp, ports.management());
    }

    /** Starts the controller JVM of a pod on {@code podIp}. */
    ControllerPod start(String podIp) throws IOException {
        ControllerPod pod = ControllerPod.start(podIp, ports, config, api, cassandra, logs, Map.of());
        pods.add(pod);
        return pod;
    }

    /** A pod as the StatefulSet adds one: listed by the API server, and its JVM started. */
    ControllerPod launch(String name, String podIp) throws IOException {
        list(name, podIp);
        return start(podIp);
    }

    @Override
    public void close() {
        try {
            pods.forEach(ControllerPod::terminate);
            pods.forEach(ControllerPod::close);
        } finally {
            api.close();
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
                () -> status(pod, "/ready") == 200,
                List.of(pod));
    }

    /** Polls {@code done} every 500 ms; past the timeout, fails with what each of {@code pods} sees. */
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
