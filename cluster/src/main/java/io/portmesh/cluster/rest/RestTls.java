package io.portmesh.cluster.rest;

import com.typesafe.config.Config;
import io.portmesh.openflow.tls.PemIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * HTTPS for the REST API ({@code portmesh.rest.tls}): off, or the server's key and certificate chain from PEM files
 * ({@code key-file}, {@code cert-file}: what {@code portmeshctl pki} writes) or from a PKCS#12 key store. Clients are
 * not asked for certificates: they authenticate with bearer tokens ({@link RestAuth}).
 */
public record RestTls(SSLContext context) {
    public static final RestTls OFF = new RestTls(null);

    public boolean enabled() {
        return context != null;
    }

    public static RestTls of(SSLContext context) {
        return new RestTls(context);
    }

    /** The {@code portmesh.rest.tls} section; the files are read now, so a missing or wrong one stops the node. */
    public static RestTls fromConfig(Config tls) {
        if (!tls.getBoolean("enabled")) {
            return OFF;
        }
        String cert = tls.getString("cert-file");
        String key = tls.getString("key-file");
        String store = tls.getString("key-store");
        KeyManager[] keys;
        if (!cert.isBlank() || !key.isBlank()) {
            if (cert.isBlank() || key.isBlank()) {
                throw new IllegalArgumentException(
                        "portmesh.rest.tls: set both cert-file and key-file (PEM), or key-store (PKCS#12) alone");
            }
            keys = PemIdentity.load(Path.of(cert), Path.of(key)).keyManagers();
        } else if (!store.isBlank()) {
            keys = pkcs12KeyManagers(
                    Path.of(store), tls.getString("key-store-password").toCharArray());
        } else {
            throw new IllegalArgumentException("portmesh.rest.tls.enabled is on but neither cert-file and key-file"
                    + " (PEM) nor key-store (PKCS#12) is set");
        }
        return new RestTls(PemIdentity.context(keys, null));
    }

    /** The key managers of a PKCS#12 key store whose key is protected by the store's password. */
    private static KeyManager[] pkcs12KeyManagers(Path store, char[] password) {
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
}
