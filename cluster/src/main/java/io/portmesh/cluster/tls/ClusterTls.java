package io.portmesh.cluster.tls;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLContext;

/**
 * Cluster remoting over mutual TLS ({@code portmesh.cluster.tls}): every node presents a certificate of the deployment
 * CA and accepts a peer only with one, so that a process without such a certificate can neither join the cluster nor
 * read what the nodes send each other. {@link #apply} turns the switch into Pekko's settings (Artery's
 * {@code tls-tcp} transport with {@link ClusterTlsEngineProvider}); the provider reads the files through
 * {@link #fromConfig}.
 *
 * @param context the node's key and certificate, trusting the CA's certificates only
 * @param peerNames when present, a peer's certificate must have a name (CN or DNS subject alternative name) that
 *     matches it
 */
public record ClusterTls(SSLContext context, Optional<Pattern> peerNames) {
    static final String PATH = "portmesh.cluster.tls";

    /**
     * The URI subject alternative name that marks an agent's certificate ({@code portmesh:agent:<host>:<slot>}). The
     * deployment CA signs agents' certificates too; one of them must not make its holder a cluster member.
     */
    static final String AGENT_URI_PREFIX = io.portmesh.openflow.tls.CertifiedAgent.URI_PREFIX;

    private static final int SAN_DNS = 2;
    private static final int SAN_URI = 6;

    /**
     * {@code config} with Pekko's remoting switched to TLS when {@code portmesh.cluster.tls.enabled} is on (the files
     * are read now, so that a wrong one stops the node before it binds); {@code config} itself when off.
     */
    public static Config apply(Config config) {
        if (!config.getBoolean(PATH + ".enabled")) {
            org.slf4j.LoggerFactory.getLogger(ClusterTls.class)
                    .warn("cluster remoting is plain TCP: any process that reaches a node's cluster port can join or"
                            + " read the cluster (portmesh.cluster.tls, README 'Securing the cluster')");
            return config;
        }
        fromConfig(config);
        return ConfigFactory.parseString("""
                        pekko.remote.artery.transport = tls-tcp
                        pekko.remote.artery.ssl.ssl-engine-provider = "%s"
                        """.formatted(ClusterTlsEngineProvider.class.getName()))
                .withFallback(config);
    }

    /** The files of {@code portmesh.cluster.tls}, read; every refusal names the setting or the file. */
    public static ClusterTls fromConfig(Config root) {
        Config c = root.getConfig(PATH);
        Path cert = file(c, "cert-file");
        Path key = file(c, "key-file");
        Path ca = file(c, "ca-file");
        SSLContext ctx = TlsContexts.context(TlsContexts.pemKeyManagers(key, cert), TlsContexts.pemTrustManagers(ca));
        String pattern = c.getString("peer-name-pattern");
        return new ClusterTls(ctx, pattern.isBlank() ? Optional.empty() : Optional.of(Pattern.compile(pattern)));
    }

    private static Path file(Config c, String key) {
        String value = c.getString(key).strip();
        if (value.isEmpty()) {
            throw new IllegalArgumentException(PATH + "." + key + " is not set: with " + PATH
                    + ".enabled on, cert-file, key-file and ca-file name PEM files (portmeshctl pki makes them)");
        }
        return Path.of(value);
    }

    /** Why {@code peer} may not be a cluster member, or empty when it may (the CA's signature is checked already). */
    Optional<String> refusal(X509Certificate peer) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> sans = peer.getSubjectAlternativeNames();
            for (List<?> san : sans == null ? List.<List<?>>of() : sans) {
                int type = (Integer) san.get(0);
                String value = String.valueOf(san.get(1));
                if (type == SAN_URI && value.startsWith(AGENT_URI_PREFIX)) {
                    return Optional.of("its certificate is an agent's (" + value + "), not a controller node's");
                }
                if (type == SAN_DNS) {
                    names.add(value);
                }
            }
        } catch (CertificateParsingException e) {
            return Optional.of("its certificate's subject alternative names cannot be read: " + e.getMessage());
        }
        commonName(peer).ifPresent(names::add);
        if (peerNames.isPresent()
                && names.stream().noneMatch(n -> peerNames.get().matcher(n).matches())) {
            return Optional.of("its certificate's names " + names + " do not match " + PATH + ".peer-name-pattern ("
                    + peerNames.get() + ")");
        }
        return Optional.empty();
    }

    private static Optional<String> commonName(X509Certificate cert) {
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return Optional.of(String.valueOf(rdn.getValue()));
                }
            }
        } catch (InvalidNameException e) {
            // no readable subject: the alternative names decide
        }
        return Optional.empty();
    }
}
