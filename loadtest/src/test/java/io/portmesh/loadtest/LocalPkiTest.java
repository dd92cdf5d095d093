package io.portmesh.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.portmesh.cluster.pki.Pki;
import io.portmesh.cluster.tls.ClusterTls;
import io.portmesh.openflow.tls.CertifiedAgent;
import io.portmesh.openflow.tls.OfTlsFiles;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalPkiTest {
    @TempDir
    Path dir;

    @Test
    void nodeSettingsTurnOnOpenFlowMutualTlsAndArteryTlsWithTheNodesCertificate() throws Exception {
        LocalPki pki = LocalPki.create(dir);
        OfTlsFiles node = pki.node("ctl-1");
        Config config = ConfigFactory.parseMap(LocalPki.nodeTlsSettings(node))
                .withFallback(ConfigFactory.defaultReference())
                .resolve();

        Optional<OfTlsFiles> openflow = OfTlsFiles.fromConfig(config, "portmesh.controller.openflow.tls");
        assertThat(openflow).isPresent();
        assertThat(openflow.get().certificate()).isEqualTo(node.certificate().toAbsolutePath());
        assertThat(openflow.get().ca()).isEqualTo(pki.ca().toAbsolutePath());
        assertThat(openflow.get().serverContext().isServer()).isTrue();
        assertThat(ClusterTls.apply(config).getString("pekko.remote.artery.transport"))
                .isEqualTo("tls-tcp");
    }

    @Test
    void asJvmOptionsGivesOneSystemPropertyPerSetting() throws Exception {
        OfTlsFiles node = LocalPki.create(dir).node("ctl-1");
        assertThat(LocalPki.asJvmOptions(LocalPki.nodeTlsSettings(node)))
                .hasSize(8)
                .contains("-Dportmesh.cluster.tls.enabled=on")
                .contains("-Dportmesh.controller.openflow.tls.key=" + node.key().toAbsolutePath());
    }

    @Test
    void agentCertificatesNameTheirHostAndSlotAndEachRunMakesANewCa() throws Exception {
        LocalPki first = LocalPki.create(dir);
        OfTlsFiles agent = first.agent("esx-1", "b");
        assertThat(agent).isEqualTo(Pki.agentFiles(dir, "esx-1", "b"));
        assertThat(agent.clientContext().isClient()).isTrue();
        X509Certificate leaf;
        try (InputStream in = Files.newInputStream(agent.certificate())) {
            leaf = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        assertThat(leaf.getSubjectAlternativeNames())
                .contains(List.of(6, CertifiedAgent.of("esx-1", "b").uri())); // 6: a URI name
        byte[] firstCa = Files.readAllBytes(first.ca());

        LocalPki second = LocalPki.create(dir); // an earlier run's files are replaced, not refused
        assertThat(Files.readAllBytes(second.ca())).isNotEqualTo(firstCa);
        second.agent("esx-1", "b");
    }
}
