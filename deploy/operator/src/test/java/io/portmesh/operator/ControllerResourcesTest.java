package io.portmesh.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import org.junit.jupiter.api.Test;

/** The operator's resources are the base manifests with one PortmeshCluster's name, labels and spec put in. */
class ControllerResourcesTest {

    private static PortmeshCluster cluster(String image, String jvm, String tls) {
        PortmeshCluster pm = new PortmeshCluster();
        pm.getMetadata().setName("blue");
        pm.getMetadata().setNamespace("net");
        pm.getMetadata().setUid("uid-1");
        PortmeshClusterSpec spec = new PortmeshClusterSpec();
        spec.setImage(image);
        spec.setCassandraContactPoints("cassandra.db:9042");
        spec.setJvmOptions(jvm);
        spec.setTlsSecretName(tls);
        pm.setSpec(spec);
        return pm;
    }

    @Test
    void theStatefulSetRunsTheSpecsImageContactPointAndJvmOptionsOnTheBaseContainer() {
        StatefulSet sts =
                new ControllerResources(cluster("reg/portmesh:2", "-XX:MaxRAMPercentage=75", null)).statefulSet(4);
        PodSpec pod = sts.getSpec().getTemplate().getSpec();
        Container c = ControllerResources.controllerContainer(pod);
        assertThat(sts.getSpec().getReplicas()).isEqualTo(4);
        assertThat(c.getImage()).isEqualTo("reg/portmesh:2");
        assertThat(c.getEnv())
                .extracting(EnvVar::getName, EnvVar::getValue)
                .contains(
                        org.assertj.core.groups.Tuple.tuple("PORTMESH_CASSANDRA_CONTACT_POINTS", "cassandra.db:9042"));
        assertThat(c.getEnv().stream()
                        .filter(e -> e.getName().equals("JDK_JAVA_OPTIONS"))
                        .findFirst()
                        .orElseThrow()
                        .getValue())
                .startsWith("-Dconfig.file=")
                .endsWith(" -XX:MaxRAMPercentage=75");
        // from deploy/base/statefulset.yaml unchanged: probes on the management port
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/ready");
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/alive");
        assertThat(pod.getServiceAccountName()).isEqualTo("blue");
        assertThat(pod.getVolumes()).anySatisfy(v -> {
            assertThat(v.getConfigMap()).isNotNull();
            assertThat(v.getConfigMap().getName()).isEqualTo("blue-config");
        });
        assertThat(sts.getSpec().getSelector().getMatchLabels())
                .containsEntry(ControllerLabels.NAME, ControllerLabels.CONTROLLER)
                .containsEntry(ControllerLabels.INSTANCE, "blue");
        assertThat(sts.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(sts.getSpec().getSelector().getMatchLabels());
        assertThat(pod.getAffinity().getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())
                .allSatisfy(t -> assertThat(
                                t.getPodAffinityTerm().getLabelSelector().getMatchLabels())
                        .containsEntry(ControllerLabels.INSTANCE, "blue"));
    }

    @Test
    void aTlsSecretIsMountedWhereIssue21ReadsIt() {
        PodSpec pod = new ControllerResources(cluster("i", null, "blue-tls"))
                .statefulSet(3)
                .getSpec()
                .getTemplate()
                .getSpec();
        assertThat(pod.getVolumes()).anySatisfy(v -> {
            assertThat(v.getSecret()).isNotNull();
            assertThat(v.getSecret().getSecretName()).isEqualTo("blue-tls");
        });
        assertThat(ControllerResources.controllerContainer(pod).getVolumeMounts())
                .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo(ControllerLabels.TLS_MOUNT_PATH));
    }

    @Test
    void theTemplateHashChangesWithThePodSpecButNotWithTheReplicas() {
        String h1 = hash(new ControllerResources(cluster("i:1", null, null)).statefulSet(3));
        assertThat(hash(new ControllerResources(cluster("i:1", null, null)).statefulSet(5)))
                .isEqualTo(h1);
        assertThat(hash(new ControllerResources(cluster("i:2", null, null)).statefulSet(3)))
                .isNotEqualTo(h1);
        assertThat(hash(new ControllerResources(cluster("i:1", "-Xmx1g", null)).statefulSet(3)))
                .isNotEqualTo(h1);
    }

    @Test
    void discoveryAndRbacAreNarrowedToThisCluster() {
        ControllerResources r = new ControllerResources(cluster("i", null, null));
        assertThat(r.applicationConf())
                .contains("portmesh.cluster.discovery = kubernetes")
                .endsWith("pekko.discovery.kubernetes-api.pod-label-selector = \"app.kubernetes.io/name=%s,"
                        + "app.kubernetes.io/instance=blue\"\n");
        RoleBinding rb = r.roleBinding();
        assertThat(rb.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo("blue");
            assertThat(s.getNamespace()).isEqualTo("net");
        });
        assertThat(rb.getRoleRef().getName()).isEqualTo(r.role().getMetadata().getName());
        assertThat(r.clusterEndpoint().toString()).isEqualTo("http://blue-api.net.svc:8080/v1/cluster");
    }

    private static String hash(StatefulSet sts) {
        return sts.getSpec().getTemplate().getMetadata().getAnnotations().get(ControllerLabels.TEMPLATE_HASH);
    }
}
