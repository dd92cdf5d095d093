package io.portmesh.openflow.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/**
 * The fingerprint a host's registration pins an agent by (docs/architecture.md section 13.1): the SHA-256 of the
 * certificate's DER SubjectPublicKeyInfo, in lowercase hex. It is what RFC 7469 ({@code pin-sha256}) and DANE's SPKI
 * selector hash, and what {@code openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | sha256sum} prints.
 */
public final class PublicKeySha256 {
    private PublicKeySha256() {}

    /** The digest of the first certificate of a PEM (or DER) file: an agent's {@code .crt}, its chain after it. */
    public static String ofCertificateFile(Path file) throws IOException, CertificateException {
        return of(CertifiedAgent.firstCertificate(file));
    }

    public static String of(X509Certificate certificate) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256")
                            .digest(certificate.getPublicKey().getEncoded()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
