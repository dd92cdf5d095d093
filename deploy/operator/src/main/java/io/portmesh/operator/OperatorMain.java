package io.portmesh.operator;

import io.javaoperatorsdk.operator.Operator;
import java.time.Duration;

/**
 * {@code portmesh-operator}: reconciles the PortmeshClusters of the namespaces it may watch (all, with a
 * ClusterRole), using the in-cluster service account. The CRD comes with the jar: META-INF/fabric8.
 */
public final class OperatorMain {
    /** How often a rollout under way is looked at again (pods change without an event to the PortmeshCluster). */
    static final Duration POLL = Duration.ofSeconds(3);

    /** How often a settled cluster's status is refreshed from GET /v1/cluster. */
    static final Duration SETTLED = Duration.ofSeconds(30);

    private OperatorMain() {}

    public static void main(String[] args) {
        Operator operator = new Operator();
        operator.register(new PortmeshClusterReconciler(new RestClusterEndpoint(), POLL, SETTLED));
        operator.installShutdownHook(Duration.ofSeconds(10));
        operator.start();
    }
}
