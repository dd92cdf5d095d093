package io.portmesh.cluster.tls;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.portmesh.openflow.tls.CertifiedNode;
import io.portmesh.openflow.tls.PemIdentity;
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

    private static final int SAN_DNS = 2;

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

    /**
     * The files of {@code portmesh.cluster.tls}, read; every refusal names the setting or the file. A certificate of
     * this node that is no node's stops it here: every peer would refuse it.
     */
    public static ClusterTls fromConfig(Config root) {
        Config c = root.getConfig(PATH);
        Path cert = file(c, "cert-file");
        PemIdentity own = PemIdentity.load(cert, file(c, "key-file"));
        notANode(own.certificate()).ifPresent(why -> {
            throw new IllegalArgumentException(
                    PATH + ".cert-file " + cert + ": the other nodes would refuse this node: "
                            + why.replaceFirst("^its", "the") + "; reissue it with 'portmeshctl pki node'");
        });
        return of(c, own);
    }

    /**
     * As {@link #fromConfig} from the section {@code c}, without checking this end's own certificate: what a process
     * that wants into the cluster with another certificate of the CA runs (tests play it).
     */
    static ClusterTls unchecked(Config c) {
        return of(c, PemIdentity.load(file(c, "cert-file"), file(c, "key-file")));
    }

    private static ClusterTls of(Config c, PemIdentity own) {
        SSLContext ctx = PemIdentity.context(own.keyManagers(), PemIdentity.trustManagers(file(c, "ca-file")));
        String pattern = c.hasPath("peer-name-pattern") ? c.getString("peer-name-pattern") : "";
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

    /**
     * Why {@code peer} may not be a cluster member, or empty when it may (the CA's signature is checked already): it
     * must be a node's certificate ({@link #notANode}) and match {@code peer-name-pattern} if set.
     */
    Optional<String> refusal(X509Certificate peer) {
        Optional<String> notANode = notANode(peer);
        if (notANode.isPresent() || peerNames.isEmpty()) {
            return notANode;
        }
        List<String> names = new ArrayList<>();
        sans(peer, SAN_DNS).forEach(names::add);
        commonName(peer).ifPresent(names::add);
        if (names.stream().noneMatch(n -> peerNames.get().matcher(n).matches())) {
            return Optional.of("its certificate's names " + names + " do not match " + PATH + ".peer-name-pattern ("
                    + peerNames.get() + ")");
        }
        return Optional.empty();
    }

    /**
     * Why {@code certificate} is no controller node's ({@link CertifiedNode}: the same rule agents apply to the
     * controllers they connect to), or empty when it is one.
     */
    static Optional<String> notANode(X509Certificate certificate) {
        return CertifiedNode.refusal(certificate);
    }

    /** The subject alternative names of {@code type} of {@code certificate}. */
    private static List<String> sans(X509Certificate certificate, int type) {
        List<String> values = new ArrayList<>();
        try {
            Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
            for (List<?> san : sans == null ? List.<List<?>>of() : sans) {
                if (san.get(0) instanceof Integer t && t == type) {
                    values.add(String.valueOf(san.get(1)));
                }
            }
        } catch (CertificateParsingException e) {
            throw new IllegalArgumentException(
                    "its certificate's subject alternative names cannot be read: " + e.getMessage(), e);
        }
        return values;
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
