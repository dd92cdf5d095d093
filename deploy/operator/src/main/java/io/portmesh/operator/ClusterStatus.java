package io.portmesh.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The status a reconciliation reports. Conditions: {@code Ready} (the spec is reached: every pod ready and an Up
 * member), {@code Progressing} (a step is under way; its reason is the rollout phase, its message what it waits
 * for), {@code MembersReported} (a controller answered {@code GET /v1/cluster}).
 */
final class ClusterStatus {
    static final String READY = "Ready";
    static final String PROGRESSING = "Progressing";
    static final String MEMBERS_REPORTED = "MembersReported";
    static final String SCHEMA_INSTALLED = "SchemaInstalled";

    private ClusterStatus() {}

    static PortmeshClusterStatus of(
            PortmeshCluster cluster,
            Rollout.Step step,
            List<Pod> pods,
            Optional<List<ClusterEndpoint.Member>> members,
            String endpointError,
            PortmeshClusterReconciler.SchemaJob schema) {
        PortmeshClusterStatus s = fresh(cluster);
        s.setReplicas(step.replicas());
        s.setReadyReplicas((int) pods.stream().filter(Rollout::ready).count());
        Map<String, String> podByIp = pods.stream()
                .filter(p -> p.getStatus() != null && p.getStatus().getPodIP() != null)
                .collect(Collectors.toMap(
                        p -> p.getStatus().getPodIP(), p -> p.getMetadata().getName(), (a, b) -> a));
        s.setMembers(members.orElse(List.of()).stream()
                .map(m -> new MemberStatus(m.address(), m.status(), m.reachable(), podByIp.get(m.host())))
                .toList());
        boolean ready = step.phase() == Rollout.Phase.READY;
        String phase = phaseName(step.phase());
        List<Condition> conditions = new ArrayList<>();
        conditions.add(condition(cluster, READY, ready, phase, step.message()));
        conditions.add(condition(cluster, PROGRESSING, !ready, phase, step.message()));
        conditions.add(
                members.isPresent()
                        ? condition(
                                cluster,
                                MEMBERS_REPORTED,
                                true,
                                "Answered",
                                members.get().size() + " members")
                        : condition(cluster, MEMBERS_REPORTED, false, "NoAnswer", String.valueOf(endpointError)));
        conditions.add(condition(
                cluster,
                SCHEMA_INSTALLED,
                schema == PortmeshClusterReconciler.SchemaJob.INSTALLED,
                switch (schema) {
                    case INSTALLED -> "JobComplete";
                    case INSTALLING -> "JobRunning";
                    case FAILED -> "JobFailed";
                },
                switch (schema) {
                    case INSTALLED -> "the schema Job of the current template finished";
                    case INSTALLING -> "the schema Job runs; pods of a new template are replaced once it finished";
                    case FAILED -> "the schema Job ran out of retries (is Cassandra reachable?): made again";
                }));
        s.setConditions(conditions);
        return s;
    }

    static PortmeshClusterStatus invalid(PortmeshCluster cluster, String problem) {
        PortmeshClusterStatus s = fresh(cluster);
        s.setConditions(List.of(condition(cluster, READY, false, "InvalidSpec", problem)));
        return s;
    }

    private static PortmeshClusterStatus fresh(PortmeshCluster cluster) {
        PortmeshClusterStatus s = new PortmeshClusterStatus();
        s.setObservedGeneration(
                Optional.ofNullable(cluster.getMetadata().getGeneration()).orElse(0L));
        return s;
    }

    /** A condition keeping its last transition time while its status is unchanged. */
    private static Condition condition(
            PortmeshCluster cluster, String type, boolean status, String reason, String message) {
        String value = status ? "True" : "False";
        String since = Optional.ofNullable(cluster.getStatus())
                .map(PortmeshClusterStatus::getConditions)
                .flatMap(cs -> cs.stream()
                        .filter(c -> type.equals(c.getType()) && value.equals(c.getStatus()))
                        .findFirst())
                .map(Condition::getLastTransitionTime)
                .orElseGet(() -> Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        return new ConditionBuilder()
                .withType(type)
                .withStatus(value)
                .withReason(reason)
                .withMessage(message)
                .withLastTransitionTime(since)
                .withObservedGeneration(cluster.getMetadata().getGeneration())
                .build();
    }

    /** CREATING -> Creating, SCALING_UP -> ScalingUp (a condition reason is CamelCase). */
    private static String phaseName(Rollout.Phase phase) {
        StringBuilder b = new StringBuilder();
        for (String part : phase.name().split("_")) {
            b.append(part.charAt(0)).append(part.substring(1).toLowerCase(java.util.Locale.ROOT));
        }
        return b.toString();
    }
}
