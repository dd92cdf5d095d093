package io.portmesh.cluster.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.portmesh.cluster.pki.Pki;
import io.portmesh.cluster.pki.PlainLeaf;
import io.portmesh.openflow.tls.OfTlsFiles;
import io.portmesh.openflow.tls.PemFiles;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The portmesh.cluster.tls switch: the Pekko settings it layers, the files it checks, the peers it refuses. */
class ClusterTlsTest {
    @TempDir
    Path dir;

    @BeforeEach
    void ca() throws Exception {
        Pki.init(dir);
    }

    private static Config with(Map<String, Object> tls) {
        return ConfigFactory.parseMap(tls).atPath("portmesh.cluster.tls").withFallback(ConfigFactory.load());
    }

    private static Map<String, Object> on(OfTlsFiles f) {
        return new HashMap<>(Map.of(
                "enabled", true,
                "cert-file", f.certificate().toString(),
                "key-file", f.key().toString(),
                "ca-file", f.ca().toString()));
    }

    private OfTlsFiles node(String name) throws Exception {
        return Pki.issueNode(dir, name, List.of("127.0.0.1"), List.of("localhost"), Pki.LEAF_VALIDITY, false);
    }

    private static X509Certificate certificate(OfTlsFiles f) {
        return PemFiles.certificates(f.certificate()).get(0);
    }

    @Test
    void offLeavesPekkosRemotingAsItIs() {
        Config c = ConfigFactory.load();
        assertThat(ClusterTls.apply(c)).isSameAs(c);
        assertThat(c.getString("pekko.remote.artery.transport")).isEqualTo("tcp");
    }

    @Test
    void onSwitchesArteryToTlsTcpWithOurEngineProvider() throws Exception {
        Config c = ClusterTls.apply(with(on(node("node-a"))));
        assertThat(c.getString("pekko.remote.artery.transport")).isEqualTo("tls-tcp");
        assertThat(c.getString("pekko.remote.artery.ssl.ssl-engine-provider"))
                .isEqualTo(ClusterTlsEngineProvider.class.getName());
    }

    @Test
    void onWithoutTheFilesStopsTheStartNamingTheSetting() throws Exception {
        assertThatThrownBy(() -> ClusterTls.apply(with(Map.of("enabled", true))))
                .hasMessageContaining("portmesh.cluster.tls.cert-file is not set");
        Map<String, Object> badKey = on(node("node-a"));
        badKey.put("key-file", node("node-b").key().toString());
        assertThatThrownBy(() -> ClusterTls.apply(with(badKey)))
                .hasMessageContaining("does not belong")
                .hasMessageContaining("node-node-b.key");
    }

    @Test
    void aNodeWhoseOwnCertificateIsNoNodesStopsAtStartRatherThanBeRefusedByEveryPeer() throws Exception {
        assertThatThrownBy(() -> ClusterTls.apply(with(on(Pki.issueAgent(dir, "h1", "a")))))
                .hasMessageContaining("portmesh.cluster.tls.cert-file")
                .hasMessageContaining("the other nodes would refuse this node")
                .hasMessageContaining("portmesh:agent:h1:a");
        assertThatThrownBy(() -> ClusterTls.apply(with(on(PlainLeaf.issue(dir, "old-node")))))
                .hasMessageContaining("names no controller node")
                .hasMessageContaining("pki node");
    }

    @Test
    void onlyNodeCertificatesAreAcceptedAndThePeerNamePatternIsApplied() throws Exception {
        OfTlsFiles node = node("node-a");
        X509Certificate agent = certificate(Pki.issueAgent(dir, "h1", "b"));
        X509Certificate plain = certificate(PlainLeaf.issue(dir, "ctl-3"));
        X509Certificate peer = certificate(node("ctl-2"));

        ClusterTls any = ClusterTls.fromConfig(with(on(node)));
        assertThat(any.refusal(peer)).isEmpty();
        assertThat(any.refusal(agent)).hasValueSatisfying(r -> assertThat(r).contains("portmesh:agent:h1:b"));
        assertThat(any.refusal(plain)).hasValueSatisfying(r -> assertThat(r).contains("names no controller node"));

        Map<String, Object> pattern = on(node);
        pattern.put("peer-name-pattern", "ctl-[0-9]+");
        ClusterTls named = ClusterTls.fromConfig(with(pattern));
        assertThat(named.refusal(peer)).isEmpty();
        assertThat(named.refusal(certificate(node("db-1"))))
                .hasValueSatisfying(r -> assertThat(r).contains("[db-1, localhost, db-1]"));
        assertThat(named.refusal(plain)).as("a matching name is no node URI").isPresent();
    }
}
