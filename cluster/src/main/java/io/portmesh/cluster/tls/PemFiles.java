package io.portmesh.cluster.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.Certificate;
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
 * Reads the PEM files an operator (or {@code portmeshctl pki}) gives a node: an unencrypted PKCS#8 private key of any
 * algorithm the JDK knows (RSA, EC, Ed25519), and X.509 certificates. Every refusal names the file and says what to do.
 */
public final class PemFiles {
    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448");

    private PemFiles() {}

    public static PrivateKey privateKey(Path file) {
        String pem = read(file);
        Matcher m = BLOCK.matcher(pem);
        if (!m.find()) {
            throw new IllegalArgumentException(file + ": no PEM block; expected -----BEGIN PRIVATE KEY-----");
        }
        String type = m.group(1);
        if (!type.equals("PRIVATE KEY")) {
            throw new IllegalArgumentException(file + ": a " + type + " block; expected an unencrypted PKCS#8 key"
                    + " (-----BEGIN PRIVATE KEY-----); convert it with: openssl pkcs8 -topk8 -nocrypt -in "
                    + file.getFileName() + " -out key.pem");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(decode(file, m.group(2)));
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // not this algorithm's key; try the next
            }
        }
        throw new IllegalArgumentException(file + ": not a PKCS#8 key of " + String.join(", ", KEY_ALGORITHMS));
    }

    /** Every certificate of the file, in its order (a node's own certificate first, then its chain). */
    public static List<X509Certificate> certificates(Path file) {
        String pem = read(file);
        List<X509Certificate> certs = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            Matcher m = BLOCK.matcher(pem);
            while (m.find()) {
                if (m.group(1).equals("CERTIFICATE")) {
                    Certificate c = factory.generateCertificate(new ByteArrayInputStream(decode(file, m.group(2))));
                    certs.add((X509Certificate) c);
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
            throw new UncheckedIOException("cannot read " + file + ": " + e, e);
        }
    }
}
