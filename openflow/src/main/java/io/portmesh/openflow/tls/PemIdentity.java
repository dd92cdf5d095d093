package io.portmesh.openflow.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * What a TLS end presents: its private key and its certificate chain (its own certificate first), read from PEM files
 * ({@link PemFiles}) and checked to belong together at load, so that a wrong key stops the process at start with a
 * message naming both files, instead of failing every handshake later with one that names neither. Also the JDK key
 * and trust managers made of such files, for the ends that build a {@link SSLContext} (REST, cluster remoting).
 */
public record PemIdentity(PrivateKey key, List<X509Certificate> chain) {
    private static final char[] NO_PASSWORD = new char[0];
    private static final byte[] PROBE = "portmesh key check".getBytes(StandardCharsets.US_ASCII);

    public PemIdentity {
        chain = List.copyOf(chain);
    }

    /**
     * The key of {@code keyFile} and the chain of {@code certificateFile}.
     *
     * @throws IllegalArgumentException naming the file at fault when one is unreadable or the key is not the
     *     certificate's
     */
    public static PemIdentity load(Path certificateFile, Path keyFile) {
        PrivateKey key = PemFiles.privateKey(keyFile);
        List<X509Certificate> chain = PemFiles.certificates(certificateFile);
        if (!signsFor(key, chain.get(0))) {
            throw new IllegalArgumentException("the key " + keyFile + " does not belong to the first certificate of "
                    + certificateFile + " (" + chain.get(0).getSubjectX500Principal() + ")");
        }
        return new PemIdentity(key, chain);
    }

    /** This end's own certificate. */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** JDK key managers that present this identity. */
    public KeyManager[] keyManagers() {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("identity", key, NO_PASSWORD, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, NO_PASSWORD);
            return kmf.getKeyManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(
                    "cannot use the key of " + certificate().getSubjectX500Principal() + ": " + e, e);
        }
    }

    /** JDK trust managers that accept the certificates the CA certificates of {@code caFile} signed, and only those. */
    public static TrustManager[] trustManagers(Path caFile) {
        List<X509Certificate> cas = PemFiles.certificates(caFile);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                ks.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            return tmf.getTrustManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot trust the CA certificates of " + caFile + ": " + e, e);
        }
    }

    /** A JDK TLS context; null trust managers mean the JDK's default trust (its CA certificates). */
    public static SSLContext context(KeyManager[] keys, TrustManager[] trust) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keys, trust, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no TLS: " + e, e);
        }
    }

    /** Signs with the key and verifies with the certificate: true only for the certificate's own key. */
    private static boolean signsFor(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448 sign with their own name
        };
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(PROBE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(PROBE);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // a key of another algorithm than the certificate's
        }
    }
}
