package io.portmesh.cluster.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
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

/** SSL contexts from PEM files or a PKCS#12 key store, with errors that name the file at fault. */
public final class TlsContexts {
    private static final char[] NO_PASSWORD = new char[0];

    private TlsContexts() {}

    /** The key managers of a node that presents {@code chain} (its certificate first) and holds {@code key}. */
    public static KeyManager[] pemKeyManagers(Path keyFile, Path certFile) {
        PrivateKey key = PemFiles.privateKey(keyFile);
        List<X509Certificate> chain = PemFiles.certificates(certFile);
        checkPair(key, chain.get(0), keyFile, certFile);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("node", key, NO_PASSWORD, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, NO_PASSWORD);
            return kmf.getKeyManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot use the key " + keyFile + " with " + certFile + ": " + e, e);
        }
    }

    /** The key managers of a PKCS#12 key store whose key is protected by the store's password. */
    public static KeyManager[] pkcs12KeyManagers(Path store, char[] password) {
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            return kmf.getKeyManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot read the PKCS#12 key store " + store + ": " + e, e);
        }
    }

    /** Trust managers that accept the certificates the CA certificates in {@code caFile} signed, and only those. */
    public static TrustManager[] pemTrustManagers(Path caFile) {
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

    /** A TLS context; null trust managers mean the JDK's default trust (its CA certificates). */
    public static SSLContext context(KeyManager[] keys, TrustManager[] trust) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keys, trust, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no TLS: " + e, e);
        }
    }

    /**
     * Signs with the key and verifies with the certificate: a key that does not belong to the certificate is refused
     * here, at start, rather than as failed handshakes that name neither file.
     */
    private static void checkPair(PrivateKey key, X509Certificate cert, Path keyFile, Path certFile) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448 sign with their own name
        };
        byte[] probe = "portmesh key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        boolean matches;
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw new IllegalArgumentException("the key " + keyFile + " does not belong to the first certificate of "
                    + certFile + " (" + cert.getSubjectX500Principal() + ")");
        }
    }
}
