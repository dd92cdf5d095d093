package io.portmesh.operator;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes resources of one PortmeshCluster, made from the base manifests (deploy/base, copied into this jar)
 * with the cluster's name, labels, owner and spec put in: the pods the operator runs are the pods kustomize would.
 */
public final class ControllerResources {
    private static final KubernetesSerialization YAML = new KubernetesSerialization();
    private static final String BASE_CONFIG = baseText(ControllerLabels.CONFIG_FILE);

    private final PortmeshCluster cluster;
    private final String name;
    private final String namespace;

    public ControllerResources(PortmeshCluster cluster) {
        this.cluster = cluster;
        this.name = cluster.getMetadata().getName();
        this.namespace = cluster.getMetadata().getNamespace();
    }

    /** Everything but the StatefulSet, in the order to apply them. */
    public List<HasMetadata> supporting() {
        return List.of(serviceAccount(), role(), roleBinding(), configMap(), headlessService(), apiService(), pdb());
    }

    ServiceAccount serviceAccount() {
        ServiceAccount sa = base("serviceaccount.yaml", ServiceAccount.class);
        own(sa, name);
        return sa;
    }

    Role role() {
        Role role = base("role.yaml", Role.class);
        own(role, ControllerLabels.podReaderRole(name));
        return role;
    }

    RoleBinding roleBinding() {
        RoleBinding rb = base("rolebinding.yaml", RoleBinding.class);
        own(rb, ControllerLabels.podReaderRole(name));
        rb.getSubjects().forEach(s -> {
            s.setName(name);
            s.setNamespace(namespace);
        });
        rb.getRoleRef().setName(ControllerLabels.podReaderRole(name));
        return rb;
    }

    ConfigMap configMap() {
        ConfigMap cm = new ConfigMapBuilder()
                .withMetadata(new ObjectMeta())
                .addToData(ControllerLabels.CONFIG_FILE, applicationConf())
                .build();
        own(cm, ControllerLabels.configMap(name));
        return cm;
    }

    /** The base application.conf, with discovery narrowed to this cluster's pods. */
    String applicationConf() {
        return BASE_CONFIG
                + "\n# PortmeshCluster " + name + " (portmesh-operator): discover only this cluster's pods\n"
                + "pekko.discovery.kubernetes-api.pod-label-selector = \"" + ControllerLabels.NAME + "=%s,"
                + ControllerLabels.INSTANCE + "=" + name + "\"\n";
    }

    Service headlessService() {
        Service s = base("service-headless.yaml", Service.class);
        own(s, ControllerLabels.statefulSet(name));
        s.getSpec().setSelector(ControllerLabels.selector(name));
        return s;
    }

    Service apiService() {
        Service s = base("service-api.yaml", Service.class);
        own(s, ControllerLabels.apiService(name));
        s.getSpec().setSelector(ControllerLabels.selector(name));
        return s;
    }

    PodDisruptionBudget pdb() {
        PodDisruptionBudget pdb = base("pdb.yaml", PodDisruptionBudget.class);
        own(pdb, ControllerLabels.statefulSet(name));
        pdb.getSpec().setSelector(selector());
        return pdb;
    }

    /** Where the operator reads {@code GET /v1/cluster}: the API Service's cluster DNS name and port. */
    public URI clusterEndpoint() {
        int port = apiService().getSpec().getPorts().get(0).getPort();
        return URI.create(
                "http://" + ControllerLabels.apiService(name) + "." + namespace + ".svc:" + port + "/v1/cluster");
    }

    /**
     * The controllers' StatefulSet asking for {@code replicas} pods. Updates are OnDelete: the operator replaces the
     * pods itself, one at a time, each only once the previous one is ready and a cluster member (the StatefulSet's
     * own rolling update waits for ready only).
     */
    public StatefulSet statefulSet(int replicas) {
        StatefulSet sts = base("statefulset.yaml", StatefulSet.class);
        own(sts, ControllerLabels.statefulSet(name));
        sts.getSpec().setReplicas(replicas);
        sts.getSpec().setServiceName(ControllerLabels.statefulSet(name));
        sts.getSpec().setSelector(selector());
        sts.getSpec().getUpdateStrategy().setType("OnDelete");
        sts.getSpec().getUpdateStrategy().setRollingUpdate(null);

        PodTemplateSpec template = sts.getSpec().getTemplate();
        template.getMetadata().getLabels().putAll(labels());
        PodSpec pod = template.getSpec();
        pod.setServiceAccountName(name);
        for (WeightedPodAffinityTerm t :
                pod.getAffinity().getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution()) {
            t.getPodAffinityTerm().setLabelSelector(selector());
        }
        pod.getVolumes().stream()
                .filter(v -> v.getConfigMap() != null)
                .forEach(v -> v.getConfigMap().setName(ControllerLabels.configMap(name)));

        Container c = controllerContainer(pod);
        c.setImage(cluster.getSpec().getImage());
        setEnv(c, "PORTMESH_CASSANDRA_CONTACT_POINTS", cluster.getSpec().getCassandraContactPoints());
        String jvm = cluster.getSpec().getJvmOptions();
        if (jvm != null && !jvm.isBlank()) {
            setEnv(c, "JDK_JAVA_OPTIONS", env(c, "JDK_JAVA_OPTIONS") + " " + jvm.strip());
        }
        String tls = cluster.getSpec().getTlsSecretName();
        if (tls != null && !tls.isBlank()) {
            pod.getVolumes()
                    .add(new VolumeBuilder()
                            .withName(ControllerLabels.TLS_VOLUME)
                            .withNewSecret()
                            .withSecretName(tls)
                            .endSecret()
                            .build());
            c.getVolumeMounts()
                    .add(new VolumeMountBuilder()
                            .withName(ControllerLabels.TLS_VOLUME)
                            .withMountPath(ControllerLabels.TLS_MOUNT_PATH)
                            .withReadOnly(true)
                            .build());
        }
        // the hash covers the pod spec and the configuration it mounts: a change of either is rolled
        template.getMetadata()
                .getAnnotations()
                .put(ControllerLabels.TEMPLATE_HASH, sha256(YAML.asJson(pod) + applicationConf()));
        return sts;
    }

