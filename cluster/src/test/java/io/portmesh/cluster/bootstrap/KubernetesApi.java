package io.portmesh.cluster.bootstrap;

import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Kubernetes API server for tests: the fabric8 mock server in CRUD mode over HTTPS on 127.0.0.1 (its self-signed
 * certificate names 127.0.0.1), which stores the pods a test creates and lists them by label selector as a real API
 * server does. Pekko's Kubernetes discovery reaches it through the files and environment variables a pod has: the
 * service account's CA certificate and token, {@code KUBERNETES_SERVICE_HOST} and {@code KUBERNETES_SERVICE_PORT}.
 */
final class KubernetesApi implements AutoCloseable {
    static final String NAMESPACE = "portmesh";
    static final String CONTROLLER_LABEL = "app.kubernetes.io/name";
    static final String CONTROLLER = "portmesh-controller";
    /** The service account token the pods present (the test's own client presents none of its own). */
    static final String TOKEN = "portmesh-test-token";

    private final KubernetesMockServer server;
    private final KubernetesClient client;
    final Path caCertificate;
    final Path token;

    private KubernetesApi(KubernetesMockServer server, Path caCertificate, Path token) {
        this.server = server;
        this.client = server.createClient();
        this.caCertificate = caCertificate;
        this.token = token;
    }

    /** Starts the server; the CA certificate and the token are written to {@code dir}. */
    static KubernetesApi start(Path dir) throws IOException {
        MockWebServer web = new MockWebServer();
        KubernetesMockServer server =
                new KubernetesMockServer(new Context(), web, new HashMap<>(), new JsonCrudDispatcher(), true);
        server.init();
        Path ca = dir.resolve("ca.crt");
        Files.copy(Path.of(web.getSelfSignedCertificate().certificatePath()), ca);
        Path token = dir.resolve("token");
        Files.writeString(token, TOKEN);
        return new KubernetesApi(server, ca, token);
    }

    String host() {
        return "127.0.0.1";
    }

    int port() {
        return server.getPort();
    }

    /**
     * A running pod with {@code labels}, IP {@code podIp} and a container whose port {@code management} is
     * {@code managementPort}: created, then given its status (phase Running, the pod IP) as the kubelet would.
     */
    void runningPod(String name, String labelValue, String podIp, int managementPort) {
        Pod pod = new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NAMESPACE)
                .addToLabels(CONTROLLER_LABEL, labelValue)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("controller")
                .withImage("portmesh-controller:test")
                .withPorts(List.of(
                        new ContainerPortBuilder()
                                .withName("management")
                                .withContainerPort(managementPort)
                                .build(),
                        new ContainerPortBuilder()
                                .withName("openflow")
                                .withContainerPort(6653)
                                .build()))
                .endContainer()
                .endSpec()
                .build();
        client.pods().inNamespace(NAMESPACE).resource(pod).create();
        client.pods()
                .inNamespace(NAMESPACE)
                .withName(name)
                .editStatus(p -> new PodBuilder(p)
                        .withNewStatus()
                        .withPhase("Running")
                        .withPodIP(podIp)
                        .endStatus()
                        .build());
    }

    /** What the API server lists for the controller's label selector, as pod IPs. */
    List<String> controllerPodIps() {
        return client.pods().inNamespace(NAMESPACE).withLabel(CONTROLLER_LABEL, CONTROLLER).list().getItems().stream()
                .map(p -> p.getStatus().getPodIP())
                .toList();
    }

    /**
     * What the pods asked the API server since the last call, as {@code METHOD path?query} (URL-decoded): the requests
     * that presented the service account's token. What a pod's RBAC must grant.
     */
    List<String> podRequests() throws InterruptedException {
        List<String> asked = new ArrayList<>();
        for (RecordedRequest r = server.takeRequest(0, TimeUnit.SECONDS);
                r != null;
                r = server.takeRequest(0, TimeUnit.SECONDS)) {
            if (("Bearer " + TOKEN).equals(r.getHeader("Authorization"))) {
                asked.add(r.getMethod() + " " + URLDecoder.decode(r.getPath(), StandardCharsets.UTF_8));
            }
        }
        return asked;
    }

    /**
     * The CRUD dispatcher with the {@code Content-Type: application/json} a real API server sends: the mock's own sends
     * none, and Pekko's discovery refuses a body it cannot tell is JSON (the fabric8 client does not care).
     */
    private static final class JsonCrudDispatcher extends KubernetesCrudDispatcher {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
            MockResponse response = super.dispatch(request);
            if (response.header("Content-Type") == null) {
                response.setHeader("Content-Type", "application/json");
            }
            return response;
        }
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
