package io.portmesh.openflow.tls;

import io.netty.handler.ssl.NotSslRecordException;
import io.portmesh.openflow.OfTlsHandshakeTimeoutException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.PKIXReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Why a TLS handshake failed, in the words of the metric label an operator filters on. Read from the exception the JDK's
 * TLS engine raised: its types where they tell (no path to a trusted CA, a record that is no TLS), its message where
 * only that does (the JDK has no type for "the client presented no certificate").
 */
public enum TlsRefusal {
    /** The peer presented no certificate where one is required. */
    NO_CERTIFICATE("no-certificate"),
    /** The peer's certificate is not signed by the CA this end trusts. */
    UNKNOWN_CA("unknown-ca"),
    /** Signed by that CA but not valid: expired, not yet valid, wrong key usage, or not naming the address. */
    INVALID_CERTIFICATE("invalid-certificate"),
    /**
     * A controller's certificate of the CA, naming the address, that is no controller node's (an agent's, say): the
     * agent refuses it ({@link ControllerTrustManager}).
     */
    NOT_A_CONTROLLER_NODE("not-a-controller-node"),
    /** The peer does not speak TLS (plain OpenFlow to a TLS port). */
    NOT_TLS("not-tls"),
    /**
     * The peer opened a connection and did not finish the TLS handshake within the handshake timeout (a stalled or
     * slow client holding a socket).
     */
    HANDSHAKE_TIMEOUT("tls-handshake-timeout"),
    /** Anything else in the handshake: the peer refused ours, no common protocol, closed half way. */
    HANDSHAKE("tls-handshake");

    private final String label;

    TlsRefusal(String label) {
        this.label = label;
    }

    /** The metric label and log word: {@code no-certificate}, {@code unknown-ca}, ... */
    public String label() {
        return label;
    }

    /** Why {@code failure} ended a TLS handshake; empty when it is no TLS failure (a refused OpenFlow version, ...). */
    public static Optional<TlsRefusal> of(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = failure; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        if (chain.stream().anyMatch(OfTlsHandshakeTimeoutException.class::isInstance)) {
            return Optional.of(HANDSHAKE_TIMEOUT);
        }
        if (chain.stream().anyMatch(NotSslRecordException.class::isInstance)) {
            return Optional.of(NOT_TLS);
        }
        if (chain.stream().anyMatch(TlsRefusal::noPathToOurCa)) {
            return Optional.of(UNKNOWN_CA);
        }
        if (chain.stream().anyMatch(ControllerTrustManager.NotAControllerNode.class::isInstance)) {
            return Optional.of(NOT_A_CONTROLLER_NODE);
        }
        if (chain.stream().anyMatch(t -> t instanceof SSLException && noCertificate(t.getMessage()))) {
            return Optional.of(NO_CERTIFICATE);
        }
        if (chain.stream()
                .anyMatch(t -> t instanceof CertificateException || t instanceof CertPathValidatorException)) {
            return Optional.of(INVALID_CERTIFICATE);
        }
        return chain.stream().anyMatch(SSLException.class::isInstance) ? Optional.of(HANDSHAKE) : Optional.empty();
    }

    /**
     * No chain to the trusted CA: none found, or one through a CA certificate of the same name whose key did not sign
     * it (another deployment's CA: {@code portmeshctl pki init} gives every CA the same default name).
     */
    private static boolean noPathToOurCa(Throwable t) {
        return t instanceof CertPathBuilderException
                || (t instanceof CertPathValidatorException v
                        && (v.getReason() == CertPathValidatorException.BasicReason.INVALID_SIGNATURE
                                || v.getReason() == PKIXReason.NO_TRUST_ANCHOR));
    }

    private static boolean noCertificate(String message) {
        return message != null
                && (message.contains("Empty client certificate chain") || message.contains("null cert chain"));
    }
}
