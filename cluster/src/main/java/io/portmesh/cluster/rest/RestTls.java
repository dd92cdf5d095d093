package io.portmesh.cluster.rest;

import com.typesafe.config.Config;
import io.portmesh.cluster.tls.TlsContexts;
import java.nio.file.Path;
import javax.net.ssl.KeyManager;
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
            keys = TlsContexts.pemKeyManagers(Path.of(key), Path.of(cert));
        } else if (!store.isBlank()) {
            keys = TlsContexts.pkcs12KeyManagers(
                    Path.of(store), tls.getString("key-store-password").toCharArray());
        } else {
            throw new IllegalArgumentException("portmesh.rest.tls.enabled is on but neither cert-file and key-file"
                    + " (PEM) nor key-store (PKCS#12) is set");
        }
        return new RestTls(TlsContexts.context(keys, null));
    }
}
