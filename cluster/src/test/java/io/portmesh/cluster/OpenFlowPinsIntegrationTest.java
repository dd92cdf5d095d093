package io.portmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.cluster.pki.Pki;
import io.portmesh.model.AgentPin;
import io.portmesh.model.Dpid;
import io.portmesh.openflow.tls.OfTlsFiles;
import io.portmesh.openflow.tls.PublicKeySha256;
import io.portmesh.persistence.testkit.CassandraExtension;
import io.portmesh.persistence.testkit.TestCassandra;
import io.portmesh.sharding.service.HostInfo;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A controller node with OpenFlow mutual TLS on, the real Cassandra, and agents over real TCP with certificates made by
 * the PKI tool's code (docs/architecture.md section 13.1): host H is registered pinning its slot a's public key and
 * datapath id. H's agent with that certificate is mastered; an agent with a certificate re-issued for H slot a (valid,
 * another key) and one with H's own certificate but another datapath id are refused, each under its own reason, and
 * never disturb H's master; an unpinned host G is admitted as before. A client that stalls its TLS handshake is
 * refused as {@code tls-handshake-timeout}.
 */
@ExtendWith(CassandraExtension.class)
class OpenFlowPinsIntegrationTest {
    private static final long H_DPID = 0x0a01L;

    @TempDir
    Path pki;

    @TempDir
    Path firstIssue;

    @Test
    void aPinnedHostAdmitsOnlyItsPinnedKeyAndDpid(TestCassandra cassandra) throws Exception {
        try (TlsNodeFixture f = TlsNodeFixture.start(cassandra, pki)) {
            String h = f.name("pin-h");
            String g = f.name("pin-g");
            OfTlsFiles hCert = keep(Pki.issueAgent(pki, h, "a"));
            OfTlsFiles reissued = Pki.issueAgent(pki, h, "a", java.time.Duration.ofDays(2), true);
            OfTlsFiles gCert = Pki.issueAgent(pki, g, "a");
            String hKey = PublicKeySha256.ofCertificateFile(hCert.certificate());
            assertThat(PublicKeySha256.ofCertificateFile(reissued.certificate()))
                    .as("the re-issued certificate has a key of its own")
                    .isNotEqualTo(hKey);

            Map<String, AgentPin> pins = Map.of("a", new AgentPin(hKey, new Dpid(H_DPID).toString()));
            assertThat(f.createHost(h, "127.0.0.51", pins).pins()).isEqualTo(pins);
            f.createHost(g, "127.0.0.52", Map.of());

            DatapathAgent real = f.startAgent(
                    f.agentSettings(h, "127.0.0.51").withDpid(H_DPID).withTls(Optional.of(hCert)));
            DatapathAgent unpinned =
                    f.startAgent(f.agentSettings(g, "127.0.0.52").withTls(Optional.of(gCert)));
            SliceFixture.awaitTrue(
                    "H's agent with the pinned key and dpid is master",
                    () -> real.controlState().master().isPresent());
            SliceFixture.awaitTrue(
                    "G (no pins) admits its agent as before",
                    () -> unpinned.controlState().master().isPresent());
            DatapathAgent.ControlState before = real.controlState();
            long generation = f.host(h).masterGeneration();

            DatapathAgent reissuedAgent = f.startAgent(
                    f.agentSettings(h, "127.0.0.53").withDpid(H_DPID).withTls(Optional.of(reissued)));
            DatapathAgent otherDpid = f.startAgent(
                    f.agentSettings(h, "127.0.0.54").withDpid(H_DPID + 1).withTls(Optional.of(hCert)));
            // each refused at least twice (it retries)
            f.awaitRefusals("pinned-key-mismatch", 2);
            f.awaitRefusals("dpid-mismatch", 2);
            try (Socket silent = new Socket()) {
                silent.connect(new InetSocketAddress(
                        "127.0.0.1", f.cluster.nodes.get(0).openflowAddress().getPort()));
                silent.setSoTimeout(30_000);
                // at its handshake timeout the controller closes, after at most a TLS alert (a record of 7 bytes)
                byte[] seen = silent.getInputStream().readNBytes(64);
                assertThat(seen.length)
                        .as("closed by the controller at its handshake timeout")
                        .isLessThan(64);
            }
            f.awaitRefusals("tls-handshake-timeout", 1);

            DatapathAgent.ControlState after = real.controlState();
            assertThat(after.master()).as("H's agent is still master").isPresent();
            assertThat(after.masterGrants())
                    .as("and was never demoted and re-elected")
                    .isEqualTo(before.masterGrants());
            HostInfo hInfo = f.host(h);
            assertThat(hInfo.masterGeneration()).isEqualTo(generation);
            assertThat(hInfo.agents()).as("H has one agent: the pinned one").hasSize(1);
            assertThat(hInfo.agents().get(0).dpid()).isEqualTo("00:00:00:00:00:00:0a:01");
            for (DatapathAgent refused : List.of(reissuedAgent, otherDpid)) {
                assertThat(refused.controlState().master())
                        .as("%s is master of nothing", refused.description())
                        .isEmpty();
            }
            assertThat(f.sessions())
                    .as("two OpenFlow sessions: H's pinned agent and G's")
                    .isEqualTo(2);
        }
    }

    /** A copy of {@code files}' certificate and key: re-issuing for the same host and slot overwrites them. */
    private OfTlsFiles keep(OfTlsFiles files) throws Exception {
        Path cert = Files.copy(files.certificate(), firstIssue.resolve("agent.crt"));
        Path key = Files.copy(files.key(), firstIssue.resolve("agent.key"));
        return new OfTlsFiles(cert, key, files.ca());
    }
}
