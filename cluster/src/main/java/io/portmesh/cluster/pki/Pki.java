package io.portmesh.cluster.pki;

import io.netty.util.NetUtil;
import io.portmesh.cluster.tls.ClusterTls;
import io.portmesh.openflow.tls.CertifiedAgent;
import io.portmesh.openflow.tls.CertifiedNode;
import io.portmesh.openflow.tls.OfTlsFiles;
import io.portmesh.openflow.tls.PemIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;

/**
 * The deployment's small PKI, one directory of PEM files ({@code portmeshctl pki}; tests call it directly so that they
 * use the certificates the tool makes):
 *
 * <pre>
 * ca.crt  ca.key                       the CA (init): every controller node and agent trusts ca.crt
 * node-&lt;name&gt;.crt  node-&lt;name&gt;.key     a controller node (node): serverAuth and clientAuth, DNS and IP names,
 *                                      URI portmesh:node:&lt;name&gt;
 * agent-&lt;host&gt;-&lt;slot&gt;.crt  .key        an agent (agent): its identity as {@link CertifiedAgent} encodes it
 * </pre>
 *
 * A leaf's {@code .crt} holds its certificate and the CA's (the chain an end presents); it never outlives the CA (its
 * notAfter is capped at the CA's). Keys are mode 0600. No certificate is overwritten unless {@code force} is set, and
 * a crash never leaves a key with a certificate not its own ({@link PemWriter}).
 */
public final class Pki {
    public static final String CA_CERTIFICATE = "ca.crt";
    public static final String CA_KEY = "ca.key";
    public static final Duration CA_VALIDITY = Duration.ofDays(3650);
    public static final Duration LEAF_VALIDITY = Duration.ofDays(825);

    /** A DNS name (RFC 1123 labels), as a node's name must be: it is its certificate's first DNS name. */
    private static final Pattern DNS_NAME = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    private Pki() {}

    /** A new CA in {@code dir} (created if missing), valid {@link #CA_VALIDITY}; refuses to replace one. */
    public static OfTlsFiles init(Path dir) throws IOException {
        return init(dir, "Portmesh CA", CA_VALIDITY, false);
    }

