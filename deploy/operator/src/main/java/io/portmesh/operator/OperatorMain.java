package io.portmesh.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import java.time.Duration;

/**
 * {@code portmesh-operator}: reconciles the PortmeshClusters of the namespaces it may watch (all, with the ClusterRole
 * in deploy/operator/k8s), using the in-cluster service account. The CRD comes with the jar (META-INF/fabric8) and in
 * deploy/operator/k8s.
 */
public final class OperatorMain {
    /** How often a rollout under way is looked at again (pods change without an event to the PortmeshCluster). */
    static final Duration POLL = Duration.ofSeconds(3);

    /** How often a settled cluster's status is refreshed from GET /v1/cluster. */
    static final Duration SETTLED = Duration.ofSeconds(30);

    private OperatorMain() {}

    public static void main(String[] args) {
        Operator operator =
                start(new KubernetesClientBuilder().build(), new RestClusterEndpoint(), POLL, SETTLED, true);
        operator.installShutdownHook(Duration.ofSeconds(10));
    }

    /**
     * The operator with the PortmeshCluster reconciler, started: it watches and reconciles until stopped. The status
     * is written by server-side apply (the SDK's default) unless {@code ssaStatus} is false (the fabric8 mock API
     * server in tests has no server-side apply; a JSON merge patch is used then).
     */
    static Operator start(
            KubernetesClient client, ClusterEndpoint endpoint, Duration poll, Duration settled, boolean ssaStatus) {
        Operator operator =
                new Operator(o -> o.withKubernetesClient(client).withUseSSAToPatchPrimaryResource(ssaStatus));
        operator.register(new PortmeshClusterReconciler(endpoint, poll, settled));
        operator.start();
        return operator;
    }
}
