package io.portmesh.openflow.tls;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * What makes a certificate a controller node's: exactly one subject alternative name of type URI
 * {@code portmesh:node:<name>} ({@code portmeshctl pki node} writes it) and no agent URI ({@link CertifiedAgent}).
 * The deployment CA signs agents' certificates too, and may sign others, so its signature alone makes nobody a
 * controller: cluster members require a node's certificate of each other, and agents of the controllers they connect
 * to ({@link ControllerTrustManager}), so that a stolen agent key cannot pose as a controller.
 */
public final class CertifiedNode {
    /** The URI scheme and kind every node identity starts with. */
    public static final String URI_PREFIX = "portmesh:node:";

    private CertifiedNode() {}

    /** The URI that names the controller node {@code name} in its certificate. */
    public static String uri(String name) {
        return URI_PREFIX + name;
    }

    /**
     * Why {@code certificate} is no controller node's, as a clause starting with "its certificate" (for a log line or
     * an exception message), or empty when it is one.
     */
    public static Optional<String> refusal(X509Certificate certificate) {
        List<String> uris = CertifiedAgent.uris(certificate);
        Optional<String> agent = uris.stream()
                .filter(u -> u.startsWith(CertifiedAgent.URI_PREFIX))
                .findFirst();
        if (agent.isPresent()) {
            return Optional.of("its certificate is an agent's (" + agent.get() + "), not a controller node's");
        }
        List<String> nodes = uris.stream()
                .filter(u -> u.startsWith(URI_PREFIX) && u.length() > URI_PREFIX.length())
                .toList();
        if (nodes.size() != 1) {
            return Optional.of("its certificate (" + certificate.getSubjectX500Principal() + ") names "
                    + (nodes.isEmpty() ? "no controller node" : "more than one controller node " + nodes)
                    + ": a controller node's carries one URI " + URI_PREFIX
                    + "<name> ('portmeshctl pki node' writes it)");
        }
        return Optional.empty();
    }
}
