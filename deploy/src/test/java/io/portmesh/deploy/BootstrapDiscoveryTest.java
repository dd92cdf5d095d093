package io.portmesh.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.discovery.ServiceDiscovery;
import org.apache.pekko.discovery.kubernetes.JsonFormat;
import org.apache.pekko.discovery.kubernetes.KubernetesApiServiceDiscovery;
import org.apache.pekko.discovery.kubernetes.KubernetesApiServiceDiscovery$;
import org.apache.pekko.discovery.kubernetes.Settings;
import org.apache.pekko.http.scaladsl.model.HttpRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Option;

/**
 * The rendered manifests against Pekko's kubernetes-api discovery itself (the library Cluster Bootstrap uses): the
 * request it makes is one the pods' Role allows, and the pods it would be given back are found as contact points on
 * the management port. Only the discovery's request is built, nothing is sent.
 */
class BootstrapDiscoveryTest {
    /** The Role's verbs on pods: discovery lists (GET on the collection); get and watch are granted with it. */
    static final List<String> DISCOVERY_VERBS = List.of("get", "list", "watch");

    private static final String API_HOST_ENV = "PORTMESH_TEST_KUBERNETES_SERVICE_HOST";
    private static final String API_PORT_ENV = "PORTMESH_TEST_KUBERNETES_SERVICE_PORT";

    @TempDir
    static Path tmp;

    private static ActorSystem system;

    @BeforeAll
    static void startActorSystem() {
        system = ActorSystem.create("discovery-test", ConfigFactory.parseString("pekko.loglevel = WARNING"));
    }

    @AfterAll
    static void stopActorSystem() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void theRequestDiscoveryMakesIsAllowedByTheControllersRole() throws Exception {
        Rendered r = Rendered.of("base");
        Config config = ControllerConfig.of(r).config();
        Settings settings = discoverySettings(config);
        String serviceName =
                config.getString("pekko.management.cluster.bootstrap.contact-point-discovery.service-name");
        String namespace = settings.getPodNamespace().orElseThrow();

        HttpRequest request = podRequest(settings, namespace, settings.podLabelSelector(serviceName));

        assertThat(request.method().value()).isEqualTo("GET");
        // GET on a collection is the RBAC verb "list"; the core API group is ""
        assertThat(request.uri().path().toString()).isEqualTo("/api/v1/namespaces/" + namespace + "/pods");
        assertThat(request.uri().rawQueryString().get())
                .isEqualTo("labelSelector=app.kubernetes.io/name%3D" + Rendered.CONTROLLER)
                .as("the selector matches the controller pods' label");
        assertThat(namespace).isEqualTo(r.controllers().getMetadata().getNamespace());
        assertThat(roleOfControllerPods(r).getRules()).anySatisfy(rule -> assertAllows(rule, "", "pods", "list"));
    }

    @Test
    void thePodsTheApiServerListsAreContactPointsOnTheManagementPort() {
        Rendered r = Rendered.of("base");
        Config config = ControllerConfig.of(r).config();
        Settings settings = discoverySettings(config);
        StatefulSet s = r.controllers();
        PodList pods = new PodListBuilder()
                .withItems(runningPod(s, 0, ControllerConfig.SAMPLE_POD_IP), runningPod(s, 1, "10.244.2.9"))
                .build();
        String json = new KubernetesSerialization().asJson(pods);

        org.apache.pekko.discovery.kubernetes.PodList parsed = JsonFormat.podListFormat()
                .read(spray.json.JsonParser$.MODULE$.apply(spray.json.ParserInput$.MODULE$.apply(json)));
        scala.collection.immutable.Seq<ServiceDiscovery.ResolvedTarget> targets =
                KubernetesApiServiceDiscovery$.MODULE$.targets(
                        parsed,
                        Option.apply(config.getString(
                                "pekko.management.cluster.bootstrap.contact-point-discovery.port-name")),
                        s.getMetadata().getNamespace(),
                        settings.podDomain(),
                        settings.rawIp(),
                        settings.containerName());

        assertThat(targets.size()).isEqualTo(2);
        assertThat(targets.head().port().get()).isEqualTo(config.getInt("pekko.management.http.port"));
        assertThat(targets.head().address().get().getHostAddress()).isEqualTo(ControllerConfig.SAMPLE_POD_IP);
        // the contact point's host is the pod IP, the form each pod advertises as its management hostname
        assertThat(targets.head().host()).isEqualTo(ControllerConfig.SAMPLE_POD_IP);
        assertThat(config.getString("pekko.management.http.hostname")).isEqualTo(ControllerConfig.SAMPLE_POD_IP);
    }

