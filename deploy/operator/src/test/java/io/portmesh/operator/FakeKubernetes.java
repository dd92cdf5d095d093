package io.portmesh.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The fabric8 mock API server in CRUD mode, plus the parts of a real cluster it lacks, each run only when a test
 * calls it: the StatefulSet controller with kubelets ({@link #runStatefulSets}: pods created from the template, ready
 * at once, with a new IP each; pods above the replicas deleted) and the garbage collector ({@link #collectGarbage}).
 */
final class FakeKubernetes implements AutoCloseable {
    static final String NS = "portmesh";

    final KubernetesMockServer server;
    final KubernetesClient client;
    private int nextIp = 1;

    FakeKubernetes() {
        server = new KubernetesMockServer(
                new Context(),
                new MockWebServer(),
                new HashMap<>(),
                new KubernetesCrudDispatcher(
                        List.of(CustomResourceDefinitionContext.fromCustomResourceType(PortmeshCluster.class))),
                false);
        server.init();
        client = server.createClient();
    }

    /** Kubernetes' Job controller, its pod a success: every Job of the namespace not finished yet completes. */
    void runJobs() {
        finishJobs(new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder()
                .withSucceeded(1)
                .addNewCondition()
                .withType("Complete")
                .withStatus("True")
                .endCondition()
                .build());
    }

    /** Kubernetes' Job controller, its pod failing every retry: every Job of the namespace not finished fails. */
    void failJobs() {
        finishJobs(new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder()
                .withFailed(3)
                .addNewCondition()
                .withType("Failed")
                .withStatus("True")
                .endCondition()
                .build());
    }

    private void finishJobs(io.fabric8.kubernetes.api.model.batch.v1.JobStatus status) {
        for (io.fabric8.kubernetes.api.model.batch.v1.Job j :
                client.batch().v1().jobs().inNamespace(NS).list().getItems()) {
            if (j.getStatus() == null
                    || j.getStatus().getConditions() == null
                    || j.getStatus().getConditions().isEmpty()) {
                j.setStatus(status);
                client.batch().v1().jobs().inNamespace(NS).resource(j).updateStatus();
            }
        }
    }

    /** One pass of the StatefulSet controller over every StatefulSet of the namespace. */
    void runStatefulSets() {
        for (StatefulSet s : client.apps().statefulSets().inNamespace(NS).list().getItems()) {
            String name = s.getMetadata().getName();
            Map<String, Pod> pods = client
                    .pods()
                    .inNamespace(NS)
                    .withLabels(s.getSpec().getSelector().getMatchLabels())
                    .list()
                    .getItems()
                    .stream()
                    .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p));
            int replicas = s.getSpec().getReplicas();
            for (int i = 0; i < replicas; i++) {
                if (!pods.containsKey(name + "-" + i)) {
                    client.pods().inNamespace(NS).resource(podFrom(s, i)).create();
                }
            }
            pods.values().stream()
                    .filter(p -> Rollout.ordinal(p) >= replicas)
                    .forEach(p -> client.pods().inNamespace(NS).resource(p).delete());
        }
    }

    private Pod podFrom(StatefulSet s, int ordinal) {
        String name = s.getMetadata().getName() + "-" + ordinal;
        Map<String, String> labels =
                new LinkedHashMap<>(s.getSpec().getTemplate().getMetadata().getLabels());
        labels.put(ControllerLabels.POD_NAME, name);
        return new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .withLabels(labels)
                .withAnnotations(s.getSpec().getTemplate().getMetadata().getAnnotations())
                .endMetadata()
                .withSpec(s.getSpec().getTemplate().getSpec())
                .withNewStatus()
                .withPhase("Running")
                .withPodIP("10.244.0." + nextIp++)
                .addNewCondition()
                .withType("Ready")
                .withStatus("True")
                .endCondition()
                .endStatus()
                .build();
    }

    List<Pod> pods() {
        return client.pods().inNamespace(NS).list().getItems();
    }

    /** Kubernetes' garbage collector: deletes what is owned by a controller owner that no longer exists. */
    void collectGarbage(Set<String> liveOwnerUids) {
        for (HasMetadata r : everything()) {
            List<OwnerReference> owners = r.getMetadata().getOwnerReferences();
            if (owners != null && owners.stream().anyMatch(o -> !liveOwnerUids.contains(o.getUid()))) {
                client.resource(r).inNamespace(NS).delete();
            }
        }
    }

    /** Every object of the kinds the operator makes, and the pods. */
    List<HasMetadata> everything() {
        List<HasMetadata> all = new ArrayList<>();
        Stream.of(
                        client.apps().statefulSets().inNamespace(NS).list().getItems(),
                        client.services().inNamespace(NS).list().getItems(),
                        client.configMaps().inNamespace(NS).list().getItems(),
                        client.policy()
                                .v1()
                                .podDisruptionBudget()
                                .inNamespace(NS)
                                .list()
                                .getItems(),
                        client.serviceAccounts().inNamespace(NS).list().getItems(),
                        client.rbac().roles().inNamespace(NS).list().getItems(),
                        client.rbac().roleBindings().inNamespace(NS).list().getItems(),
                        client.batch().v1().jobs().inNamespace(NS).list().getItems())
                .forEach(all::addAll);
        return all;
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
