package io.portmesh.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.Operator;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The reconciler registered with the Operator SDK and driven by its watch of PortmeshClusters (mock API server). */
class OperatorMainTest {
    private static final long DEADLINE_MS = 30_000;

    @Test
    void aNewPortmeshClusterIsReconciledThroughTheSdk() throws InterruptedException {
        try (FakeKubernetes k8s = new FakeKubernetes()) {
            Operator operator = OperatorMain.start(
                    k8s.client, new FakeCluster(), Duration.ofMillis(200), Duration.ofSeconds(30), false);
            try {
                PortmeshCluster pm = new PortmeshCluster();
                pm.getMetadata().setName("sdk");
                pm.getMetadata().setNamespace(FakeKubernetes.NS);
                pm.setSpec(new PortmeshClusterSpec());
                pm.getSpec().setReplicas(3);
                pm.getSpec().setImage("portmesh/controller:1");
                pm.getSpec().setCassandraContactPoints("cassandra:9042");
                k8s.client.resource(pm).create();

                long end = System.currentTimeMillis() + DEADLINE_MS;
                StatefulSet sts = null;
                PortmeshCluster seen = null;
                while (System.currentTimeMillis() < end) {
                    sts = k8s.client
                            .apps()
                            .statefulSets()
                            .inNamespace(FakeKubernetes.NS)
                            .withName("sdk")
                            .get();
                    seen = k8s.client
                            .resources(PortmeshCluster.class)
                            .inNamespace(FakeKubernetes.NS)
                            .withName("sdk")
                            .get();
                    if (sts != null
                            && seen.getStatus() != null
                            && !seen.getStatus().getConditions().isEmpty()) {
                        break;
                    }
                    Thread.sleep(100);
                }
                assertThat(sts)
                        .as("the StatefulSet within " + DEADLINE_MS + " ms")
                        .isNotNull();
                assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
                assertThat(seen.getStatus().getConditions())
                        .anySatisfy(c -> assertThat(c.getType()).isEqualTo(ClusterStatus.READY));
            } finally {
                operator.stop();
            }
        }
    }
}
