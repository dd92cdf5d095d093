package io.portmesh.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What each overlay adds to the base. */
class OverlaysTest {

    @Test
    void devRunsThreeControllersAgainstItsOwnSingleNodeCassandra() {
        Rendered dev = Rendered.of("overlays/dev");
        assertThat(dev.controllers().getSpec().getReplicas()).isEqualTo(3);
        StatefulSet cassandra = dev.one(StatefulSet.class, "cassandra");
        assertThat(cassandra.getSpec().getReplicas()).isEqualTo(1);
        Container db =
                cassandra.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(db.getImage()).isEqualTo("cassandra:4.1");

        // the controllers' contact point is the Cassandra Service's name and CQL port
        String[] contact = ControllerConfig.of(dev)
                .env()
                .get("PORTMESH_CASSANDRA_CONTACT_POINTS")
                .split(":");
        Service service = dev.one(Service.class, contact[0]);
        assertThat(service.getSpec().getSelector())
                .isEqualTo(cassandra.getSpec().getSelector().getMatchLabels());
        assertThat(service.getSpec().getPorts())
                .anySatisfy(p -> assertThat(p.getPort()).isEqualTo(Integer.parseInt(contact[1])));
        assertThat(db.getPorts())
                .anySatisfy(p -> assertThat(p.getContainerPort()).isEqualTo(9042));
    }

    @Test
    void productionUsesAnExternalCassandraResourcesOneNodePerControllerAndMountsTheTlsSecret() {
        Rendered prod = Rendered.of("overlays/production");
        assertThat(prod.all(StatefulSet.class))
                .extracting(s -> s.getMetadata().getName())
                .containsExactly(Rendered.CONTROLLER);
        String contact = ControllerConfig.of(prod).env().get("PORTMESH_CASSANDRA_CONTACT_POINTS");
        assertThat(prod.all(Service.class))
                .noneMatch(s -> contact.startsWith(s.getMetadata().getName() + ":"));

        Container c = prod.controllerContainer();
        assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(c.getResources().getLimits()).containsKey("memory");

        PodSpec pod = prod.controllers().getSpec().getTemplate().getSpec();
        assertThat(pod.getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution())
                .singleElement()
                .satisfies(term -> {
                    assertThat(term.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
                    assertThat(prod.controllers()
                                    .getSpec()
                                    .getTemplate()
                                    .getMetadata()
                                    .getLabels())
                            .containsAllEntriesOf(term.getLabelSelector().getMatchLabels());
                });
        assertThat(pod.getAffinity().getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())
                .isNullOrEmpty();

        Volume tls = pod.getVolumes().stream()
                .filter(v -> v.getSecret() != null)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no secret volume"));
        assertThat(tls.getSecret().getSecretName()).isEqualTo("portmesh-tls");
        assertThat(c.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo(tls.getName());
            assertThat(m.getMountPath()).isEqualTo("/etc/portmesh/tls");
        });
        assertThat(tls.getSecret().getOptional())
                .as("no pod starts without its TLS files")
                .isNotEqualTo(Boolean.TRUE);

        // TLS everywhere, from the mounted files; the tokens from their own secret
        Map<String, String> env = ControllerConfig.of(prod).env();
        assertThat(env)
                .containsEntry("PORTMESH_OPENFLOW_TLS", "on")
                .containsEntry("PORTMESH_CLUSTER_TLS", "on")
                .containsEntry("PORTMESH_REST_TLS", "on")
                .containsEntry("PORTMESH_REST_AUTH", "on");
        for (String file : List.of(
                "PORTMESH_OPENFLOW_TLS_CERTIFICATE",
                "PORTMESH_OPENFLOW_TLS_KEY",
                "PORTMESH_OPENFLOW_TLS_CA",
                "PORTMESH_CLUSTER_TLS_CERT_FILE",
                "PORTMESH_CLUSTER_TLS_KEY_FILE",
                "PORTMESH_CLUSTER_TLS_CA_FILE",
                "PORTMESH_REST_TLS_CERT_FILE",
                "PORTMESH_REST_TLS_KEY_FILE")) {
            assertThat(env.get(file)).as(file).startsWith("/etc/portmesh/tls/");
        }
        Volume tokens = pod.getVolumes().stream()
                .filter(v ->
                        v.getSecret() != null && v.getSecret().getSecretName().equals("portmesh-api-tokens"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no tokens secret volume"));
        assertThat(c.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo(tokens.getName());
            assertThat(env.get("PORTMESH_REST_TOKENS_FILE")).startsWith(m.getMountPath() + "/");
        });
    }
}
