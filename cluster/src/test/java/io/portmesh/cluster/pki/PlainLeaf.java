package io.portmesh.cluster.pki;

import io.portmesh.openflow.tls.OfTlsFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;

/**
 * A certificate of the deployment CA that {@code portmeshctl pki} would never issue: a node's names (DNS localhost, IP
 * 127.0.0.1, serverAuth and clientAuth) without the {@code portmesh:node:} URI, as a certificate issued before nodes
 * carried it, or one the CA signed for another purpose. The tests show it opens no cluster.
 */
public final class PlainLeaf {
    private PlainLeaf() {}

    /** {@code plain-<name>.crt} and {@code .key} in {@code dir}, signed by the CA there. */
    public static OfTlsFiles issue(Path dir, String name) throws IOException {
        return Pki.issue(
                dir,
                "plain-" + name,
                new CertificateMaker.LeafSpec(
                        name,
                        List.of(
                                new GeneralName(GeneralName.dNSName, "localhost"),
                                new GeneralName(GeneralName.iPAddress, "127.0.0.1")),
                        List.of(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth)),
                Duration.ofDays(1),
                false);
    }
}
