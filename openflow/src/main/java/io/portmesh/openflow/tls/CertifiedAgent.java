package io.portmesh.openflow.tls;

import io.portmesh.model.HostId;
import io.portmesh.model.ValidationException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The agent identity an agent certificate carries, and its one canonical encoding: a subject alternative name of type
 * URI, {@code portmesh:agent:<host>:<slot>} (e.g. {@code portmesh:agent:host-1:a}). That URI is what the controller
 * reads; the subject's common name {@code agent:<host>:<slot>} is written beside it for people reading certificates
 * and logs, and is never read. A certificate with no such URI (a controller node's) or with more than one names no
 * agent.
 *
 * <p>The encoding is here, beside the TLS loading, because both ends of it need it: the PKI tool that writes it
 * ({@code portmeshctl pki agent}) and the controller that checks a connection against it.
 */
public record CertifiedAgent(HostId host, String slot) {
    /** The URI scheme and kind every agent identity starts with. */
    public static final String URI_PREFIX = "portmesh:agent:";

    /** The {@code uniformResourceIdentifier} tag of a subject alternative name (RFC 5280 section 4.2.1.6). */
    private static final int SAN_URI = 6;

    public CertifiedAgent {
        if (!"a".equals(slot) && !"b".equals(slot)) {
            throw new IllegalArgumentException("slot must be a or b, not '" + slot + "'");
        }
    }

    /** @throws IllegalArgumentException when {@code host} is not a valid host id or {@code slot} not a or b */
    public static CertifiedAgent of(String host, String slot) {
        try {
            return new CertifiedAgent(HostId.of(host), slot);
        } catch (ValidationException e) {
            throw new IllegalArgumentException("host '" + host + "': " + e.getMessage(), e);
        }
    }

    /** The subject alternative name that carries this identity. */
    public String uri() {
        return URI_PREFIX + host.value() + ":" + slot;
    }

    /** The subject's common name: for people, never read back. */
    public String commonName() {
        return "agent:" + host.value() + ":" + slot;
    }

    /** The identity of {@code uri} if it is one ({@link #uri()}); empty for any other URI. */
    public static Optional<CertifiedAgent> parseUri(String uri) {
        if (uri == null || !uri.startsWith(URI_PREFIX)) {
            return Optional.empty();
        }
        String rest = uri.substring(URI_PREFIX.length());
        int colon = rest.lastIndexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(of(rest.substring(0, colon), rest.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The agent {@code certificate} names: its one {@code portmesh:agent:} URI. Empty when it has none, when it has
     * more than one (which one would be meant?) or when one of them does not parse.
     */
    public static Optional<CertifiedAgent> of(X509Certificate certificate) {
        List<String> agentUris = new ArrayList<>();
        for (String uri : uris(certificate)) {
            if (uri.startsWith(URI_PREFIX)) {
                agentUris.add(uri);
            }
        }
        return agentUris.size() == 1 ? parseUri(agentUris.get(0)) : Optional.empty();
    }

    /**
     * What the first certificate of a PEM (or DER) file names: an agent's {@code .crt} as {@code portmeshctl pki agent}
     * writes it (its own certificate, then the CA's).
     */
    public static Optional<CertifiedAgent> ofCertificateFile(Path file) throws IOException, CertificateException {
        return of(firstCertificate(file));
    }

    /** The first certificate of a PEM (or DER) file. */
    static X509Certificate firstCertificate(Path file) throws IOException, CertificateException {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    /**
     * Whether {@code certificate} is any agent's: it carries a {@code portmesh:agent:} URI, one or several, parsable or
     * not. Such a key must open nothing but its own agent's controller sessions (not another agent's listen port, not
     * the cluster).
     */
    public static boolean isAgentCertificate(X509Certificate certificate) {
        return uris(certificate).stream().anyMatch(u -> u.startsWith(URI_PREFIX));
    }

    /** Every URI subject alternative name of {@code certificate}; none when they cannot be read. */
    static List<String> uris(X509Certificate certificate) {
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return List.of();
        }
        List<String> uris = new ArrayList<>();
        if (names != null) {
            for (List<?> name : names) {
                if (name.size() == 2 && name.get(0) instanceof Integer tag && tag == SAN_URI) {
                    uris.add(String.valueOf(name.get(1)));
                }
            }
        }
        return uris;
    }

    @Override
    public String toString() {
        return uri();
    }
}
