package io.portmesh.deploy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The configuration a controller pod runs with: the mounted application.conf over the Kubernetes mode's
 * portmesh-kubernetes.conf and the controller's reference.conf (cluster/src/main/resources) and the libraries'
 * reference.conf files on the test class path, resolved with the container's environment. Downward-API values get the
 * sample values below.
 */
record ControllerConfig(Config config, Map<String, String> env) {
    static final String SAMPLE_POD_IP = "10.244.1.7";

    static ControllerConfig of(Rendered r) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : r.controllerContainer().getEnv()) {
            if (e.getValue() != null) {
                env.put(e.getName(), e.getValue());
            } else if (e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null) {
                String field = e.getValueFrom().getFieldRef().getFieldPath();
                env.put(
                        e.getName(),
                        switch (field) {
                            case "status.podIP" -> SAMPLE_POD_IP;
                            case "metadata.namespace" ->
                                r.controllers().getMetadata().getNamespace();
                            case "metadata.name" -> Rendered.CONTROLLER + "-0";
                            default -> throw new AssertionError("no sample value for downward API field " + field);
                        });
            }
        }
        Path clusterResources = Kustomize.deployDir().getParent().resolve("cluster/src/main/resources");
        Config config = ConfigFactory.parseString(r.controllerConfig().getData().get("application.conf"))
                // the Kubernetes mode's layer (ClusterDiscovery; the mounted file says discovery = kubernetes)
                .withFallback(ConfigFactory.parseFile(
                        clusterResources.resolve("portmesh-kubernetes.conf").toFile()))
                .withFallback(ConfigFactory.parseFile(
                        clusterResources.resolve("reference.conf").toFile()))
                .withFallback(ConfigFactory.defaultReference())
                // ${POD_IP} and the like are looked up as root keys: the container's env, not this JVM's
                .withFallback(ConfigFactory.parseMap(env))
                .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(false));
        return new ControllerConfig(config, env);
    }

    int managementPort() {
        return config.getInt("pekko.management.http.port");
    }

    String readinessPath() {
        return config.getString("pekko.management.health-checks.readiness-path");
    }

    String livenessPath() {
        return config.getString("pekko.management.health-checks.liveness-path");
    }
}
