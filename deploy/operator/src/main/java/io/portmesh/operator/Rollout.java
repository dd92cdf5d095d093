package io.portmesh.operator;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The next step towards a PortmeshCluster's spec, from what is observed: one step per reconciliation. Growing is done
 * at once (new pods join through Cluster Bootstrap). Shrinking and replacing pods is done one pod at a time, and only
 * from a settled cluster: every pod ready and an Up, reachable member, and no other member (a leaving pod's member
 * stays listed until the cluster has removed it). So a pod is removed or replaced only after the previous one has left
 * the cluster, or come back ready and joined.
 */
public final class Rollout {
    public enum Phase {
        CREATING,
        SCALING_UP,
        WAITING,
        SCALING_DOWN,
        ROLLING,
        READY
    }

    /** What to do now: the StatefulSet's replicas, a pod to delete (empty: none), and why. */
    public record Step(int replicas, Optional<String> podToReplace, Phase phase, String message) {}

    private Rollout() {}

    /**
     * @param want spec.replicas
     * @param current the StatefulSet as it is (null: not created yet)
     * @param desiredHash the template hash of the StatefulSet as it should be
     * @param pods the cluster's pods
     * @param members the members the cluster reports (empty: no controller answered)
     */
    public static Step next(
            String cluster,
            int want,
            StatefulSet current,
            String desiredHash,
            List<Pod> pods,
            Optional<List<ClusterEndpoint.Member>> members) {
        if (current == null) {
            return new Step(want, Optional.empty(), Phase.CREATING, "creating " + want + " controller pods");
        }
        int have = current.getSpec().getReplicas();
        if (want > have) {
            return new Step(want, Optional.empty(), Phase.SCALING_UP, "scaling up from " + have + " to " + want);
        }
        Optional<String> unsettled = unsettled(cluster, have, pods, members);
        if (unsettled.isPresent()) {
            return new Step(have, Optional.empty(), Phase.WAITING, unsettled.get());
        }
        if (want < have) {
            return new Step(
                    have - 1,
                    Optional.empty(),
                    Phase.SCALING_DOWN,
                    "removing " + ControllerLabels.pod(cluster, have - 1) + " (" + have + " -> " + want + ")");
        }
        Optional<String> outdated = pods.stream()
                .filter(p -> !desiredHash.equals(hash(p)))
                .max(Comparator.comparingInt(Rollout::ordinal))
                .map(p -> p.getMetadata().getName());
        if (outdated.isPresent()) {
            return new Step(have, outdated, Phase.ROLLING, "replacing " + outdated.get() + " with the new template");
        }
        return new Step(have, Optional.empty(), Phase.READY, have + " controllers ready and Up members");
    }

    /** Why the cluster of {@code replicas} pods is not settled; empty when it is. */
    static Optional<String> unsettled(
            String cluster, int replicas, List<Pod> pods, Optional<List<ClusterEndpoint.Member>> members) {
        Map<String, Pod> byName =
                pods.stream().collect(Collectors.toMap(p -> p.getMetadata().getName(), Function.identity()));
        for (int i = 0; i < replicas; i++) {
            String name = ControllerLabels.pod(cluster, i);
            Pod p = byName.get(name);
            if (p == null || p.getMetadata().getDeletionTimestamp() != null) {
                return Optional.of("waiting for pod " + name + " to be created");
            }
            if (!ready(p)) {
                return Optional.of("waiting for pod " + name + " to be ready");
            }
        }
        List<String> extra = pods.stream()
                .filter(p -> ordinal(p) >= replicas)
                .map(p -> p.getMetadata().getName())
                .sorted()
                .toList();
        if (!extra.isEmpty()) {
            return Optional.of("waiting for " + extra + " to terminate");
        }
        if (members.isEmpty()) {
            return Optional.of("waiting for a controller to answer GET /v1/cluster");
        }
        Set<String> podIps = pods.stream().map(p -> p.getStatus().getPodIP()).collect(Collectors.toSet());
        for (ClusterEndpoint.Member m : members.get()) {
            if (!podIps.contains(m.host())) {
                return Optional.of("waiting for member " + m.address() + " (" + m.status() + ") to leave the cluster");
            }
            if (!"Up".equals(m.status()) || !m.reachable()) {
                return Optional.of("waiting for member " + m.address() + " to be Up and reachable (" + m.status()
                        + (m.reachable() ? "" : ", unreachable") + ")");
            }
        }
        Set<String> memberHosts =
                members.get().stream().map(ClusterEndpoint.Member::host).collect(Collectors.toSet());
        return pods.stream()
                .filter(p -> !memberHosts.contains(p.getStatus().getPodIP()))
                .map(p -> "waiting for pod " + p.getMetadata().getName() + " to join the cluster")
                .findFirst();
    }

    static boolean ready(Pod p) {
        return p.getStatus() != null
                && p.getStatus().getPodIP() != null
                && p.getStatus().getConditions() != null
                && p.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    static int ordinal(Pod p) {
        String name = p.getMetadata().getName();
        try {
            return Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a StatefulSet pod name (<name>-<ordinal>): " + name, e);
        }
    }

    private static String hash(Pod p) {
        Map<String, String> a = p.getMetadata().getAnnotations();
        return a == null ? null : a.get(ControllerLabels.TEMPLATE_HASH);
    }
}
