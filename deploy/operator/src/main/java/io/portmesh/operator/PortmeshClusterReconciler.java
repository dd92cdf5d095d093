package io.portmesh.operator;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a PortmeshCluster's resources as its spec says, one {@link Rollout} step per call, and reports what it sees
 * in the status. The owned resources carry an owner reference to the PortmeshCluster, so Kubernetes deletes them with
 * it. While a step is under way the reconciliation is also rescheduled every {@code pollInterval}: a member
 * leaving or joining the Pekko cluster is no Kubernetes event.
 */
@ControllerConfiguration(name = "portmeshcluster")
public final class PortmeshClusterReconciler implements Reconciler<PortmeshCluster> {
    private static final Logger log = LoggerFactory.getLogger(PortmeshClusterReconciler.class);

    private final ClusterEndpoint endpoint;
    private final Duration pollInterval;
    private final Duration settledInterval;

    public PortmeshClusterReconciler(ClusterEndpoint endpoint, Duration pollInterval, Duration settledInterval) {
        this.endpoint = endpoint;
        this.pollInterval = pollInterval;
        this.settledInterval = settledInterval;
    }

    /**
     * Reconcile on changes of the cluster's StatefulSet (mapped by its owner reference) and of its pods (mapped by
     * their instance label: the StatefulSet owns them, not the PortmeshCluster), so a pod that becomes ready or goes
     * away starts the next step without waiting for the poll. Membership changes have no event: the poll covers them.
     */
    @Override
    public List<EventSource<?, PortmeshCluster>> prepareEventSources(EventSourceContext<PortmeshCluster> context) {
        InformerEventSource<StatefulSet, PortmeshCluster> statefulSets = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(StatefulSet.class, PortmeshCluster.class)
                        .withName("statefulsets")
                        .withLabelSelector(ControllerLabels.MANAGED_BY + "=" + ControllerLabels.OPERATOR)
                        .build(),
                context);
        InformerEventSource<Pod, PortmeshCluster> pods = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Pod.class, PortmeshCluster.class)
                        .withName("pods")
                        .withLabelSelector(ControllerLabels.MANAGED_BY + "=" + ControllerLabels.OPERATOR)
                        .withSecondaryToPrimaryMapper((Pod p) -> Optional.ofNullable(
                                        p.getMetadata().getLabels().get(ControllerLabels.INSTANCE))
                                .map(name -> Set.of(
                                        new ResourceID(name, p.getMetadata().getNamespace())))
                                .orElse(Set.of()))
                        .build(),
                context);
        return List.of(statefulSets, pods);
    }

    @Override
    public UpdateControl<PortmeshCluster> reconcile(PortmeshCluster cluster, Context<PortmeshCluster> context) {
        return reconcile(cluster, context.getClient());
    }

    /** One reconciliation against {@code client}; the returned control carries the status to patch. */
    public UpdateControl<PortmeshCluster> reconcile(PortmeshCluster cluster, KubernetesClient client) {
        Optional<String> invalid = SpecCheck.problem(cluster.getSpec());
        if (invalid.isPresent()) {
            cluster.setStatus(ClusterStatus.invalid(cluster, invalid.get()));
            return UpdateControl.patchStatus(cluster);
        }
        String ns = cluster.getMetadata().getNamespace();
        String name = cluster.getMetadata().getName();
        ControllerResources resources = new ControllerResources(cluster);
        for (HasMetadata r : resources.supporting()) {
            client.resource(r).inNamespace(ns).createOr(NonDeletingOperation::update);
        }
        String desiredHash = resources
                .statefulSet(cluster.getSpec().getReplicas())
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .get(ControllerLabels.TEMPLATE_HASH);
        // before the StatefulSet: its pods do not install the schema, and are not ready until the Job did
        SchemaJob schema = ensureSchemaJob(client, ns, resources.schemaJob());

        StatefulSet current = client.apps()
                .statefulSets()
                .inNamespace(ns)
                .withName(ControllerLabels.statefulSet(name))
                .get();
        List<Pod> pods = client.pods()
                .inNamespace(ns)
                .withLabels(ControllerLabels.selector(name))
                .list()
                .getItems();
        Optional<List<ClusterEndpoint.Member>> members;
        String endpointError = null;
        try {
            members = Optional.of(endpoint.members(cluster));
        } catch (IOException | RuntimeException e) {
            members = Optional.empty();
            endpointError = e.getMessage();
        }

        Rollout.Step step = Rollout.next(name, cluster.getSpec().getReplicas(), current, desiredHash, pods, members);
        client.resource(resources.statefulSet(step.replicas())).inNamespace(ns).createOr(NonDeletingOperation::update);
        step.podToReplace().ifPresent(pod -> {
            if (schema != SchemaJob.INSTALLED) {
                // a pod of the new template is not ready before its schema is: replacing one now takes it out for
                // the Job's whole run
                log.info("PortmeshCluster {}/{}: {} waits for the schema Job ({})", ns, name, pod, schema);
                return;
            }
            log.info("PortmeshCluster {}/{}: {}", ns, name, step.message());
            client.pods().inNamespace(ns).withName(pod).delete();
        });
        if (step.phase() == Rollout.Phase.SCALING_DOWN || step.phase() == Rollout.Phase.SCALING_UP) {
            log.info("PortmeshCluster {}/{}: {}", ns, name, step.message());
        }

        cluster.setStatus(ClusterStatus.of(cluster, step, pods, members, endpointError, schema));
        Duration next = step.phase() == Rollout.Phase.READY ? settledInterval : pollInterval;
        return UpdateControl.patchStatus(cluster).rescheduleAfter(next);
    }

    /** Where the schema Job of the current template stands. */
    enum SchemaJob {
        /** Made (or remade) and not finished yet. */
        INSTALLING,
        /** Finished: the schema of this template's image and configuration is in Cassandra. */
        INSTALLED,
        /** Ran out of retries: deleted, to be made again by the next reconciliation. */
        FAILED
    }

    /**
     * Creates the schema Job when it is missing. It is stamped with the controllers' template hash (the pod spec,
     * image and environment, Cassandra's contact points among them, and the mounted configuration), and a Job's pod
     * template cannot change: one made for another template (an upgrade whose schema may have a table more, another
     * Cassandra, other keyspaces) is deleted with its pod and made again by the next reconciliation; so is one that
     * failed (out of retries, e.g. Cassandra away for half an hour), which is also said in the status. Pods are only
     * replaced once the Job of their template finished (the caller).
     */
    private static SchemaJob ensureSchemaJob(KubernetesClient client, String ns, Job desired) {
        String jobName = desired.getMetadata().getName();
        String hash = desired.getMetadata().getAnnotations().get(ControllerLabels.TEMPLATE_HASH);
        Job current =
                client.batch().v1().jobs().inNamespace(ns).withName(jobName).get();
        if (current == null) {
            client.batch().v1().jobs().inNamespace(ns).resource(desired).create();
            return SchemaJob.INSTALLING;
        }
        String made = Optional.ofNullable(current.getMetadata().getAnnotations())
                .map(a -> a.get(ControllerLabels.TEMPLATE_HASH))
                .orElse("");
        if (!made.equals(hash)) {
            log.info(
                    "{}/{}: made for another controller template (image {}, now {}): deleted, to be made again",
                    ns,
                    jobName,
                    image(current),
                    image(desired));
            delete(client, ns, jobName);
            return SchemaJob.INSTALLING;
        }
        if (hasCondition(current, "Failed")) {
            log.warn("{}/{}: failed (out of retries): deleted, to be made again", ns, jobName);
            delete(client, ns, jobName);
            return SchemaJob.FAILED;
        }
        return hasCondition(current, "Complete") ? SchemaJob.INSTALLED : SchemaJob.INSTALLING;
    }

    private static boolean hasCondition(Job job, String type) {
        return job.getStatus() != null
                && job.getStatus().getConditions() != null
                && job.getStatus().getConditions().stream()
                        .anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static void delete(KubernetesClient client, String ns, String jobName) {
        client.batch()
                .v1()
                .jobs()
                .inNamespace(ns)
                .withName(jobName)
                .withPropagationPolicy(DeletionPropagation.BACKGROUND)
                .delete();
    }

    private static String image(Job job) {
        return job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }
}
