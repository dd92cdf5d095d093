package io.portmesh.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The CRD that crd-generator-maven-plugin wrote from the Java types into the jar (META-INF/fabric8). */
class GeneratedCrdTest {
    private static final String GENERATED = "/META-INF/fabric8/portmeshclusters.portmesh.io-v1.yml";

    /** kubectl apply -k deploy/operator/k8s installs a copy: it must be what the Java types generate now. */
    @Test
    void theCopyInK8sIsTheGeneratedCrd() throws IOException {
        String generated;
        try (InputStream in = getClass().getResourceAsStream(GENERATED)) {
            assertThat(in).isNotNull();
            generated = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(Path.of("k8s/crd.yaml")))
                .as("deploy/operator/k8s/crd.yaml is stale: copy target/classes" + GENERATED + " over it")
                .isEqualTo(generated);
    }

    @Test
    void theCrdDescribesTheSpecAndHasAStatusSubresource() throws IOException {
        CustomResourceDefinition crd;
        try (InputStream in = getClass().getResourceAsStream(GENERATED)) {
            assertThat(in)
                    .as("the generated CRD is on the class path (mvn process-classes generates it)")
                    .isNotNull();
            crd = new KubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
        }
        assertThat(crd.getSpec().getGroup()).isEqualTo(PortmeshCluster.GROUP);
        assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
        CustomResourceDefinitionVersion v = crd.getSpec().getVersions().get(0);
        assertThat(v.getName()).isEqualTo(PortmeshCluster.VERSION);
        assertThat(v.getSubresources().getStatus()).isNotNull();
        JSONSchemaProps spec =
                v.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
        assertThat(spec.getProperties())
                .containsKeys("replicas", "image", "cassandraContactPoints", "jvmOptions", "tlsSecretName");
        assertThat(spec.getRequired()).contains("replicas", "image", "cassandraContactPoints");
        assertThat(spec.getProperties().get("cassandraContactPoints").getPattern())
                .isEqualTo(PortmeshClusterSpec.HOST_PORT);
        JSONSchemaProps status =
                v.getSchema().getOpenAPIV3Schema().getProperties().get("status");
        assertThat(status.getProperties()).containsKeys("readyReplicas", "members", "conditions");
    }
}