    private static Pod runningPod(StatefulSet s, int ordinal, String ip) {
        return new PodBuilder()
                .withNewMetadataLike(s.getSpec().getTemplate().getMetadata())
                .withName(s.getMetadata().getName() + "-" + ordinal)
                .withNamespace(s.getMetadata().getNamespace())
                .endMetadata()
                .withSpec(s.getSpec().getTemplate().getSpec())
                .withNewStatus()
                .withPhase("Running")
                .withPodIP(ip)
                .endStatus()
                .build();
    }

    /** The rendered discovery settings, with a test CA, token and API address instead of the pod's. */
    private static Settings discoverySettings(Config config) {
        Path ca = testCaCertificate();
        Path token = tmp.resolve("token");
        try {
            Files.writeString(token, "test-token");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return new Settings(ConfigFactory.parseMap(Map.of(
                        "api-ca-path",
                        ca.toString(),
                        "api-token-path",
                        token.toString(),
                        "api-service-host-env-name",
                        API_HOST_ENV,
                        "api-service-port-env-name",
                        API_PORT_ENV))
                .withFallback(config.getConfig("pekko.discovery.kubernetes-api")));
    }

    /** The discovery's own request builder (private in the library: the request, not a copy of its logic). */
    private static HttpRequest podRequest(Settings settings, String namespace, String labelSelector) throws Exception {
        assertThat(System.getenv(API_HOST_ENV))
                .as(API_HOST_ENV + " is set by deploy/pom.xml's surefire configuration")
                .isNotNull();
        KubernetesApiServiceDiscovery discovery = new KubernetesApiServiceDiscovery(settings, system);
        Method m = KubernetesApiServiceDiscovery.class.getDeclaredMethod(
                "podRequest", String.class, String.class, String.class);
        m.setAccessible(true);
        Option<?> request = (Option<?>) m.invoke(discovery, "test-token", namespace, labelSelector);
        assertThat(request.isDefined()).as("the discovery formed a request").isTrue();
        return (HttpRequest) request.get();
    }

    private static Role roleOfControllerPods(Rendered r) {
        String account = r.controllers().getSpec().getTemplate().getSpec().getServiceAccountName();
        RoleBinding binding = r.all(RoleBinding.class).stream()
                .filter(b ->
                        b.getSubjects().stream().anyMatch(sub -> sub.getName().equals(account)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no RoleBinding for " + account));
        return r.one(Role.class, binding.getRoleRef().getName());
    }

    private static void assertAllows(PolicyRule rule, String group, String resource, String verb) {
        assertThat(rule.getApiGroups()).contains(group);
        assertThat(rule.getResources()).contains(resource);
        assertThat(rule.getVerbs()).contains(verb);
    }

    /** A self-signed certificate in PEM made with the JDK's keytool: the discovery loads its CA at construction. */
    private static Path testCaCertificate() {
        Path pem = tmp.resolve("ca.crt");
        if (Files.exists(pem)) {
            return pem;
        }
        Path store = tmp.resolve("ca.p12");
        String keytool =
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(
                keytool,
                "-genkeypair",
                "-alias",
                "ca",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=test-ca",
                "-validity",
                "1",
                "-keystore",
                store.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                "changeit");
        run(
                keytool,
                "-exportcert",
                "-rfc",
                "-alias",
                "ca",
                "-keystore",
                store.toString(),
                "-storepass",
                "changeit",
                "-file",
                pem.toString());
        return pem;
    }

    private static void run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot run " + command[0] + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
