package io.portmesh.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The reconciler against the fabric8 mock API server in CRUD mode, with the StatefulSet controller and the Pekko
 * cluster played by {@link FakeKubernetes} and {@link FakeCluster}: each round is one reconciliation, then one pass of
 * the StatefulSet controller, then one step of the cluster's membership.
 */
class PortmeshClusterReconcilerTest {
    private static final String NAME = "pm";
    private static final int MAX_ROUNDS = 40;

    private final FakeKubernetes k8s = new FakeKubernetes();
    private final FakeCluster cluster = new FakeCluster();
    private final PortmeshClusterReconciler reconciler =
            new PortmeshClusterReconciler(cluster, Duration.ofSeconds(1), Duration.ofSeconds(30));

    /** Every API request the reconciler made, and the status write the Operator SDK makes for it. */
    private final Set<ApiRequest> operatorRequests = new HashSet<>();

    /** deploy/operator/k8s grants the operator what it needs, checked against what it asked for in each test. */
    @AfterEach
    void theOperatorsClusterRoleAllowedEveryRequestAndClose() throws IOException {
        try {
            ClusterRole role;
            try (InputStream in = Files.newInputStream(Path.of("k8s/clusterrole.yaml"))) {
                role = new KubernetesSerialization().unmarshal(in, ClusterRole.class);
            }
            assertThat(operatorRequests).isNotEmpty();
            assertThat(operatorRequests)
                    .allSatisfy(r -> assertThat(r.allowedBy(role))
                            .as("ClusterRole allows " + r)
                            .isTrue());
        } finally {
            k8s.close();
        }
    }

