package io.portmesh.cluster.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for tests: its certificate, and node keys and certificates it signs, written as
 * the PEM files a node reads (an unencrypted PKCS#8 key; the node's certificate followed by the CA's). Node
 * certificates name 127.0.0.1 and localhost, and serve as TLS server and client certificates.
 */
public final class TestPki {
    /** The files of one node: its key, its certificate chain, and the CA certificate that it trusts. */
    public record NodeFiles(Path key, Path chain, Path ca) {}

    private static final AtomicLong SERIAL = new AtomicLong(1);
    private final Path dir;
    private final KeyPair caKeys;
    private final X509Certificate caCert;
    private final Path caFile;

    private TestPki(Path dir, String name) {
        this.dir = dir;
        this.caKeys = ecKeys();
        this.caCert = sign(new X500Name("CN=" + name), caKeys, true, null);
        this.caFile = dir.resolve(name + "-ca.pem");
        write(caFile, pem("CERTIFICATE", encoded(caCert)));
    }

    /** A new CA named {@code name}, its files in {@code dir}. */
    public static TestPki create(Path dir, String name) {
        return new TestPki(dir, name);
    }

    public Path caFile() {
        return caFile;
    }

    /** A node key and a certificate for it that this CA signed, with subject CN={@code name}. */
    public NodeFiles issue(String name) {
        return issue(name, null);
    }

    /** As {@link #issue(String)}, with the URI subject alternative name {@code uri} too when not null. */
    public NodeFiles issue(String name, String uri) {
        KeyPair keys = ecKeys();
        X509Certificate cert = sign(new X500Name("CN=" + name), keys, false, uri);
        Path key = dir.resolve(name + "-key.pem");
        Path chain = dir.resolve(name + "-chain.pem");
        write(key, pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
        write(chain, pem("CERTIFICATE", encoded(cert)) + pem("CERTIFICATE", encoded(caCert)));
        return new NodeFiles(key, chain, caFile);
    }

    private X509Certificate sign(X500Name subject, KeyPair subjectKeys, boolean ca, String uri) {
        Instant now = Instant.now();
        X500Name issuer =
                ca ? subject : new X500Name(caCert.getSubjectX500Principal().getName());
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                issuer,
                BigInteger.valueOf(SERIAL.getAndIncrement()),
                Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(Duration.ofDays(1))),
                subject,
                subjectKeys.getPublic());
        try {
            if (ca) {
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                    KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                }));
                List<GeneralName> names = new ArrayList<>(List.of(
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                        new GeneralName(GeneralName.dNSName, "localhost")));
                if (uri != null) {
                    names.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
                }
                b.addExtension(
                        Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])));
            }
            var signer = new JcaContentSignerBuilder("SHA256withECDSA")
                    .build(ca ? subjectKeys.getPrivate() : caKeys.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (IOException | OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair ecKeys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] encoded(X509Certificate cert) {
        try {
            return cert.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
