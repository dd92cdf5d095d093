package io.portmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.agent.control.AgentSettings;
import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.cluster.pki.Pki;
import io.portmesh.model.AgentPin;
import io.portmesh.model.Dpid;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.openflow.tls.OfTlsFiles;
import io.portmesh.openflow.tls.PublicKeySha256;
import io.portmesh.persistence.testkit.CassandraExtension;
import io.portmesh.persistence.testkit.TestCassandra;
import io.portmesh.sharding.service.HostInfo;
import io.portmesh.sharding.service.NetworkService;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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
    private static final String REFUSALS = "portmesh_openflow_refusals_total";
    private static final long H_DPID = 0x0a01L;

    @TempDir
    Path pki;

    @TempDir
    Path firstIssue;

    @Test
    void aPinnedHostAdmitsOnlyItsPinnedKeyAndDpid(TestCassandra cassandra) throws Exception {
        String run = Long.toHexString(System.nanoTime() & 0xFFFFFF);
        String h = "pin-h-" + run;
        String g = "pin-g-" + run;
        Pki.init(pki);
        OfTlsFiles node = Pki.issueNode(pki, "node-1", List.of("127.0.0.1"));
        OfTlsFiles hCert = keep(Pki.issueAgent(pki, h, "a"));
        OfTlsFiles reissued = Pki.issueAgent(pki, h, "a", java.time.Duration.ofDays(2), true);
        OfTlsFiles gCert = Pki.issueAgent(pki, g, "a");
        String hKey = PublicKeySha256.ofCertificateFile(hCert.certificate());
        assertThat(PublicKeySha256.ofCertificateFile(reissued.certificate()))
                .as("the re-issued certificate has a key of its own")
                .isNotEqualTo(hKey);

        int[] ports = TestCluster.freePorts(3);
        int vxlanPort = ports[2];
        TestCluster cluster =
                TestCluster.start(cassandra, new int[] {ports[0]}, new int[] {ports[1]}, TlsPeers.controllerTls(node));
        List<DatapathAgent> agents = new ArrayList<>();
        try {
            NetworkService api = cluster.nodes.get(0).service();
            List<String> controllers = cluster.openflowAddresses();
            Map<String, AgentPin> pins = Map.of("a", new AgentPin(hKey, new Dpid(H_DPID).toString()));
            HostInfo registered = api.createHost(HostId.of(h), Ipv4.parse("127.0.0.51"), pins)
                    .toCompletableFuture()
                    .get(20, TimeUnit.SECONDS);
            assertThat(registered.pins()).isEqualTo(pins);
            api.createHost(HostId.of(g), Ipv4.parse("127.0.0.52"))
                    .toCompletableFuture()
                    .get(20, TimeUnit.SECONDS);

            DatapathAgent real = start(
                    agents,
                    AgentSettings.local(h, "a", "127.0.0.51", vxlanPort, controllers)
                            .withDpid(H_DPID)
                            .withTls(Optional.of(hCert)));
            DatapathAgent unpinned = start(
                    agents,
                    AgentSettings.local(g, "a", "127.0.0.52", vxlanPort, controllers)
                            .withTls(Optional.of(gCert)));
            SliceFixture.awaitTrue(
                    "H's agent with the pinned key and dpid is master",
                    () -> real.controlState().master().isPresent());
            SliceFixture.awaitTrue(
                    "G (no pins) admits its agent as before",
                    () -> unpinned.controlState().master().isPresent());
            DatapathAgent.ControlState before = real.controlState();
            long generation = host(api, h).masterGeneration();

            DatapathAgent reissuedAgent = start(
                    agents,
                    AgentSettings.local(h, "a", "127.0.0.53", vxlanPort, controllers)
                            .withDpid(H_DPID)
                            .withTls(Optional.of(reissued)));
            DatapathAgent otherDpid = start(
                    agents,
                    AgentSettings.local(h, "a", "127.0.0.54", vxlanPort, controllers)
                            .withDpid(H_DPID + 1)
                            .withTls(Optional.of(hCert)));
            List<ControllerNode> nodes = cluster.nodes;
            for (String reason : List.of("pinned-key-mismatch", "dpid-mismatch")) {
                SliceFixture.awaitTrue(
                        "refused at least twice as " + reason + " (it retries)",
                        () -> NodeScrape.sumUnchecked(nodes, REFUSALS, "reason=\"" + reason + "\"") >= 2);
            }
            try (Socket silent = new Socket()) {
                silent.connect(new InetSocketAddress(
                        "127.0.0.1", cluster.nodes.get(0).openflowAddress().getPort()));
                silent.setSoTimeout(30_000);
                // at its handshake timeout the controller closes, after at most a TLS alert (a record of 7 bytes)
                byte[] seen = silent.getInputStream().readNBytes(64);
                assertThat(seen.length)
                        .as("closed by the controller at its handshake timeout")
                        .isLessThan(64);
            }
            SliceFixture.awaitTrue(
                    "a stalled TLS handshake is refused as tls-handshake-timeout",
                    () -> NodeScrape.sumUnchecked(nodes, REFUSALS, "reason=\"tls-handshake-timeout\"") >= 1);

            DatapathAgent.ControlState after = real.controlState();
            assertThat(after.master()).as("H's agent is still master").isPresent();
            assertThat(after.masterGrants())
                    .as("and was never demoted and re-elected")
                    .isEqualTo(before.masterGrants());
            HostInfo hInfo = host(api, h);
            assertThat(hInfo.masterGeneration()).isEqualTo(generation);
            assertThat(hInfo.agents()).as("H has one agent: the pinned one").hasSize(1);
            assertThat(hInfo.agents().get(0).dpid()).isEqualTo("00:00:00:00:00:00:0a:01");
            for (DatapathAgent refused : List.of(reissuedAgent, otherDpid)) {
                assertThat(refused.controlState().master())
                        .as("%s is master of nothing", refused.description())
                        .isEmpty();
            }
            assertThat(NodeScrape.sum(nodes, "portmesh_openflow_sessions", ""))
                    .as("two OpenFlow sessions: H's pinned agent and G's")
                    .isEqualTo(2);
        } finally {
            agents.forEach(DatapathAgent::close);
            cluster.close();
        }
    }

    private static DatapathAgent start(List<DatapathAgent> agents, AgentSettings settings) throws Exception {
        DatapathAgent agent = DatapathAgent.start(settings);
        agents.add(agent);
        return agent;
    }

    /** A copy of {@code files}' certificate and key: re-issuing for the same host and slot overwrites them. */
    private OfTlsFiles keep(OfTlsFiles files) throws Exception {
        Path cert = Files.copy(files.certificate(), firstIssue.resolve("agent.crt"));
        Path key = Files.copy(files.key(), firstIssue.resolve("agent.key"));
        return new OfTlsFiles(cert, key, files.ca());
    }

    private static HostInfo host(NetworkService api, String id) throws Exception {
        return api.getHost(HostId.of(id)).toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
}