    /**
     * The Job that installs the schema (the controllers have it off): the base Job with the StatefulSet's image,
     * environment and configuration, so that it installs the keyspaces the controllers use. Kept once finished (no
     * TTL): the reconciler creates it when it is missing, and again when the controllers' template (its hash, stamped on
     * the Job) changed or the Job failed.
     */
    public Job schemaJob() {
        Job job = base("schema-job.yaml", Job.class);
        own(job, ControllerLabels.schemaJob(name));
        job.getSpec().setTtlSecondsAfterFinished(null);
        job.getSpec().getTemplate().getMetadata().getLabels().put(ControllerLabels.INSTANCE, name);
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        pod.getVolumes().stream()
                .filter(v -> v.getConfigMap() != null)
                .forEach(v -> v.getConfigMap().setName(ControllerLabels.configMap(name)));
        StatefulSet controllers = statefulSet(cluster.getSpec().getReplicas());
        Container controller =
                controllerContainer(controllers.getSpec().getTemplate().getSpec());
        // stamped with the controllers' template: the reconciler remakes the Job when that changes
        Map<String, String> annotations = new LinkedHashMap<>();
        if (job.getMetadata().getAnnotations() != null) {
            annotations.putAll(job.getMetadata().getAnnotations());
        }
        annotations.put(
                ControllerLabels.TEMPLATE_HASH,
                controllers
                        .getSpec()
                        .getTemplate()
                        .getMetadata()
                        .getAnnotations()
                        .get(ControllerLabels.TEMPLATE_HASH));
        job.getMetadata().setAnnotations(annotations);
        Container c = pod.getContainers().get(0);
        c.setImage(controller.getImage());
        c.setEnv(new ArrayList<>(controller.getEnv()));
        // the controllers' JVM options come with their environment (a heap sized for them): their memory too, or a
        // -Xmx above the Job's own limit would have its pod killed
        c.setResources(controller.getResources());
        return job;
    }

    static Container controllerContainer(PodSpec pod) {
        return pod.getContainers().stream()
                .filter(c -> c.getName().equals(ControllerLabels.CONTAINER))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "deploy/base/statefulset.yaml has no container named " + ControllerLabels.CONTAINER));
    }

    private static String env(Container c, String name) {
        return c.getEnv().stream()
                .filter(e -> e.getName().equals(name))
                .map(EnvVar::getValue)
                .findFirst()
                .orElse("");
    }

    private static void setEnv(Container c, String name, String value) {
        c.getEnv().removeIf(e -> e.getName().equals(name));
        c.getEnv().add(new EnvVar(name, value, null));
    }

    private LabelSelector selector() {
        return new LabelSelector(null, ControllerLabels.selector(name));
    }

    private Map<String, String> labels() {
        Map<String, String> labels = new LinkedHashMap<>(ControllerLabels.selector(name));
        labels.put(ControllerLabels.MANAGED_BY, ControllerLabels.OPERATOR);
        return labels;
    }

    /** Name, namespace, this cluster's labels and the owner reference that makes Kubernetes delete it with the cluster. */
    private void own(HasMetadata r, String resourceName) {
        ObjectMeta m = r.getMetadata();
        m.setName(resourceName);
        m.setNamespace(namespace);
        Map<String, String> labels = new LinkedHashMap<>(m.getLabels() == null ? Map.of() : m.getLabels());
        labels.putAll(labels());
        m.setLabels(labels);
        m.setOwnerReferences(List.of(ownerReference()));
    }

    private OwnerReference ownerReference() {
        return new OwnerReferenceBuilder()
                .withApiVersion(cluster.getApiVersion())
                .withKind(cluster.getKind())
                .withName(name)
                .withUid(cluster.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    private static <T extends HasMetadata> T base(String file, Class<T> type) {
        try (InputStream in = resource(file)) {
            return YAML.unmarshal(in, type);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the base manifest " + file + ": " + e.getMessage(), e);
        }
    }

    private static String baseText(String file) {
        try (InputStream in = resource(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the base " + file + ": " + e.getMessage(), e);
        }
    }

    private static InputStream resource(String file) {
        InputStream in = ControllerResources.class.getResourceAsStream(file);
        if (in == null) {
            throw new IllegalStateException(
                    "deploy/base/" + file + " is not in the operator's jar (deploy/operator/pom.xml copies it)");
        }
        return in;
    }

    private static String sha256(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
