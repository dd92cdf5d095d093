package io.portmesh.openflow.tls;

import java.net.Socket;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * How an agent trusts the controller it connects to: the JDK's checks first (signed by the deployment CA, valid, naming
 * the address connected to), then the certificate must be a controller node's ({@link CertifiedNode}). Without the
 * second check any certificate of the CA with a matching address would do, an agent's among them, so another host's
 * stolen agent key could pose as a controller and program this host's switch. A refusal fails the TLS handshake
 * before any OpenFlow message is exchanged, with a {@link NotAControllerNode} the agent logs and counts
 * ({@link TlsRefusal#NOT_A_CONTROLLER_NODE}).
 */
public final class ControllerTrustManager extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager pkix;

    private ControllerTrustManager(X509ExtendedTrustManager pkix) {
        this.pkix = pkix;
    }

    /** Trusting the CA certificates of {@code caFile} only, for controller nodes only. */
    static ControllerTrustManager of(Path caFile) {
        for (TrustManager tm : PemIdentity.trustManagers(caFile)) {
            if (tm instanceof X509ExtendedTrustManager x) {
                return new ControllerTrustManager(x);
            }
        }
        throw new IllegalStateException("the JDK gave no X509ExtendedTrustManager for " + caFile);
    }

    /** The controller's certificate is of the CA and names the address, but is no controller node's. */
    public static final class NotAControllerNode extends CertificateException {
        NotAControllerNode(String message) {
            super(message);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        pkix.checkServerTrusted(chain, authType, engine);
        requireNode(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        pkix.checkServerTrusted(chain, authType, socket);
        requireNode(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        pkix.checkServerTrusted(chain, authType);
        requireNode(chain);
    }

    private static void requireNode(X509Certificate[] chain) throws NotAControllerNode {
        X509Certificate leaf = chain[0];
        Optional<String> why = CertifiedNode.refusal(leaf);
        if (why.isPresent()) {
            throw new NotAControllerNode("the controller's certificate " + leaf.getSubjectX500Principal() + " (serial "
                    + leaf.getSerialNumber().toString(16) + ", issuer " + leaf.getIssuerX500Principal()
                    + ") is refused: "
                    + why.get().replaceFirst("^its certificate", "it"));
        }
    }

    // An agent's client context is never a server's: no client certificate is ever checked with it.

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw noClients();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw noClients();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw noClients();
    }

    private static CertificateException noClients() {
        return new CertificateException("the agent's trust in controllers checks no client certificate");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return pkix.getAcceptedIssuers();
    }
}