    /**
     * A new CA in {@code dir}: {@code ca.crt} and {@code ca.key}. The returned files name the CA for all three (the
     * CA has no other certificate).
     */
    public static OfTlsFiles init(Path dir, String commonName, Duration validity, boolean force) throws IOException {
        requirePositive(validity);
        if (!Files.exists(dir)) {
            // the CA's key lives here: only its owner may list or enter it
            Files.createDirectories(
                    dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Path crt = dir.resolve(CA_CERTIFICATE);
        Path key = dir.resolve(CA_KEY);
        CertificateMaker.Issued ca = CertificateMaker.certificateAuthority(commonName, validity);
        PemWriter.writePair(crt, List.of(ca.certificate()), key, ca.key(), force);
        return new OfTlsFiles(crt, key, crt);
    }

    /** A controller node's certificate, valid {@link #LEAF_VALIDITY}, refusing to replace one. */
    public static OfTlsFiles issueNode(Path dir, String name, List<String> ips) throws IOException {
        return issueNode(dir, name, ips, List.of(), LEAF_VALIDITY, false);
    }

    /**
     * A controller node's certificate signed by the CA in {@code dir}: common name and first DNS name {@code name},
     * then {@code dnsNames} and {@code ips} (agents check that the address they connect to is among them), and the URI
     * {@code portmesh:node:<name>} that makes it a cluster member's ({@link ClusterTls}: no other certificate of the CA
     * may join the cluster).
     *
     * @throws IllegalArgumentException for a name that is no DNS name or an address that is no IP literal
     */
    public static OfTlsFiles issueNode(
            Path dir, String name, List<String> ips, List<String> dnsNames, Duration validity, boolean force)
            throws IOException {
        requirePositive(validity);
        List<GeneralName> names = new ArrayList<>();
        for (String dns : concat(List.of(name), dnsNames)) {
            if (!DNS_NAME.matcher(dns).matches()) {
                throw new IllegalArgumentException("'" + dns + "' is not a DNS name (letters, digits, '-', '.')");
            }
            names.add(new GeneralName(GeneralName.dNSName, dns));
        }
        for (String ip : ips) {
            names.add(new GeneralName(GeneralName.iPAddress, ipLiteral(ip)));
        }
        names.add(new GeneralName(GeneralName.uniformResourceIdentifier, CertifiedNode.uri(name)));
        return issue(
                dir,
                "node-" + name,
                new CertificateMaker.LeafSpec(
                        name, names, List.of(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth)),
                validity,
                force);
    }

    /** An agent's certificate, valid {@link #LEAF_VALIDITY}, refusing to replace one. */
    public static OfTlsFiles issueAgent(Path dir, String host, String slot) throws IOException {
        return issueAgent(dir, host, slot, LEAF_VALIDITY, false);
    }

    /**
     * An agent's certificate signed by the CA in {@code dir}, naming {@code host} and {@code slot} the one way the
     * controller reads ({@link CertifiedAgent}). clientAuth for its controller connections, serverAuth for its
     * listen port (which speaks TLS when the agent's does).
     *
     * @throws IllegalArgumentException for a host that is no valid host id, or a slot other than a and b
     */
    public static OfTlsFiles issueAgent(Path dir, String host, String slot, Duration validity, boolean force)
            throws IOException {
        requirePositive(validity);
        CertifiedAgent agent = CertifiedAgent.of(host, slot);
        return issue(
                dir,
                "agent-" + host + "-" + slot,
                new CertificateMaker.LeafSpec(
                        agent.commonName(),
                        List.of(new GeneralName(GeneralName.uniformResourceIdentifier, agent.uri())),
                        List.of(KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth)),
                validity,
                force);
    }

    /** The files {@link #issueNode} writes for {@code name} (whether they exist or not). */
    public static OfTlsFiles nodeFiles(Path dir, String name) {
        return files(dir, "node-" + name);
    }

    /** The files {@link #issueAgent} writes for {@code host} and {@code slot} (whether they exist or not). */
    public static OfTlsFiles agentFiles(Path dir, String host, String slot) {
        return files(dir, "agent-" + host + "-" + slot);
    }

    private static OfTlsFiles files(Path dir, String base) {
        return new OfTlsFiles(dir.resolve(base + ".crt"), dir.resolve(base + ".key"), dir.resolve(CA_CERTIFICATE));
    }

    static OfTlsFiles issue(Path dir, String base, CertificateMaker.LeafSpec spec, Duration validity, boolean force)
            throws IOException {
        CertificateMaker.Issued ca = loadCa(dir);
        OfTlsFiles out = files(dir, base);
        CertificateMaker.Issued leaf = CertificateMaker.leaf(ca, spec, validity);
        PemWriter.writePair(
                out.certificate(), List.of(leaf.certificate(), ca.certificate()), out.key(), leaf.key(), force);
        return out;
    }

    private static CertificateMaker.Issued loadCa(Path dir) throws IOException {
        Path crt = dir.resolve(CA_CERTIFICATE);
        Path key = dir.resolve(CA_KEY);
        if (!Files.exists(crt) || !Files.exists(key)) {
            throw new NoSuchFileException(
                    dir.toString(), null, "no CA there (" + CA_CERTIFICATE + ", " + CA_KEY + "): run 'pki init' first");
        }
        try {
            PemIdentity ca = PemIdentity.load(crt, key);
            if (ca.certificate().getNotAfter().toInstant().isBefore(java.time.Instant.now())) {
                throw new IOException(
                        "the CA in " + dir + " expired on " + ca.certificate().getNotAfter()
                                + ": make a new one ('pki init --force') and reissue every certificate");
            }
            return new CertificateMaker.Issued(ca.certificate(), ca.key());
        } catch (IllegalArgumentException e) {
            throw new IOException("the CA in " + dir + " is unusable: " + e.getMessage(), e);
        }
    }

    /** Only literals: a name would be looked up, and a certificate must not depend on DNS at issue time. */
    private static String ipLiteral(String ip) {
        String bare = ip.strip();
        if (!NetUtil.isValidIpV4Address(bare) && !NetUtil.isValidIpV6Address(bare)) {
            throw new IllegalArgumentException("'" + ip + "' is not an IPv4 or IPv6 address");
        }
        return NetUtil.createInetAddressFromIpAddressString(bare).getHostAddress();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static void requirePositive(Duration validity) {
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive: " + validity);
        }
    }
}
