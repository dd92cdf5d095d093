package io.portmesh.cluster.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portmesh.model.HostId;
import io.portmesh.openflow.tls.CertifiedAgent;
import io.portmesh.openflow.tls.OfTlsFiles;
import io.portmesh.openflow.tls.PemFiles;
import io.portmesh.openflow.tls.PemIdentity;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PKI's files as the JDK reads them: who signed what, for what purpose, naming whom, with which file modes. */
class PkiTest {
    @TempDir
    Path dir;

    static List<X509Certificate> certificates(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            List<X509Certificate> chain = new ArrayList<>();
            CertificateFactory.getInstance("X.509")
                    .generateCertificates(in)
                    .forEach(c -> chain.add((X509Certificate) c));
            return chain;
        }
    }

    private static List<String> sans(X509Certificate c, int type) throws Exception {
        List<String> names = new ArrayList<>();
        for (List<?> n : c.getSubjectAlternativeNames()) {
            if ((Integer) n.get(0) == type) {
                names.add((String) n.get(1));
            }
        }
        return names;
    }

    @Test
    void initMakesASelfSignedP256CaWhoseKeyOnlyTheOwnerReads() throws Exception {
        OfTlsFiles ca = Pki.init(dir);

        X509Certificate cert = certificates(ca.certificate()).get(0);
        cert.verify(cert.getPublicKey()); // self-signed
        assertThat(cert.getBasicConstraints()).as("a CA, path length 0").isZero();
        assertThat(cert.getKeyUsage()[5]).as("keyCertSign").isTrue();
        assertThat(cert.getNotAfter().getTime() - System.currentTimeMillis())
                .as("valid about ten years")
                .isGreaterThan(Pki.CA_VALIDITY.minusDays(1).toMillis());
        ECParameterSpec curve = ((ECPrivateKey) PemFiles.privateKey(ca.key())).getParams();
        assertThat(curve.getCurve().getField().getFieldSize()).isEqualTo(256);
        assertThat(Files.readString(ca.key())).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.getPosixFilePermissions(ca.key())).isEqualTo(PemWriter.KEY_MODE);
        assertThat(Files.getPosixFilePermissions(ca.certificate())).isEqualTo(PemWriter.CERTIFICATE_MODE);
    }

    @Test
    void anAgentCertificateIsSignedByTheCaAndNamesItsHostAndSlot() throws Exception {
        OfTlsFiles ca = Pki.init(dir);
        OfTlsFiles agent = Pki.issueAgent(dir, "host-7", "b");

        assertThat(agent.certificate().getFileName()).hasToString("agent-host-7-b.crt");
        assertThat(agent.ca()).isEqualTo(ca.certificate());
        List<X509Certificate> chain = certificates(agent.certificate());
        X509Certificate caCert = certificates(ca.certificate()).get(0);
        assertThat(chain).hasSize(2).element(1).isEqualTo(caCert);
        X509Certificate leaf = chain.get(0);
        leaf.verify(caCert.getPublicKey());
        assertThat(leaf.getBasicConstraints()).as("not a CA").isEqualTo(-1);
        assertThat(leaf.getExtendedKeyUsage()).containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.1");
        assertThat(sans(leaf, 6)).containsExactly("portmesh:agent:host-7:b");
        assertThat(leaf.getSubjectX500Principal().getName()).contains("CN=agent:host-7:b");
        assertThat(CertifiedAgent.of(leaf)).contains(new CertifiedAgent(HostId.of("host-7"), "b"));
        assertThat(Files.getPosixFilePermissions(agent.key())).isEqualTo(PemWriter.KEY_MODE);
    }

    @Test
    void aNodeCertificateNamesItsDnsNamesAndAddressesAndNoAgent() throws Exception {
        Pki.init(dir);
        OfTlsFiles node = Pki.issueNode(
                dir,
                "node-1.example",
                List.of("127.0.0.1", "fd00::1"),
                List.of("portmesh-controller"),
                Pki.LEAF_VALIDITY,
                false);

        X509Certificate leaf = certificates(node.certificate()).get(0);
        assertThat(sans(leaf, 2)).containsExactly("node-1.example", "portmesh-controller");
        assertThat(sans(leaf, 7)).containsExactly("127.0.0.1", "fd00:0:0:0:0:0:0:1");
        assertThat(leaf.getExtendedKeyUsage()).containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(sans(leaf, 6)).as("its node identity").containsExactly("portmesh:node:node-1.example");
        assertThat(CertifiedAgent.of(leaf))
                .as("a node certificate is no agent's")
                .isEmpty();
    }

    @Test
    void aLeafNeverOutlivesItsCa() throws Exception {
        OfTlsFiles ca = Pki.init(dir, "Short CA", Duration.ofDays(2), false);
        Date caEnd = certificates(ca.certificate()).get(0).getNotAfter();

        OfTlsFiles node = Pki.issueNode(dir, "n1", List.of("127.0.0.1"));
        assertThat(certificates(node.certificate()).get(0).getNotAfter())
                .as("825 days asked, the CA ends in 2")
                .isEqualTo(caEnd);
        OfTlsFiles agent = Pki.issueAgent(dir, "h", "a", Duration.ofDays(1), false);
        assertThat(certificates(agent.certificate()).get(0).getNotAfter()).isBefore(caEnd);
    }

    @Test
    void aKeyThatACrashLeftWithoutItsCertificateDoesNotBlockTheRerun() throws Exception {
        Pki.init(dir);
        OfTlsFiles agent = Pki.issueAgent(dir, "h", "a");
        String orphan = Files.readString(agent.key());
        Files.delete(agent.certificate()); // a crash between the key's rename and the certificate's

        Pki.issueAgent(dir, "h", "a");
        PemIdentity.load(agent.certificate(), agent.key()); // the new pair belongs together
        try (var left = Files.list(dir)) {
            List<Path> aside = left.filter(p -> p.getFileName().toString().startsWith("agent-h-a.key.unpaired-"))
                    .toList();
            assertThat(aside).as("the old key moved aside, not deleted").hasSize(1);
            assertThat(Files.readString(aside.get(0))).isEqualTo(orphan);
            assertThat(Files.getPosixFilePermissions(aside.get(0))).isEqualTo(PemWriter.KEY_MODE);
        }
    }

    @Test
    void runsAtTheSameTimeForOneNameLeaveOneCertificateWithItsOwnKey() throws Exception {
        Pki.init(dir);
        int runs = 4;
        ExecutorService pool = Executors.newFixedThreadPool(runs);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<OfTlsFiles>> results = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return Pki.issueNode(dir, "n1", List.of("127.0.0.1"));
                }));
            }
            start.countDown();
            int written = 0;
            for (Future<OfTlsFiles> r : results) {
                try {
                    r.get(60, TimeUnit.SECONDS);
                    written++;
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(FileAlreadyExistsException.class);
                }
            }
            assertThat(written).as("exactly one run wrote the pair").isOne();
        } finally {
            pool.shutdownNow();
        }
        OfTlsFiles node = Pki.nodeFiles(dir, "n1");
        PemIdentity.load(node.certificate(), node.key()); // throws if the key is another run's
    }

    @Test
    void aDirectoryTheCaIsMadeInIsTheOwnersOnly() throws Exception {
        Path fresh = dir.resolve("new-pki");
        Pki.init(fresh);
        assertThat(Files.getPosixFilePermissions(fresh)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void nothingIsOverwrittenWithoutForce() throws Exception {
        OfTlsFiles ca = Pki.init(dir);
        String caBefore = Files.readString(ca.certificate());
        assertThatThrownBy(() -> Pki.init(dir))
                .isInstanceOf(FileAlreadyExistsException.class)
                .hasMessageContaining("ca.crt")
                .hasMessageContaining("--force");
        assertThat(Files.readString(ca.certificate())).isEqualTo(caBefore);

        OfTlsFiles agent = Pki.issueAgent(dir, "h", "a");
        String agentBefore = Files.readString(agent.certificate());
        assertThatThrownBy(() -> Pki.issueAgent(dir, "h", "a")).isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readString(agent.certificate())).isEqualTo(agentBefore);

        String keyBefore = Files.readString(agent.key());
        Pki.issueAgent(dir, "h", "a", Pki.LEAF_VALIDITY, true);
        assertThat(Files.readString(agent.certificate())).isNotEqualTo(agentBefore);
        try (var left = Files.list(dir)) {
            assertThat(left.filter(p ->
                            p.getFileName().toString().startsWith(agent.key().getFileName() + ".replaced-")))
                    .as("the key --force replaced is moved aside, never deleted")
                    .singleElement()
                    .satisfies(p -> assertThat(Files.readString(p)).isEqualTo(keyBefore));
        }
        assertThat(Files.getPosixFilePermissions(agent.key())).isEqualTo(PemWriter.KEY_MODE);
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString()).filter(n -> !n.contains(".replaced-")))
                    .as("no temporary files left")
                    .containsExactlyInAnyOrder(
                            PemWriter.LOCK_FILE, "ca.crt", "ca.key", "agent-h-a.crt", "agent-h-a.key");
        }
    }

    @Test
    void issuingWithoutACaSaysToRunInitFirst() {
        assertThatThrownBy(() -> Pki.issueAgent(dir, "h", "a"))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("pki init");
    }

    @Test
    void badNamesAreRefusedBeforeAnythingIsWritten() throws Exception {
        Pki.init(dir);
        assertThatThrownBy(() -> Pki.issueAgent(dir, "host 1", "a"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("host 1");
        assertThatThrownBy(() -> Pki.issueAgent(dir, "h", "c"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("slot");
        assertThatThrownBy(() -> Pki.issueNode(dir, "n", List.of("not-an-ip")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not-an-ip");
        assertThatThrownBy(() -> Pki.issueNode(dir, "under_score", List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DNS name");
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(PemWriter.LOCK_FILE, "ca.crt", "ca.key");
        }
    }
}
