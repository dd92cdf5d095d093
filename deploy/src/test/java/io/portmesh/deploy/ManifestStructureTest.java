package io.portmesh.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.List;
import java.util.Map;

/** What must hold in the base and in every overlay: kinds, labels against selectors, probes, RBAC, Services. */
class ManifestStructureTest {
    static final String NAMESPACE = "portmesh";

    @ForEachKustomization
    void everyResourceParsesIntoTheModelAndLivesInTheNamespace(String dir) {
        Rendered r = Rendered.of(dir);
        assertThat(r.resources())
                .extracting(HasMetadata::getKind)
                .contains(
                        "Namespace",
                        "ServiceAccount",
                        "Role",
                        "RoleBinding",
                        "StatefulSet",
                        "Service",
                        "PodDisruptionBudget",
                        "ConfigMap");
        assertThat(r.resources())
                .filteredOn(x -> !(x instanceof Namespace))
                .allSatisfy(x -> assertThat(x.getMetadata().getNamespace())
                        .as(x.getKind() + " " + x.getMetadata().getName())
                        .isEqualTo(NAMESPACE));
        assertThat(r.one(Namespace.class, NAMESPACE)).isNotNull();
    }

    @ForEachKustomization
    void workloadSelectorsMatchTheirPodTemplates(String dir) {
        for (StatefulSet s : Rendered.of(dir).all(StatefulSet.class)) {
            Map<String, String> podLabels =
                    s.getSpec().getTemplate().getMetadata().getLabels();
            assertThat(podLabels)
                    .as(s.getMetadata().getName())
                    .containsAllEntriesOf(s.getSpec().getSelector().getMatchLabels());
            assertThat(s.getSpec().getSelector().getMatchExpressions()).isNullOrEmpty();
        }
    }

    @ForEachKustomization
    void everyServiceSelectsPodsOfAStatefulSetAndTargetsTheirPorts(String dir) {
        Rendered r = Rendered.of(dir);
        for (Service svc : r.all(Service.class)) {
            StatefulSet selected = r.all(StatefulSet.class).stream()
                    .filter(s -> s.getSpec()
                            .getTemplate()
                            .getMetadata()
                            .getLabels()
                            .entrySet()
                            .containsAll(svc.getSpec().getSelector().entrySet()))
                    .findFirst()
                    .orElseThrow(() ->
                            new AssertionError("Service " + svc.getMetadata().getName() + " selects no pods"));
            List<ContainerPort> ports = selected.getSpec().getTemplate().getSpec().getContainers().stream()
                    .flatMap(c -> c.getPorts().stream())
                    .toList();
            for (ServicePort p : svc.getSpec().getPorts()) {
                assertThat(resolve(p.getTargetPort(), ports))
                        .as(
                                "Service %s port %s targets a container port",
                                svc.getMetadata().getName(), p.getName())
                        .isNotNull();
            }
        }
    }

    @ForEachKustomization
    void theHeadlessServiceListsEveryControllerPodWithTheOpenFlowPort(String dir) {
        Rendered r = Rendered.of(dir);
        Service headless = r.one(Service.class, Rendered.CONTROLLER);
        assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(r.controllers().getSpec().getServiceName()).isEqualTo(Rendered.CONTROLLER);
        assertThat(headless.getSpec().getPorts())
                .anySatisfy(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo("openflow"));
        assertThat(headless.getSpec().getSelector())
                .isEqualTo(r.controllers().getSpec().getSelector().getMatchLabels());
    }

    @ForEachKustomization
    void theDisruptionBudgetAllowsOneControllerDown(String dir) {
        Rendered r = Rendered.of(dir);
        PodDisruptionBudget pdb = r.one(PodDisruptionBudget.class, Rendered.CONTROLLER);
        assertThat(pdb.getSpec().getMaxUnavailable()).isEqualTo(new IntOrString(1));
        assertThat(r.controllers().getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
        assertThat(pdb.getSpec().getSelector().getMatchLabels()).isNotEmpty();
        // the split brain resolver keeps the majority (portmesh-kubernetes.conf): a drain must never take it away
        int replicas = r.controllers().getSpec().getReplicas();
        assertThat(replicas - pdb.getSpec().getMaxUnavailable().getIntVal())
                .as("pods left serving during a voluntary disruption, of %d", replicas)
                .isGreaterThan(replicas / 2);
    }

    @ForEachKustomization
    void probesAskTheManagementPortForReadyAndAlive(String dir) {
        Rendered r = Rendered.of(dir);
        Container c = r.controllerContainer();
        int management = ControllerConfig.of(r).managementPort();
        assertThat(probe(c.getReadinessProbe(), c)).isEqualTo("/ready@" + management);
        assertThat(probe(c.getLivenessProbe(), c)).isEqualTo("/alive@" + management);
        assertThat(probe(c.getStartupProbe(), c)).isEqualTo("/alive@" + management);
        assertThat(ControllerConfig.of(r).readinessPath()).isEqualTo("ready");
        assertThat(ControllerConfig.of(r).livenessPath()).isEqualTo("alive");
    }

    @ForEachKustomization
    void thePodsServiceAccountMayListPodsInItsNamespace(String dir) {
        Rendered r = Rendered.of(dir);
        String account = r.controllers().getSpec().getTemplate().getSpec().getServiceAccountName();
        assertThat(r.one(ServiceAccount.class, account)).isNotNull();
        RoleBinding binding = r.all(RoleBinding.class).stream()
                .filter(b -> b.getSubjects().stream()
                        .anyMatch(s -> s.getKind().equals("ServiceAccount")
                                && s.getName().equals(account)
                                && NAMESPACE.equals(s.getNamespace())))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no RoleBinding for ServiceAccount " + account));
        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        Role role = r.one(Role.class, binding.getRoleRef().getName());
        assertThat(role.getRules()).anySatisfy(rule -> {
            assertThat(rule.getApiGroups()).contains("");
            assertThat(rule.getResources()).contains("pods");
            assertThat(rule.getVerbs()).contains(BootstrapDiscoveryTest.DISCOVERY_VERBS.toArray(String[]::new));
            assertThat(rule.getResourceNames()).isNullOrEmpty();
        });
    }

    @ForEachKustomization
    void theConfigMapTheControllersMountHoldsApplicationConf(String dir) {
        ConfigMap cm = Rendered.of(dir).controllerConfig();
        assertThat(cm.getData()).containsKey("application.conf");
    }

    /** "path@port number" of an HTTP probe, its named port resolved against the container. */
    private static String probe(Probe p, Container c) {
        assertThat(p).as("probe of container " + c.getName()).isNotNull();
        HTTPGetAction get = p.getHttpGet();
        assertThat(get).as("an HTTP probe").isNotNull();
        ContainerPort port = resolve(get.getPort(), c.getPorts());
        assertThat(port)
                .as("probe port " + get.getPort() + " is a container port")
                .isNotNull();
        return get.getPath() + "@" + port.getContainerPort();
    }

    static ContainerPort resolve(IntOrString target, List<ContainerPort> ports) {
        return ports.stream()
                .filter(p -> target.getStrVal() != null
                        ? target.getStrVal().equals(p.getName())
                        : target.getIntVal().equals(p.getContainerPort()))
                .findFirst()
                .orElse(null);
    }
}
