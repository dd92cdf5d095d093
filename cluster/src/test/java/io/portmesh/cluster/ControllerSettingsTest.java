package io.portmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.portmesh.cluster.pki.Pki;
import io.portmesh.openflow.tls.OfTlsFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The controller's OpenFlow TLS settings: off by default, on with the PKI's files, and what is wrong said clearly. */
class ControllerSettingsTest {
    @TempDir
    Path dir;

    private static ControllerSettings settings(com.typesafe.config.Config overrides) {
        return ControllerSettings.fromConfig(
                overrides.withFallback(ConfigFactory.defaultReference()).resolve());
    }

    @Test
    void openflowTlsIsOffByDefault() {
        assertThat(settings(ConfigFactory.empty()).openflowTls()).isEmpty();
    }

    @Test
    void onItNamesTheNodesFilesAndTheirContextsLoad() throws Exception {
        Pki.init(dir);
        OfTlsFiles node = Pki.issueNode(dir, "node-1", List.of("127.0.0.1"));
        ControllerSettings s = settings(TlsPeers.controllerTls(node));
        assertThat(s.openflowTls())
                .contains(new OfTlsFiles(
                        node.certificate().toAbsolutePath(),
                        node.key().toAbsolutePath(),
                        node.ca().toAbsolutePath()));
        assertThat(s.openflowTls().get().serverContext().isServer()).isTrue();
    }

    @Test
    void aMissingFileOrOneThatIsNoPemIsRefusedNamingIt() throws Exception {
        assertThatThrownBy(() -> settings(ConfigFactory.parseString("portmesh.controller.openflow.tls.enabled = on")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("portmesh.controller.openflow.tls.certificate is empty");
        Path junk = Files.writeString(dir.resolve("junk.pem"), "not a certificate");
        OfTlsFiles files = new OfTlsFiles(junk, junk, junk);
        assertThatThrownBy(files::serverContext)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot use the TLS files")
                .hasMessageContaining("junk.pem");
    }
}
