package io.portmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.List;
import java.util.Map;
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
    @TempDir
    Path pki;

    @TempDir
    Path otherPki;

    @Test
    void onlyTheAgentWhoseCertificateNamesTheHostMastersIt(TestCassandra cassandra) throws Exception {
        try (TlsNodeFixture f = TlsNodeFixture.start(cassandra, pki)) {
            String h = f.name("tls-h");
            String g = f.name("tls-g");
            OfTlsFiles hCert = Pki.issueAgent(pki, h, "a");
            OfTlsFiles gCert = Pki.issueAgent(pki, g, "a");
            Pki.init(otherPki);
            OfTlsFiles foreignH = Pki.issueAgent(otherPki, h, "a");
            NetworkService api = f.api;
            f.createHost(h, "127.0.0.41", Map.of());
            f.createHost(g, "127.0.0.42", Map.of());
            DatapathAgent real = f.startAgent(f.agentSettings(h, "127.0.0.41").withTls(Optional.of(hCert)));
            SwitchId sw = SwitchId.of(f.name("tls"));
            api.createSwitch(sw, Optional.empty()).toCompletableFuture().get(20, TimeUnit.SECONDS);

            SliceFixture.awaitTrue(
                    "the agent with H's certificate is master",
                    () -> real.controlState().master().isPresent());
            BindingResult first = bindOnH(api, sw, h, "52:54:00:00:41:01", "10.41.0.1");
            assertThat(first.realization().realized())
                    .as("a port bound on H is realized through it: %s", first.realization())
                    .isTrue();
            DatapathAgent.ControlState before = real.controlState();
            long generation = f.host(h).masterGeneration();
            assertThat(before.flowCount()).isPositive();

            // the impostors, each on its own tunnel endpoint; they retry (with backoff) for as long as they run
            List<DatapathAgent> impostors = List.of(
                    f.startAgent(f.agentSettings(h, "127.0.0.43")),
                    f.startAgent(f.agentSettings(h, "127.0.0.44")
                            .withTls(
                                    Optional.of(new OfTlsFiles(foreignH.certificate(), foreignH.key(), f.node.ca())))));
            // an agent refuses to start with a certificate of another host (AgentOwnCertificateTest): these two are
            // raw OpenFlow clients that present a certificate and claim whatever they like
            List<ImpostorSwitch> claimants = List.of(
                    f.closeLater(
                            ImpostorSwitch.claiming(h, gCert, f.controllers.get(0))), // G's certificate, claiming H
                    f.closeLater(
                            ImpostorSwitch.claiming(g, hCert, f.controllers.get(0)))); // H's certificate, claiming G
            assertThat(TlsPeers.closedWithoutCertificate(
                            f.cluster.nodes.get(0).openflowAddress().getPort(), f.node.ca()))
                    .as("a TLS client without certificate is closed")
                    .isTrue();

            for (String reason : List.of("not-tls", "unknown-ca", "no-certificate")) {
                f.awaitRefusals(reason, 1);
            }
            // both identity mismatches, each at least twice: they retry
            f.awaitRefusals("identity-mismatch", 4);

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
            HostInfo hInfo = f.host(h);
            assertThat(hInfo.masterGeneration()).isEqualTo(generation);
            assertThat(hInfo.agents()).as("H has one agent: the real one").hasSize(1);
            assertThat(f.host(g).agents())
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
            assertThat(f.sessions())
                    .as("one OpenFlow session: the real agent's")
                    .isEqualTo(1);
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
}
