package io.portmesh.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import org.junit.jupiter.api.Test;

/**
 * deploy/operator/k8s: the operator's CRD, RBAC and Deployment. What the ClusterRole must allow is checked against
 * the reconciler's own requests in the operator module (PortmeshClusterReconcilerTest).
 */
class OperatorManifestsTest {
    @Test
    void theOperatorManifestsParseAndItsPodRunsAsTheBoundServiceAccount() {
        Rendered r = Rendered.of("operator/k8s");
        assertThat(r.one(CustomResourceDefinition.class, "portmeshclusters.portmesh.io"))
                .isNotNull();
        Deployment d = r.one(Deployment.class, "portmesh-operator");
        assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
        String account = d.getSpec().getTemplate().getSpec().getServiceAccountName();
        ServiceAccount sa = r.one(ServiceAccount.class, account);
        ClusterRoleBinding binding = r.one(ClusterRoleBinding.class, "portmesh-operator");
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo(account);
            assertThat(s.getNamespace()).isEqualTo(sa.getMetadata().getNamespace());
        });
        assertThat(r.one(ClusterRole.class, binding.getRoleRef().getName())).isNotNull();
    }
}
