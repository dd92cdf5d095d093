package io.portmesh.cluster.pki;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Makes the keys and certificates of the deployment's PKI with Bouncy Castle's builders and the JDK's providers: EC
 * P-256 keys, ECDSA with SHA-256 signatures, 128-bit random serial numbers. Nothing here touches files ({@link Pki}
 * does).
 */
final class CertificateMaker {
    /** Certificates start this much in the past, so that a peer whose clock is a little behind accepts them. */
    private static final Duration BACKDATE = Duration.ofMinutes(5);

    private static final SecureRandom RANDOM = new SecureRandom();

    private CertificateMaker() {}

    /** A certificate and its private key. */
    record Issued(X509Certificate certificate, PrivateKey key) {}

    /** What a leaf certificate is for and whom it names. */
    record LeafSpec(String commonName, List<GeneralName> altNames, List<KeyPurposeId> purposes) {}

    static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot make EC P-256 keys", e);
        }
    }

    /** A self-signed CA that may sign leaf certificates only (path length 0). */
    static Issued certificateAuthority(String commonName, Duration validity) {
        KeyPair keys = newKeyPair();
        X500Name subject = name(commonName);
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = builder(subject, subject, keys.getPublic(), validity, Instant.MAX)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(
                            Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            return new Issued(sign(b, keys.getPrivate()), keys.getPrivate());
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot build the CA certificate", e);
        }
    }

    /** A leaf certificate for {@code spec}, with a new key, signed by {@code ca}. */
    static Issued leaf(Issued ca, LeafSpec spec, Duration validity) {
        KeyPair keys = newKeyPair();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = builder(
                            X500Name.getInstance(
                                    ca.certificate().getSubjectX500Principal().getEncoded()),
                            name(spec.commonName()),
                            keys.getPublic(),
                            validity,
                            ca.certificate().getNotAfter().toInstant())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(
                            Extension.extendedKeyUsage,
                            false,
                            new ExtendedKeyUsage(spec.purposes().toArray(KeyPurposeId[]::new)))
                    .addExtension(
                            Extension.subjectAlternativeName,
                            false,
                            new GeneralNames(spec.altNames().toArray(GeneralName[]::new)))
                    .addExtension(
                            Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()))
                    .addExtension(
                            Extension.authorityKeyIdentifier,
                            false,
                            ext.createAuthorityKeyIdentifier(ca.certificate()));
            return new Issued(sign(b, ca.key()), keys.getPrivate());
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot build the certificate of " + spec.commonName(), e);
        }
    }

    private static X500Name name(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "Portmesh")
                .addRDN(BCStyle.CN, commonName)
                .build();
    }

    /**
     * A certificate valid from a little before now for {@code validity}, but not after {@code latest}: a leaf ends when
     * its CA does, since no peer accepts it afterwards and a longer notAfter would only mislead whoever reads it.
     */
    private static X509v3CertificateBuilder builder(
            X500Name issuer, X500Name subject, PublicKey key, Duration validity, Instant latest) {
        Instant now = Instant.now();
        Instant notAfter = now.plus(validity).isAfter(latest) ? latest : now.plus(validity);
        BigInteger serial = new BigInteger(128, RANDOM).setBit(127); // positive, 16 bytes
        return new JcaX509v3CertificateBuilder(
                issuer, serial, Date.from(now.minus(BACKDATE)), Date.from(notAfter), subject, key);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign with " + signer.getAlgorithm(), e);
        }
    }
}
