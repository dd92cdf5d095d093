package io.portmesh.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.portmesh.cluster.ControllerMain;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine;

/**
 * The Job that installs the Cassandra schema once (the controller pods do not): the controllers' image, environment
 * and configuration, a command the image serves, and a pod nothing else takes for a controller.
 */
class SchemaJobTest {
    static final String JOB = "portmesh-schema";

    private static Container container(Job job) {
        return job.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    /** name -> value, or the downward API field it comes from: what the process sees, whatever the order. */
    private static Map<String, String> env(Container c) {
        Map<String, String> env = new TreeMap<>();
        for (EnvVar e : c.getEnv()) {
            env.put(
                    e.getName(),
                    e.getValue() != null
                            ? e.getValue()
                            : "fieldRef:" + e.getValueFrom().getFieldRef().getFieldPath());
        }
        return env;
    }

    @ForEachKustomization
    void theJobRunsTheControllersImageWithTheirEnvironmentAndMountedConfiguration(String dir) {
        Rendered r = Rendered.of(dir);
        Job job = r.one(Job.class, JOB);
        Container schema = container(job);
        Container controller = r.controllerContainer();
        assertThat(schema.getImage()).isEqualTo(controller.getImage());
        assertThat(env(schema)).isEqualTo(env(controller));

        PodSpec pod = job.getSpec().getTemplate().getSpec();
        Volume config = pod.getVolumes().stream()
                .filter(v -> v.getConfigMap() != null)
                .findFirst()
                .orElseThrow(() -> new AssertionError("the Job mounts no ConfigMap"));
        assertThat(config.getConfigMap().getName())
                .isEqualTo(r.controllerConfig().getMetadata().getName());
        String controllerMount = controller.getVolumeMounts().stream()
                .filter(m -> r.controllers().getSpec().getTemplate().getSpec().getVolumes().stream()
                        .anyMatch(v -> v.getName().equals(m.getName()) && v.getConfigMap() != null))
                .findFirst()
                .orElseThrow()
                .getMountPath();
        assertThat(schema.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo(config.getName());
            assertThat(m.getMountPath()).isEqualTo(controllerMount);
        });
        assertThat(pod.getRestartPolicy()).isIn("OnFailure", "Never");
        assertThat(job.getSpec().getBackoffLimit()).isPositive();
    }

    /** The image's entry point is ControllerMain (cluster/pom.xml, Jib); the Job's arguments are one of its commands. */
    @ForEachKustomization
    void theJobsArgumentsAreTheSchemaInstallCommandOfTheImagesEntryPoint(String dir) throws IOException {
        Container schema = container(Rendered.of(dir).one(Job.class, JOB));
        assertThat(schema.getCommand()).as("the image's entry point is kept").isNullOrEmpty();
        String pom = Files.readString(Kustomize.deployDir().getParent().resolve("cluster/pom.xml"));
        assertThat(pom).contains("<mainClass>" + ControllerMain.class.getName() + "</mainClass>");

        List<String> args = schema.getArgs();
        CommandLine.ParseResult parsed = new CommandLine(new ControllerMain()).parseArgs(args.toArray(String[]::new));
        assertThat(parsed.subcommand()).as("%s", args).isNotNull();
        assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("schema");
        assertThat(parsed.subcommand().subcommand()).as("%s", args).isNotNull();
        assertThat(parsed.subcommand().subcommand().commandSpec().name()).isEqualTo("install");
    }

    @ForEachKustomization
    void theControllersNeverInstallTheSchemaThemselves(String dir) {
        assertThat(ControllerConfig.of(Rendered.of(dir)).config().getString("portmesh.cassandra.schema.install"))
                .isEqualTo("off");
    }

    /** The Job's pod must not be routed to, counted in the budget, or found by bootstrap as a controller. */
    @ForEachKustomization
    void theJobsPodIsSelectedByNoServiceBudgetOrControllerDiscovery(String dir) {
        Rendered r = Rendered.of(dir);
        Map<String, String> labels =
                r.one(Job.class, JOB).getSpec().getTemplate().getMetadata().getLabels();
        for (Service s : r.all(Service.class)) {
            assertThat(selects(s.getSpec().getSelector(), labels))
                    .as("Service " + s.getMetadata().getName() + " selects the Job's pod")
                    .isFalse();
        }
        for (PodDisruptionBudget p : r.all(PodDisruptionBudget.class)) {
            assertThat(selects(p.getSpec().getSelector().getMatchLabels(), labels))
                    .as("PodDisruptionBudget " + p.getMetadata().getName() + " counts the Job's pod")
                    .isFalse();
        }
        assertThat(selects(r.controllers().getSpec().getSelector().getMatchLabels(), labels))
                .as("the StatefulSet's selector matches the Job's pod")
                .isFalse();
        String discovery = String.format(
                ControllerConfig.of(r).config().getString("pekko.discovery.kubernetes-api.pod-label-selector"),
                ControllerConfig.of(r)
                        .config()
                        .getString("pekko.management.cluster.bootstrap.contact-point-discovery.service-name"));
        String[] kv = discovery.split("=", 2);
        assertThat(selects(Map.of(kv[0], kv[1]), labels))
                .as("bootstrap discovery (" + discovery + ") finds the Job's pod")
                .isFalse();
    }

    private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        return labels.entrySet().containsAll(selector.entrySet());
    }
}
