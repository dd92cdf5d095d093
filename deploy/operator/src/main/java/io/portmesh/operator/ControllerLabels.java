package io.portmesh.operator;

import java.util.Map;

/**
 * The label, annotation and resource-name strings the operator uses, in one place. The base manifests
 * (deploy/base/*.yaml, which {@link ControllerResources} starts from) carry the same {@link #NAME} label; the operator
 * adds {@link #INSTANCE} so that two PortmeshClusters in one namespace select and discover only their own pods.
 */
public final class ControllerLabels {
    /** The pods' app label: the discovery's service name is its value (deploy/base/application.conf). */
    public static final String NAME = "app.kubernetes.io/name";

    public static final String CONTROLLER = "portmesh-controller";
    public static final String INSTANCE = "app.kubernetes.io/instance";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String OPERATOR = "portmesh-operator";

    /** On the pod template: a hash of everything a pod is made from; a pod with another value is outdated. */
    public static final String TEMPLATE_HASH = PortmeshCluster.GROUP + "/template-hash";

    /** The label the StatefulSet controller puts on each of its pods. */
    public static final String POD_NAME = "statefulset.kubernetes.io/pod-name";

    public static final String CONTAINER = "controller";
    public static final String CONFIG_FILE = "application.conf";
    public static final String TLS_VOLUME = "tls";
    public static final String TLS_MOUNT_PATH = "/etc/portmesh/tls";

    private ControllerLabels() {}

    /** The labels that select the pods of one PortmeshCluster. */
    public static Map<String, String> selector(String cluster) {
        return Map.of(NAME, CONTROLLER, INSTANCE, cluster);
    }

    /** The headless Service and the StatefulSet: the cluster's own name. */
    public static String statefulSet(String cluster) {
        return cluster;
    }

    public static String apiService(String cluster) {
        return cluster + "-api";
    }

    public static String configMap(String cluster) {
        return cluster + "-config";
    }

    /** The Job that installs the Cassandra schema (deploy/base/schema-job.yaml). */
    public static String schemaJob(String cluster) {
        return cluster + "-schema";
    }

    public static String podReaderRole(String cluster) {
        return cluster + "-pod-reader";
    }

    public static String pod(String cluster, int ordinal) {
        return statefulSet(cluster) + "-" + ordinal;
    }
}
