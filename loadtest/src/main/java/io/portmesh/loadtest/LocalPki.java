package io.portmesh.loadtest;

import io.portmesh.cluster.pki.Pki;
import io.portmesh.openflow.tls.OfTlsFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fresh deployment PKI for one local run (the demo with {@code --tls}, a benchmark's TLS half), made with the
 * operator's tool ({@link Pki}, what {@code portmeshctl pki} runs) in a directory of the run: a new CA each run,
 * replacing an earlier run's files, and certificates issued on demand. Everything runs on loopback, so a node's
 * certificate names 127.0.0.1 and localhost (agents check the address they dial against it).
 *
 * <p>Also the one place that says which settings turn OpenFlow mutual TLS and Artery TLS on for a node, as
 * configuration keys and values: the demo passes them to its node processes as {@code -D} options, the benchmarks
 * to their in-process nodes as a {@code Config}.
 */
public final class LocalPki {
    /** Long enough for any run, short so that a copied key is of no use for long. */
    private static final Duration VALIDITY = Duration.ofDays(2);

    private final Path dir;

    private LocalPki(Path dir) {
        this.dir = dir;
    }

    /** A new CA in {@code dir} (created if missing; an earlier run's CA and certificates there are replaced). */
    public static LocalPki create(Path dir) throws IOException {
        Pki.init(dir, "Portmesh local run CA", VALIDITY, true);
        return new LocalPki(dir);
    }

    public Path dir() {
        return dir;
    }

    /** The CA's certificate: what every end trusts. */
    public Path ca() {
        return dir.resolve(Pki.CA_CERTIFICATE);
    }

    /** A controller node's certificate for loopback ({@code node-<name>.crt}, {@code .key}). */
    public OfTlsFiles node(String name) throws IOException {
        return Pki.issueNode(dir, name, List.of("127.0.0.1"), List.of("localhost"), VALIDITY, true);
    }

    /** An agent's certificate naming {@code host} and {@code slot}. */
    public OfTlsFiles agent(String host, String slot) throws IOException {
        return Pki.issueAgent(dir, host, slot, VALIDITY, true);
    }

    /**
     * The settings of a controller node with OpenFlow mutual TLS ({@code portmesh.controller.openflow.tls}) and
     * cluster remoting over TLS ({@code portmesh.cluster.tls}) on, both with the node's certificate {@code node}.
     */
    public static Map<String, String> nodeTlsSettings(OfTlsFiles node) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("portmesh.controller.openflow.tls.enabled", "on");
        s.put("portmesh.controller.openflow.tls.certificate", abs(node.certificate()));
        s.put("portmesh.controller.openflow.tls.key", abs(node.key()));
        s.put("portmesh.controller.openflow.tls.ca", abs(node.ca()));
        s.put("portmesh.cluster.tls.enabled", "on");
        s.put("portmesh.cluster.tls.cert-file", abs(node.certificate()));
        s.put("portmesh.cluster.tls.key-file", abs(node.key()));
        s.put("portmesh.cluster.tls.ca-file", abs(node.ca()));
        return s;
    }

    /** Settings as JVM options ({@code -Dkey=value}), for a child process. */
    public static List<String> asJvmOptions(Map<String, String> settings) {
        return settings.entrySet().stream()
                .map(e -> "-D" + e.getKey() + "=" + e.getValue())
                .toList();
    }

    private static String abs(Path p) {
        return p.toAbsolutePath().toString();
    }
}
