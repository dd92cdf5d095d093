package io.portmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.agent.control.AgentSettings;
import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.cluster.pki.Pki;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.openflow.tls.OfTlsFiles;
import io.portmesh.persistence.testkit.CassandraExtension;
import io.portmesh.persistence.testkit.TestCassandra;
import io.portmesh.sharding.service.BindingResult;
import io.portmesh.sharding.service.HostInfo;
import io.portmesh.sharding.service.NetworkService;
import io.portmesh.sharding.service.PortInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A controller node with OpenFlow mutual TLS on, the real Cassandra, and agents over real TCP with certificates made by
 * the PKI tool's code: host H's agent is mastered and realizes its ports; impostors claiming H or using H's
 * certificate for another host (no certificate, another CA's, plain TCP, another host's certificate) are refused,
 * counted by reason, and never disturb H: its master keeps its one grant, and {@code ?wait=realized} on H still
 * answers realized while they keep retrying.
 */
@ExtendWith(CassandraExtension.class)
class OpenFlowTlsIntegrationTest {
    private static final String REFUSALS = "portmesh_openflow_refusals_total";

    @TempDir
    Path pki;

    @TempDir
    Path otherPki;

    @Test
    void onlyTheAgentWhoseCertificateNamesTheHostMastersIt(TestCassandra cassandra) throws Exception {
        String run = Long.toHexString(System.nanoTime() & 0xFFFFFF);
        String h = "tls-h-" + run;
        String g = "tls-g-" + run;
        Pki.init(pki);
        OfTlsFiles node = Pki.issueNode(pki, "node-1", List.of("127.0.0.1"));
        OfTlsFiles hCert = Pki.issueAgent(pki, h, "a");
        OfTlsFiles gCert = Pki.issueAgent(pki, g, "a");
        Pki.init(otherPki);
        OfTlsFiles foreignH = Pki.issueAgent(otherPki, h, "a");

        int[] ports = TestCluster.freePorts(3);
        int vxlanPort = ports[2];
        TestCluster cluster =
                TestCluster.start(cassandra, new int[] {ports[0]}, new int[] {ports[1]}, TlsPeers.controllerTls(node));
        List<DatapathAgent> impostors = new ArrayList<>();
        List<ImpostorSwitch> claimants = new ArrayList<>();
        DatapathAgent real = null;
        try {
            NetworkService api = cluster.nodes.get(0).service();
            List<String> controllers = cluster.openflowAddresses();
            api.createHost(HostId.of(h), Ipv4.parse("127.0.0.41"))
                    .toCompletableFuture()
                    .get(20, TimeUnit.SECONDS);
            api.createHost(HostId.of(g), Ipv4.parse("127.0.0.42"))
                    .toCompletableFuture()
                    .get(20, TimeUnit.SECONDS);
            real = DatapathAgent.start(AgentSettings.local(h, "a", "127.0.0.41", vxlanPort, controllers)
                    .withTls(Optional.of(hCert)));
            SwitchId sw = SwitchId.of("tls-" + run);
            api.createSwitch(sw, Optional.empty()).toCompletableFuture().get(20, TimeUnit.SECONDS);

            DatapathAgent hAgent = real;
            SliceFixture.awaitTrue(
                    "the agent with H's certificate is master",
                    () -> hAgent.controlState().master().isPresent());
            BindingResult first = bindOnH(api, sw, h, "52:54:00:00:41:01", "10.41.0.1");
            assertThat(first.realization().realized())
                    .as("a port bound on H is realized through it: %s", first.realization())
                    .isTrue();
            DatapathAgent.ControlState before = real.controlState();
            long generation = host(api, h).masterGeneration();
            assertThat(before.flowCount()).isPositive();

            // the impostors, each on its own tunnel endpoint; they retry (with backoff) for as long as they run
            impostors.add(DatapathAgent.start(AgentSettings.local(h, "a", "127.0.0.43", vxlanPort, controllers)));
            impostors.add(DatapathAgent.start(AgentSettings.local(h, "a", "127.0.0.44", vxlanPort, controllers)
                    .withTls(Optional.of(new OfTlsFiles(foreignH.certificate(), foreignH.key(), node.ca())))));
            // an agent refuses to start with a certificate of another host (AgentOwnCertificateTest): these two are
            // raw OpenFlow clients that present a certificate and claim whatever they like
            claimants.add(ImpostorSwitch.claiming(h, gCert, controllers.get(0))); // G's certificate, claiming H
            claimants.add(ImpostorSwitch.claiming(g, hCert, controllers.get(0))); // H's certificate, claiming G
            assertThat(TlsPeers.closedWithoutCertificate(
                            cluster.nodes.get(0).openflowAddress().getPort(), node.ca()))
                    .as("a TLS client without certificate is closed")
                    .isTrue();

            List<ControllerNode> nodes = cluster.nodes;
            for (String reason : List.of("not-tls", "unknown-ca", "no-certificate")) {
                SliceFixture.awaitTrue(
                        "a refusal counted as " + reason,
                        () -> NodeScrape.sumUnchecked(nodes, REFUSALS, "reason=\"" + reason + "\"") >= 1);
            }
            SliceFixture.awaitTrue(
                    "both identity mismatches refused (each at least twice: they retry)",
                    () -> NodeScrape.sumUnchecked(nodes, REFUSALS, "reason=\"identity-mismatch\"") >= 4);

            // a binding on H while the impostors keep trying is realized, as before them
            BindingResult second = bindOnH(api, sw, h, "52:54:00:00:41:02", "10.41.0.2");
            assertThat(second.realization().realized())
                    .as("?wait=realized on H with impostors around: %s", second.realization())
                    .isTrue();
            DatapathAgent.ControlState after = real.controlState();
            assertThat(after.master()).as("H's agent is still master").isPresent();
            assertThat(after.masterGrants())
                    .as("and was never demoted and re-elected: the same grants as before the impostors")
                    .isEqualTo(before.masterGrants());
            assertThat(after.flowCount()).isGreaterThan(before.flowCount());
            HostInfo hInfo = host(api, h);
            assertThat(hInfo.masterGeneration()).isEqualTo(generation);
            assertThat(hInfo.agents()).as("H has one agent: the real one").hasSize(1);
            assertThat(host(api, g).agents())
                    .as("G has none: H's certificate cannot stand for it")
                    .isEmpty();
            for (DatapathAgent impostor : impostors) {
                assertThat(impostor.controlState().master())
                        .as("%s is master of nothing", impostor.description())
                        .isEmpty();
                assertThat(impostor.controlState().flowCount()).isZero();
            }
            for (ImpostorSwitch claimant : claimants) {
                assertThat(claimant.masterRequests.get())
                        .as("%s is master of nothing", claimant.description())
                        .isZero();
                assertThat(claimant.flowMods.get()).isZero();
            }
            assertThat(NodeScrape.sum(nodes, "portmesh_openflow_sessions", ""))
                    .as("one OpenFlow session: the real agent's")
                    .isEqualTo(1);
        } finally {
            impostors.forEach(DatapathAgent::close);
            claimants.forEach(ImpostorSwitch::close);
            if (real != null) {
                real.close();
            }
            cluster.close();
        }
    }

    private static BindingResult bindOnH(NetworkService api, SwitchId sw, String h, String mac, String ip)
            throws Exception {
        PortInfo port = api.createPort(sw, Mac.parse(mac), List.of(Ipv4.parse(ip)), Optional.empty())
                .toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
        return api.bindPort(PortId.of(port.id()), HostId.of(h), true)
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
    }

    private static HostInfo host(NetworkService api, String id) throws Exception {
        return api.getHost(HostId.of(id)).toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
}
