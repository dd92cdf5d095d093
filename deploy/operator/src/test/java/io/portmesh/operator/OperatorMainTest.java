package io.portmesh.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.Operator;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The reconciler registered with the Operator SDK against the mock API server, driven by events only: the poll is
 * longer than the test, so each reconciliation here was started by a change of the PortmeshCluster, its StatefulSet
 * or its pods.
 */
class OperatorMainTest {
    private static final long DEADLINE_MS = 30_000;
    private static final Duration NO_POLL = Duration.ofMinutes(10);

    @Test
    void aNewPortmeshClusterAndItsPodsBecomingReadyAreReconciledThroughTheSdk() throws InterruptedException {
        try (FakeKubernetes k8s = new FakeKubernetes()) {
            Operator operator = OperatorMain.start(k8s.client, new FakeCluster(), NO_POLL, NO_POLL, false);
            try {
                PortmeshCluster pm = new PortmeshCluster();
                pm.getMetadata().setName("sdk");
                pm.getMetadata().setNamespace(FakeKubernetes.NS);
                pm.setSpec(new PortmeshClusterSpec());
                pm.getSpec().setReplicas(3);
                pm.getSpec().setImage("portmesh/controller:1");
                pm.getSpec().setCassandraContactPoints("cassandra:9042");
                k8s.client.resource(pm).create();

                StatefulSet sts = awaitStatefulSet(k8s);
                awaitCluster(k8s, c -> c.getStatus() != null && c.getStatus().getReplicas() == 3);
                awaitNoRequests(k8s);
                assertThat(sts.getSpec().getReplicas()).isEqualTo(3);

                // the StatefulSet controller's pods: their events, not a poll, bring the next reconciliation
                k8s.runStatefulSets();
                PortmeshCluster seen = awaitCluster(
                        k8s, c -> c.getStatus() != null && c.getStatus().getReadyReplicas() == 3);
                assertThat(seen.getStatus().getConditions())
                        .anySatisfy(c -> assertThat(c.getType()).isEqualTo(ClusterStatus.READY));
            } finally {
                operator.stop();
            }
        }
    }

    /** Until the API server got no request for a while: every reconciliation the events so far started is done. */
    private static void awaitNoRequests(FakeKubernetes k8s) throws InterruptedException {
        long end = System.currentTimeMillis() + DEADLINE_MS;
        int before = -1;
        while (System.currentTimeMillis() < end) {
            int now = k8s.server.getRequestCount();
            if (now == before) {
                return;
            }
            before = now;
            Thread.sleep(1000);
        }
        throw new AssertionError("the operator kept calling the API server for " + DEADLINE_MS + " ms");
    }

    private static StatefulSet awaitStatefulSet(FakeKubernetes k8s) throws InterruptedException {
        long end = System.currentTimeMillis() + DEADLINE_MS;
        while (System.currentTimeMillis() < end) {
            StatefulSet sts = k8s.client
                    .apps()
                    .statefulSets()
                    .inNamespace(FakeKubernetes.NS)
                    .withName("sdk")
                    .get();
            if (sts != null) {
                return sts;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no StatefulSet within " + DEADLINE_MS + " ms");
    }

    private static PortmeshCluster awaitCluster(FakeKubernetes k8s, Predicate<PortmeshCluster> done)
            throws InterruptedException {
        long end = System.currentTimeMillis() + DEADLINE_MS;
        PortmeshCluster seen = null;
        while (System.currentTimeMillis() < end) {
            seen = k8s.client
                    .resources(PortmeshCluster.class)
                    .inNamespace(FakeKubernetes.NS)
                    .withName("sdk")
                    .get();
            if (done.test(seen)) {
                return seen;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the PortmeshCluster's status did not get there within " + DEADLINE_MS + " ms: "
                + (seen == null ? null : seen.getStatus()));
    }
}
