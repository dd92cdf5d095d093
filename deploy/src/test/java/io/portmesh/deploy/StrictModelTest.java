package io.portmesh.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Service;
import org.junit.jupiter.api.Test;

class StrictModelTest {
    private static final String SERVICE = """
            apiVersion: v1
            kind: Service
            metadata:
              name: s
            spec:
              clusterIP: None
              ports:
                - name: openflow
                  port: 6653
            """;

    @Test
    void aKnownResourceParsesIntoItsModelClass() {
        assertThat(StrictModel.parseAll(SERVICE + "---\n" + SERVICE))
                .hasSize(2)
                .allSatisfy(r -> assertThat(r).isInstanceOf(Service.class));
    }

    @Test
    void aMisspeltNestedFieldIsRefusedWithItsPath() {
        String yaml = SERVICE.replace("port: 6653", "port: 6653\n      targetPrt: openflow");
        assertThatThrownBy(() -> StrictModel.parseAll(yaml))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Service s")
                .hasMessageContaining("Service.spec.ports[0].targetPrt");
    }

    @Test
    void aKindTheModelDoesNotKnowIsRefused() {
        String yaml = SERVICE.replace("kind: Service", "kind: Servic");
        assertThatThrownBy(() -> StrictModel.parseAll(yaml))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a resource kind of the fabric8 model");
    }
}
