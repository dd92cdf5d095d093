package io.portmesh.cluster.bootstrap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portmesh.cluster.ChildJvm;
import io.portmesh.cluster.LocalPorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A controller node in its own JVM, started as its container in a pod starts it: {@code ControllerMain} in Kubernetes
 * mode with a mounted application.conf ({@code -Dconfig.file}) and the environment variables of the pod's manifest,
 * bound on its own loopback address (its "pod IP", 127.0.0.2 and up: Linux routes all of 127/8 to lo), every node on
 * the same ports, as pods are.
 */
final class ControllerPod implements AutoCloseable {
    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper json = new ObjectMapper();

    /** The ports every pod uses (as a container's ports are the same in every pod of a StatefulSet). */
    record Ports(int remote, int http, int openflow, int management) {
        /** Four free ports (LocalPorts: free on every address, so on each pod IP too). */
        static Ports free() {
            int[] p = LocalPorts.freeTcpPorts(4);
            return new Ports(p[0], p[1], p[2], p[3]);
        }
    }

    final String podIp;
    final Ports ports;
    final Path log;
    private final Process process;

    private ControllerPod(String podIp, Ports ports, Path log, Process process) {
        this.podIp = podIp;
        this.ports = ports;
        this.log = log;
        this.process = process;
    }

    /**
     * The application.conf a ConfigMap would mount: where the service account's files are (here: the test's), the
     * namespace, and the Cassandra data center.
     */
    static Path writeConfig(Path dir, KubernetesApi api, int requiredContactPoints) throws IOException {
        Path conf = dir.resolve("application.conf");
        Files.writeString(
                conf, """
                pekko.discovery.kubernetes-api {
                  api-ca-path = "%s"
                  api-token-path = "%s"
                  pod-namespace = "%s"
                }
                portmesh.cluster.kubernetes.required-contact-points = %d
                portmesh.cassandra.local-datacenter = "datacenter1"
                """.formatted(api.caCertificate, api.token, KubernetesApi.NAMESPACE, requiredContactPoints));
        return conf;
    }

    static ControllerPod start(
            String podIp,
            Ports ports,
            Path config,
            KubernetesApi api,
            String cassandra,
            Path logDir,
            Map<String, String> extraEnv)
            throws IOException {
        Files.createDirectories(logDir);
        List<String> cmd = ChildJvm.command(
                List.of("-Xmx256m", "-Dconfig.file=" + config), "io.portmesh.cluster.ControllerMain", List.of());
        Path log = ChildJvm.freshLog(logDir, "pod-" + podIp);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("PORTMESH_CLUSTER_DISCOVERY", "kubernetes");
        env.put("POD_IP", podIp);
        env.put("KUBERNETES_SERVICE_HOST", api.host());
        env.put("KUBERNETES_SERVICE_PORT", Integer.toString(api.port()));
        env.put(ClusterDiscovery.CONTACT_POINTS_ENV, cassandra);
        env.put("PORTMESH_REMOTE_PORT", Integer.toString(ports.remote()));
        env.put("PORTMESH_HTTP_PORT", Integer.toString(ports.http()));
        env.put("PORTMESH_OPENFLOW_PORT", Integer.toString(ports.openflow()));
        env.put("PORTMESH_MANAGEMENT_PORT", Integer.toString(ports.management()));
        // every pod has its own IP; here they share the machine, so REST and OpenFlow bind the "pod IP" too
        env.put("PORTMESH_HTTP_HOST", podIp);
        env.put("PORTMESH_OPENFLOW_HOST", podIp);
        env.putAll(extraEnv);
        return new ControllerPod(podIp, ports, log, pb.start());
    }

    String address() {
        return "pekko://portmesh@" + podIp + ":" + ports.remote();
    }

    /** {@code GET path} on the management port; null when nothing answers. */
    HttpResponse<String> management(String path) {
        URI uri = URI.create("http://" + podIp + ":" + ports.management() + path);
        try {
            return http.send(
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The members this node sees (pekko-management's {@code /cluster/members}), address to status; empty if none. */
    Map<String, String> members() {
        HttpResponse<String> r = management("/cluster/members");
        Map<String, String> members = new TreeMap<>();
        if (r == null || r.statusCode() != 200) {
            return members;
        }
        try {
            for (JsonNode m : json.readTree(r.body()).path("members")) {
                members.put(m.path("node").asText(), m.path("status").asText());
            }
        } catch (IOException e) {
            throw new IllegalStateException("/cluster/members answered " + r.body(), e);
        }
        return members;
    }

    /** The addresses this node sees as unreachable. */
    List<String> unreachable() {
        HttpResponse<String> r = management("/cluster/members");
        if (r == null || r.statusCode() != 200) {
            return List.of();
        }
        try {
            return json.readTree(r.body()).path("unreachable").findValuesAsText("node");
        } catch (IOException e) {
            throw new IllegalStateException("/cluster/members answered " + r.body(), e);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Process process() {
        return process;
    }

    /** SIGTERM: the node leaves the cluster (coordinated shutdown). */
    void terminate() {
        process.destroy();
    }

    /** SIGTERM, then SIGKILL if it still runs after 30 s. */
    @Override
    public void close() {
        process.destroy();
        ChildJvm.awaitOrKill(process, Duration.ofSeconds(30));
    }
}
