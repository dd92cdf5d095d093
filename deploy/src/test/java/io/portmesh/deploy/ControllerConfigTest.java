package io.portmesh.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Duration;

/** The mounted application.conf against the pod spec it runs in: ports, discovery, Cassandra, shutdown. */
class ControllerConfigTest {

    @ForEachKustomization
    void theJvmReadsTheMountedApplicationConf(String dir) {
        Rendered r = Rendered.of(dir);
        Container c = r.controllerContainer();
        String volume = r.controllers().getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getConfigMap() != null)
                .findFirst()
                .orElseThrow()
                .getName();
        VolumeMount mount = c.getVolumeMounts().stream()
                .filter(m -> m.getName().equals(volume))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the config volume is not mounted"));
        assertThat(ControllerConfig.of(r).env().get("JDK_JAVA_OPTIONS"))
                .contains("-Dconfig.file=" + mount.getMountPath() + "/application.conf");
    }

    @ForEachKustomization
    void theContainerPortsAreTheOnesTheControllerBinds(String dir) {
        Rendered r = Rendered.of(dir);
        Config config = ControllerConfig.of(r).config();
        assertThat(port(r, "openflow")).isEqualTo(config.getInt("portmesh.controller.openflow.port"));
        assertThat(port(r, "http")).isEqualTo(config.getInt("portmesh.controller.http.port"));
        assertThat(port(r, "remoting")).isEqualTo(config.getInt("pekko.remote.artery.canonical.port"));
        assertThat(port(r, "management")).isEqualTo(config.getInt("pekko.management.http.port"));
        // reachable from other pods and from the Services, not only on loopback
        assertThat(config.getString("portmesh.controller.openflow.host")).isEqualTo("0.0.0.0");
        assertThat(config.getString("portmesh.controller.http.host")).isEqualTo("0.0.0.0");
        assertThat(config.getString("pekko.management.http.bind-hostname")).isEqualTo("0.0.0.0");
        assertThat(config.getString("pekko.remote.artery.canonical.hostname"))
                .isEqualTo(ControllerConfig.SAMPLE_POD_IP);
        assertThat(config.getString("pekko.management.http.hostname")).isEqualTo(ControllerConfig.SAMPLE_POD_IP);
    }

    @ForEachKustomization
    void bootstrapFindsPodsByTheControllerLabelWithoutSeeds(String dir) {
        Rendered r = Rendered.of(dir);
        Config config = ControllerConfig.of(r).config();
        assertThat(config.getString("portmesh.cluster.discovery")).isEqualTo("kubernetes");
        assertThat(config.getStringList("pekko.cluster.seed-nodes")).isEmpty();
        Config discovery = config.getConfig("pekko.management.cluster.bootstrap.contact-point-discovery");
        assertThat(discovery.getString("discovery-method")).isEqualTo("kubernetes-api");
        assertThat(discovery.getString("port-name")).isEqualTo("management");
        String selector = String.format(
                config.getString("pekko.discovery.kubernetes-api.pod-label-selector"),
                discovery.getString("service-name"));
        String[] kv = selector.split("=", 2);
        assertThat(r.controllers().getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry(kv[0], kv[1]);
        assertThat(config.getString("pekko.discovery.kubernetes-api.pod-namespace"))
                .isEqualTo(ManifestStructureTest.NAMESPACE);
    }

    @ForEachKustomization
    void cassandraComesFromTheEnvironmentAndIsNeverStartedInThePod(String dir) {
        Rendered r = Rendered.of(dir);
        ControllerConfig cc = ControllerConfig.of(r);
        assertThat(cc.config().getBoolean("portmesh.cassandra.embedded.enabled"))
                .isFalse();
        assertThat(cc.env().get("PORTMESH_CASSANDRA_CONTACT_POINTS")).matches("[^:,]+:\\d+(,[^:,]+:\\d+)*");
        // the controller splits the variable's list itself (ClusterDiscovery.contactPoints); the mounted file setting
        // the key from it would win over that and make 'a:9042,b:9042' one host (the schema Job's session then fails)
        assertThat(com.typesafe.config.ConfigFactory.parseString(
                                r.controllerConfig().getData().get("application.conf"))
                        .hasPath("portmesh.cassandra.contact-point"))
                .as("application.conf sets portmesh.cassandra.contact-point")
                .isFalse();
    }

    /** The pod is killed only after every coordinated-shutdown phase could have used its whole timeout. */
    @ForEachKustomization
    void theGracePeriodCoversCoordinatedShutdown(String dir) {
        Rendered r = Rendered.of(dir);
        StatefulSet s = r.controllers();
        Config config = ControllerConfig.of(r).config();
        assertThat(config.getBoolean("pekko.coordinated-shutdown.exit-jvm")).isTrue();
        Config phases = config.getConfig("pekko.coordinated-shutdown.phases");
        Duration defaultTimeout = config.getDuration("pekko.coordinated-shutdown.default-phase-timeout");
        Duration total = phases.root().keySet().stream()
                .map(p -> phases.getConfig(p).hasPath("timeout")
                        ? phases.getConfig(p).getDuration("timeout")
                        : defaultTimeout)
                .reduce(Duration.ZERO, Duration::plus);
        assertThat(Duration.ofSeconds(s.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds()))
                .as("terminationGracePeriodSeconds against the sum of the phase timeouts")
                .isGreaterThanOrEqualTo(total);
        // the controller checks its shutdown phases against the grace it is told (bootstrap/ShutdownBudget)
        String told = r.controllerContainer().getEnv().stream()
                .filter(e -> e.getName().equals("PORTMESH_TERMINATION_GRACE_PERIOD"))
                .map(e -> e.getValue())
                .findFirst()
                .orElseThrow(() -> new AssertionError("PORTMESH_TERMINATION_GRACE_PERIOD not set"));
        assertThat(com.typesafe.config.ConfigFactory.parseString("g = " + told).getDuration("g"))
                .as("PORTMESH_TERMINATION_GRACE_PERIOD against terminationGracePeriodSeconds")
                .isEqualTo(
                        Duration.ofSeconds(s.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds()));
    }

    private static int port(Rendered r, String name) {
        return r.controllerContainer().getPorts().stream()
                .filter(p -> p.getName().equals(name))
                .map(ContainerPort::getContainerPort)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + name));
    }
}
