package io.portmesh.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One kustomization rendered and parsed strictly, with look-ups by kind and name. */
record Rendered(String dir, List<HasMetadata> resources) {
    static final String CONTROLLER = "portmesh-controller";

    private static final Map<String, Rendered> CACHE = new ConcurrentHashMap<>();

    /** Rendered once per test JVM (the tests only read the resources). */
    static Rendered of(String dir) {
        return CACHE.computeIfAbsent(dir, d -> new Rendered(d, StrictModel.parseAll(Kustomize.render(d))));
    }

    <T extends HasMetadata> List<T> all(Class<T> kind) {
        return resources.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> kind, String name) {
        return all(kind).stream()
                .filter(r -> r.getMetadata().getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError(dir + " renders no " + kind.getSimpleName() + " " + name));
    }

    StatefulSet controllers() {
        return one(StatefulSet.class, CONTROLLER);
    }

    Container controllerContainer() {
        return controllers().getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    /** The generated ConfigMap (its name carries a content hash) that the controller pods mount. */
    ConfigMap controllerConfig() {
        String mounted = controllers().getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getConfigMap() != null)
                .map(v -> v.getConfigMap().getName())
                .findFirst()
                .orElseThrow(() -> new AssertionError(dir + ": the controller pods mount no ConfigMap"));
        return one(ConfigMap.class, mounted);
    }
}
