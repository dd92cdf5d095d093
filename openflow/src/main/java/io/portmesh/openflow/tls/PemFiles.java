package io.portmesh.openflow.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the PEM files every TLS end of Portmesh is given (OpenFlow's controller and agent ends, the REST API's
 * HTTPS, cluster remoting), with the JDK only: certificates, and an unencrypted private key as PKCS#8
 * ({@code BEGIN PRIVATE KEY}: RSA, EC, Ed25519, Ed448), PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) or SEC1
 * ({@code BEGIN EC PRIVATE KEY}). Every refusal names the file and says what to do. Writing is the PKI's job
 * ({@code portmeshctl pki}); {@link PemIdentity} pairs a key with its certificate.
 */
public final class PemFiles {
    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
    private static final List<String> PKCS8_ALGORITHMS = List.of("EC", "RSA", "Ed25519", "Ed448");

    private PemFiles() {}

    /** The first private key of {@code file}. */
    public static PrivateKey privateKey(Path file) {
        String pem = read(file);
        if (pem.contains("ENCRYPTED")) {
            throw new IllegalArgumentException(file + ": an encrypted key; give it unencrypted (mode 0600), e.g."
                    + " openssl pkcs8 -topk8 -nocrypt -in " + file.getFileName() + " -out key.pem");
        }
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            String type = m.group(1);
            switch (type) {
                case "PRIVATE KEY":
                    return pkcs8(file, decode(file, m.group(2)), PKCS8_ALGORITHMS);
                case "RSA PRIVATE KEY":
                    return pkcs8(
                            file,
                            traditional(file, () -> TraditionalKeys.fromPkcs1Rsa(decode(file, m.group(2)))),
                            List.of("RSA"));
                case "EC PRIVATE KEY":
                    return pkcs8(
                            file,
                            traditional(file, () -> TraditionalKeys.fromSec1Ec(decode(file, m.group(2)))),
                            List.of("EC"));
                default:
                // EC PARAMETERS before an EC key, a certificate beside the key: skip to the key
            }
        }
        throw new IllegalArgumentException(file + ": no private key; expected -----BEGIN PRIVATE KEY----- (PKCS#8),"
                + " RSA PRIVATE KEY or EC PRIVATE KEY");
    }

    /** Every certificate of {@code file}, in its order (an end's own certificate first, then its chain). */
    public static List<X509Certificate> certificates(Path file) {
        String pem = read(file);
        List<X509Certificate> certs = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            Matcher m = BLOCK.matcher(pem);
            while (m.find()) {
                if (m.group(1).equals("CERTIFICATE")) {
                    byte[] der = decode(file, m.group(2));
                    certs.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
                }
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException(file + ": not a readable X.509 certificate: " + e.getMessage(), e);
        }
        if (certs.isEmpty()) {
            throw new IllegalArgumentException(file + ": no certificate; expected -----BEGIN CERTIFICATE----- blocks");
        }
        return certs;
    }

    private static PrivateKey pkcs8(Path file, byte[] der, List<String> algorithms) {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : algorithms) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // not this algorithm's key; try the next
            }
        }
        throw new IllegalArgumentException(file + ": not a readable " + String.join(", ", algorithms) + " key");
    }

    private interface Conversion {
        byte[] get();
    }

    private static byte[] traditional(Path file, Conversion conversion) {
        try {
            return conversion.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    file + ": " + e.getMessage()
                            + "; convert it to PKCS#8 with: openssl pkcs8 -topk8 -nocrypt -in " + file.getFileName()
                            + " -out key.pem",
                    e);
        }
    }

    private static byte[] decode(Path file, String base64) {
        try {
            return Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": a PEM block is not valid base64", e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file.toAbsolutePath() + ": " + e, e);
        }
    }
}