    @Test
    void createsEveryResourceOwnedByTheClusterAndDeletingTheClusterLeavesNothing() {
        PortmeshCluster pm = create(3, "portmesh/controller:1");
        reconcile();

        StatefulSet sts = statefulSet();
        assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
        assertThat(sts.getSpec().getUpdateStrategy().getType()).isEqualTo("OnDelete");
        assertThat(ControllerResources.controllerContainer(
                                sts.getSpec().getTemplate().getSpec())
                        .getImage())
                .isEqualTo("portmesh/controller:1");
        Service headless = k8s.client
                .services()
                .inNamespace(FakeKubernetes.NS)
                .withName(NAME)
                .get();
        assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(k8s.client
                        .configMaps()
                        .inNamespace(FakeKubernetes.NS)
                        .withName(NAME + "-config")
                        .get()
                        .getData())
                .extractingByKey("application.conf", org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("app.kubernetes.io/instance=" + NAME);
        assertThat(k8s.everything())
                .extracting(HasMetadata::getKind)
                .containsExactlyInAnyOrder(
                        "StatefulSet",
                        "Service",
                        "Service",
                        "ConfigMap",
                        "PodDisruptionBudget",
                        "ServiceAccount",
                        "Role",
                        "RoleBinding",
                        "Job");
        assertThat(k8s.everything())
                .allSatisfy(r -> assertThat(r.getMetadata().getOwnerReferences())
                        .singleElement()
                        .satisfies(o -> {
                            assertThat(o.getUid()).isEqualTo(pm.getMetadata().getUid());
                            assertThat(o.getKind()).isEqualTo("PortmeshCluster");
                            assertThat(o.getController()).isTrue();
                        }));

        k8s.client.resource(pm).delete();
        k8s.collectGarbage(Set.of());
        assertThat(k8s.everything()).isEmpty();
    }

    /** The controllers do not install the schema (Kubernetes mode): the Job must exist before their pods do. */
    @Test
    void theSchemaJobIsMadeBeforeTheStatefulSetWithTheControllersImageEnvironmentAndConfiguration() {
        create(3, "portmesh/controller:1");
        drainRequests();
        reconciler.reconcile(current(), k8s.client);
        List<String> creates = drainRequests().stream()
                .peek(r -> operatorRequests.add(ApiRequest.of(r)))
                .filter(r -> r.getMethod().equals("POST"))
                .map(r -> ApiRequest.of(r).resource())
                .toList();
        assertThat(creates).contains("jobs", "statefulsets", "configmaps");
        assertThat(creates.indexOf("jobs")).isLessThan(creates.indexOf("statefulsets"));
        assertThat(creates.indexOf("configmaps")).as("the ConfigMap it mounts").isLessThan(creates.indexOf("jobs"));

        Job job = schemaJob();
        Container schema = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        Container controller = ControllerResources.controllerContainer(
                statefulSet().getSpec().getTemplate().getSpec());
        assertThat(schema.getArgs()).startsWith("schema", "install");
        assertThat(schema.getImage()).isEqualTo("portmesh/controller:1");
        assertThat(schema.getEnv()).isEqualTo(controller.getEnv());
        assertThat(schema.getResources())
                .as("the memory its JVM options were sized for")
                .isEqualTo(controller.getResources());
        assertThat(job.getSpec().getTemplate().getSpec().getVolumes())
                .anySatisfy(v -> assertThat(v.getConfigMap().getName()).isEqualTo(NAME + "-config"));
        assertThat(job.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o ->
                        assertThat(o.getUid()).isEqualTo(current().getMetadata().getUid()));
        // its pod is none of the controllers' pods (Services, budget, discovery and the rollout select those)
        assertThat(job.getSpec().getTemplate().getMetadata().getLabels())
                .as("the Job pod's labels")
                .doesNotContainEntry(ControllerLabels.NAME, ControllerLabels.CONTROLLER);

        // the Job of the current template is left alone: reconciling again neither deletes nor re-creates it
        String uid = job.getMetadata().getUid();
        reconcile();
        assertThat(schemaJob().getMetadata().getUid()).isEqualTo(uid);
    }

    /**
     * Another Cassandra changes the controllers' template: the schema Job is remade for it (it would install into the
     * old one), and no pod is replaced before that Job finished (a pod of the new template is not ready until then).
     */
    @Test
    void aCassandraChangeRemakesTheSchemaJobAndNoPodIsReplacedBeforeItFinished() {
        create(3, "portmesh/controller:1");
        runUntilReady();
        String oldJob = schemaJob().getMetadata().getUid();
        List<String> podsBefore = podUids();

        PortmeshCluster pm = current();
        pm.getSpec().setCassandraContactPoints("cassandra-2.db:9042");
        k8s.client.resource(pm).update();
        for (int round = 0; round < 4; round++) { // the Job's pod never finishes in these rounds
            reconcile();
            k8s.runStatefulSets();
        }

        Job job = schemaJob();
        assertThat(job.getMetadata().getUid()).isNotEqualTo(oldJob);
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .anySatisfy(e -> assertThat(e.getValue()).isEqualTo("cassandra-2.db:9042"));
        assertThat(podUids()).as("pods replaced before the schema Job finished").isEqualTo(podsBefore);
        assertThat(condition(ClusterStatus.SCHEMA_INSTALLED).getStatus()).isEqualTo("False");
        assertThat(condition(ClusterStatus.SCHEMA_INSTALLED).getReason()).isEqualTo("JobRunning");

        runUntilReady(); // the Job completes, then the pods are rolled
        assertThat(podUids()).doesNotContainAnyElementsOf(podsBefore);
        assertThat(condition(ClusterStatus.SCHEMA_INSTALLED).getStatus()).isEqualTo("True");
    }

    /** A Job out of retries (Cassandra away at its creation) is made again, and the status says so meanwhile. */
    @Test
    void aFailedSchemaJobIsMadeAgainAndTheStatusSaysSo() {
        create(3, "portmesh/controller:1");
        reconcile();
        String failed = schemaJob().getMetadata().getUid();
        k8s.failJobs();

        reconcile();
        assertThat(condition(ClusterStatus.SCHEMA_INSTALLED).getReason()).isEqualTo("JobFailed");
        assertThat(condition(ClusterStatus.SCHEMA_INSTALLED).getMessage()).contains("Cassandra");
        reconcile();
        assertThat(schemaJob().getMetadata().getUid()).isNotEqualTo(failed);

        runUntilReady();
        assertThat(condition(ClusterStatus.SCHEMA_INSTALLED).getStatus()).isEqualTo("True");
    }

    private List<String> podUids() {
        return k8s.pods().stream().map(p -> p.getMetadata().getUid()).sorted().toList();
    }

    @Test
    void statusReportsReadyPodsAndTheMembersOfGetV1Cluster() {
        create(3, "portmesh/controller:1");
        runUntilReady();

        PortmeshClusterStatus status = current().getStatus();
        assertThat(status.getReadyReplicas()).isEqualTo(3);
        assertThat(status.getMembers())
                .extracting(MemberStatus::pod)
                .containsExactlyInAnyOrder(NAME + "-0", NAME + "-1", NAME + "-2");
        assertThat(status.getMembers()).allSatisfy(m -> assertThat(m.status()).isEqualTo("Up"));
        assertThat(condition(ClusterStatus.READY).getStatus()).isEqualTo("True");
        assertThat(condition(ClusterStatus.PROGRESSING).getStatus()).isEqualTo("False");
        assertThat(condition(ClusterStatus.MEMBERS_REPORTED).getMessage()).isEqualTo("3 members");

        cluster.stopAnswering();
        reconcile();
        assertThat(condition(ClusterStatus.MEMBERS_REPORTED).getStatus()).isEqualTo("False");
        assertThat(condition(ClusterStatus.MEMBERS_REPORTED).getMessage()).contains("connection refused");
        assertThat(condition(ClusterStatus.READY).getStatus()).isEqualTo("False");
        assertThat(current().getStatus().getMembers()).isEmpty();
    }

    @Test
    void scalingUpAsksForEveryNewPodAtOnce() {
        create(3, "portmesh/controller:1");
        runUntilReady();

        setReplicas(5);
        reconcile();
        assertThat(statefulSet().getSpec().getReplicas()).isEqualTo(5);
        assertThat(condition(ClusterStatus.PROGRESSING).getReason()).isEqualTo("ScalingUp");
        runUntilReady();
        assertThat(current().getStatus().getMembers()).hasSize(5);
    }

    @Test
    void scalingDownRemovesOnePodAtATimeEachLeavingTheClusterBeforeTheNext() throws IOException {
        create(5, "portmesh/controller:1");
        runUntilReady();

        setReplicas(3);
        List<Integer> steps = new ArrayList<>();
        for (int round = 0; round < MAX_ROUNDS && !ready(); round++) {
            int before = statefulSet().getSpec().getReplicas();
            int membersBefore = cluster.members(current()).size();
            reconcile();
            int after = statefulSet().getSpec().getReplicas();
            if (after < before) {
                assertThat(before - after).as("one pod at a time").isEqualTo(1);
                // the previous pod's member was gone from GET /v1/cluster before this one was asked to leave
                assertThat(membersBefore).isEqualTo(before);
                steps.add(after);
            }
            k8s.runJobs();
            k8s.runStatefulSets();
            cluster.converge(k8s.pods());
        }
        assertThat(steps).containsExactly(4, 3);
        assertThat(ready()).isTrue();
        assertThat(k8s.pods())
                .extracting(p -> p.getMetadata().getName())
                .containsExactlyInAnyOrder(NAME + "-0", NAME + "-1", NAME + "-2");
        assertThat(current().getStatus().getMembers()).hasSize(3);
    }

    @Test
    void anImageChangeReplacesOnePodAtATimeEachReadyAndAMemberBeforeTheNext() throws IOException {
        create(3, "portmesh/controller:1");
        runUntilReady();
        String oldHash = templateHash();

        PortmeshCluster pm = current();
        pm.getSpec().setImage("portmesh/controller:2");
        k8s.client.resource(pm).update();

        List<String> replaced = new ArrayList<>();
        for (int round = 0; round < MAX_ROUNDS && !(ready() && !templateHash().equals(oldHash)); round++) {
            List<Pod> before = k8s.pods();
            int upMembers = (int) cluster.members(current()).stream()
                    .filter(m -> m.status().equals("Up"))
                    .count();
            reconcile();
            List<String> gone = before.stream()
                    .map(p -> p.getMetadata().getName())
                    .filter(n -> k8s.pods().stream()
                            .noneMatch(p -> p.getMetadata().getName().equals(n)))
                    .toList();
            if (!gone.isEmpty()) {
                assertThat(gone).as("one pod at a time").hasSize(1);
                // replaced only when every pod was ready and an Up member (the previous new pod included)
                assertThat(before).allSatisfy(p -> assertThat(Rollout.ready(p)).isTrue());
                assertThat(upMembers).isEqualTo(3);
                assertThat(cluster.members(current())).hasSize(3);
                replaced.add(gone.get(0));
            }
            k8s.runJobs();
            k8s.runStatefulSets();
            cluster.converge(k8s.pods());
        }
        assertThat(replaced).containsExactly(NAME + "-2", NAME + "-1", NAME + "-0");
        // the new image's schema installer ran: its Job was made again for it
        assertThat(schemaJob()
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage())
                .isEqualTo("portmesh/controller:2");
        assertThat(k8s.pods()).allSatisfy(p -> {
            assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo("portmesh/controller:2");
            assertThat(p.getMetadata().getAnnotations()).containsEntry(ControllerLabels.TEMPLATE_HASH, templateHash());
        });
        assertThat(ready()).isTrue();
    }

    @Test
    void anInvalidSpecIsReportedAndNothingIsCreated() {
        PortmeshCluster pm = new PortmeshCluster();
        pm.getMetadata().setName(NAME);
        pm.getMetadata().setNamespace(FakeKubernetes.NS);
        pm.setSpec(new PortmeshClusterSpec());
        pm.getSpec().setImage("portmesh/controller:1");
        pm.getSpec().setCassandraContactPoints("cassandra");
        k8s.client.resource(pm).create();

        reconcile();
        assertThat(condition(ClusterStatus.READY).getReason()).isEqualTo("InvalidSpec");
        assertThat(condition(ClusterStatus.READY).getMessage()).contains("spec.cassandraContactPoints", "host:port");
        assertThat(k8s.everything()).isEmpty();
    }

    @Test
    void twoReplicasAreRefusedAsAnInvalidSpecAndNothingIsCreated() {
        create(2, "portmesh/controller:1");
        reconcile();
        assertThat(condition(ClusterStatus.READY).getReason()).isEqualTo("InvalidSpec");
        assertThat(condition(ClusterStatus.READY).getMessage()).contains("spec.replicas = 2", "majority", "3 or more");
        assertThat(k8s.everything()).isEmpty();
    }

    private PortmeshCluster create(int replicas, String image) {
        PortmeshCluster pm = new PortmeshCluster();
        pm.getMetadata().setName(NAME);
        pm.getMetadata().setNamespace(FakeKubernetes.NS);
        PortmeshClusterSpec spec = new PortmeshClusterSpec();
        spec.setReplicas(replicas);
        spec.setImage(image);
        spec.setCassandraContactPoints("cassandra.db:9042");
        pm.setSpec(spec);
        return k8s.client.resource(pm).create();
    }

    private void setReplicas(int replicas) {
        PortmeshCluster pm = current();
        pm.getSpec().setReplicas(replicas);
        k8s.client.resource(pm).update();
    }

    /**
     * One reconciliation, its status written whole (the Operator SDK patches it; the mock server's patch appends to
     * lists where a real API server replaces them, so the conditions would pile up).
     */
    private void reconcile() {
        PortmeshCluster pm = current();
        drainRequests();
        UpdateControl<PortmeshCluster> control = reconciler.reconcile(pm, k8s.client);
        drainRequests().forEach(r -> operatorRequests.add(ApiRequest.of(r)));
        operatorRequests.add(new ApiRequest(PortmeshCluster.GROUP, "portmeshclusters/status", "patch"));
        assertThat(control.isPatchStatus()).isTrue();
        k8s.client.resource(control.getResource().orElseThrow()).updateStatus();
    }

    private List<RecordedRequest> drainRequests() {
        List<RecordedRequest> out = new ArrayList<>();
        try {
            for (RecordedRequest r; (r = k8s.server.takeRequest(0, TimeUnit.MILLISECONDS)) != null; ) {
                out.add(r);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return out;
    }

    private void runUntilReady() {
        for (int round = 0; round < MAX_ROUNDS; round++) {
            reconcile();
            if (ready()) {
                return;
            }
            k8s.runJobs();
            k8s.runStatefulSets();
            cluster.converge(k8s.pods());
        }
        throw new AssertionError("not Ready after " + MAX_ROUNDS + " rounds: "
                + condition(ClusterStatus.READY).getMessage());
    }

    private boolean ready() {
        PortmeshCluster pm = current();
        return pm.getStatus() != null
                && pm.getStatus().getConditions().stream()
                        .anyMatch(c -> c.getType().equals(ClusterStatus.READY)
                                && c.getStatus().equals("True"))
                && pm.getSpec().getReplicas() == statefulSet().getSpec().getReplicas();
    }

    private Condition condition(String type) {
        return current().getStatus().getConditions().stream()
                .filter(c -> c.getType().equals(type))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no condition " + type));
    }

    private String templateHash() {
        return statefulSet()
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .get(ControllerLabels.TEMPLATE_HASH);
    }

    private PortmeshCluster current() {
        return k8s.client
                .resources(PortmeshCluster.class)
                .inNamespace(FakeKubernetes.NS)
                .withName(NAME)
                .get();
    }

    private Job schemaJob() {
        Job job = k8s.client
                .batch()
                .v1()
                .jobs()
                .inNamespace(FakeKubernetes.NS)
                .withName(ControllerLabels.schemaJob(NAME))
                .get();
        assertThat(job).as("the schema Job").isNotNull();
        return job;
    }

    private StatefulSet statefulSet() {
        return k8s.client
                .apps()
                .statefulSets()
                .inNamespace(FakeKubernetes.NS)
                .withName(NAME)
                .get();
    }
}
