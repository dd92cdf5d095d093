package io.portmesh.cluster.pki;

import io.portmesh.openflow.tls.CertifiedAgent;
import io.portmesh.openflow.tls.OfTlsFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;

/**
 * Certificates of the deployment CA that {@code portmeshctl pki} would never issue: a node's names (DNS localhost, IP
 * 127.0.0.1, serverAuth and clientAuth) without the {@code portmesh:node:} URI, as a certificate issued before nodes
 * carried it, or one the CA signed for another purpose; and an agent's with those names beside its identity. The tests
 * show they open no cluster and pose as no controller to an agent.
 */
public final class PlainLeaf {
    private PlainLeaf() {}

    /** {@code plain-<name>.crt} and {@code .key} in {@code dir}, signed by the CA there. */
    public static OfTlsFiles issue(Path dir, String name) throws IOException {
        return issue(dir, "plain-" + name, name, List.of());
    }

    /**
     * {@code addressed-agent-<host>-<slot>.crt} and {@code .key} in {@code dir}: the agent identity
     * {@link Pki#issueAgent} writes, plus DNS localhost and IP 127.0.0.1, so that it passes an agent's check of the
     * controller's address and only the node check can refuse it (a stolen agent key whose CA also signed addresses).
     */
    public static OfTlsFiles addressedAgent(Path dir, String host, String slot) throws IOException {
        CertifiedAgent agent = CertifiedAgent.of(host, slot);
        return issue(
                dir,
                "addressed-agent-" + host + "-" + slot,
                agent.commonName(),
                List.of(new GeneralName(GeneralName.uniformResourceIdentifier, agent.uri())));
    }

    private static OfTlsFiles issue(Path dir, String base, String commonName, List<GeneralName> more)
            throws IOException {
        List<GeneralName> names = new ArrayList<>(List.of(
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
        names.addAll(more);
        return Pki.issue(
                dir,
                base,
                new CertificateMaker.LeafSpec(
                        commonName, names, List.of(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth)),
                Duration.ofDays(1),
                false);
    }
}
