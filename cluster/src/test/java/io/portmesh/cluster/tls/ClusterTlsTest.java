package io.portmesh.cluster.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The portmesh.cluster.tls switch: the Pekko settings it layers, the files it checks, the peers it refuses. */
class ClusterTlsTest {
    @TempDir
    Path dir;

    private static Config with(Map<String, Object> tls) {
        return ConfigFactory.parseMap(tls).atPath("portmesh.cluster.tls").withFallback(ConfigFactory.load());
    }

    private static Map<String, Object> on(TestPki.NodeFiles f) {
        return Map.of(
                "enabled", true,
                "cert-file", f.chain().toString(),
                "key-file", f.key().toString(),
                "ca-file", f.ca().toString());
    }

    @Test
    void offLeavesPekkosRemotingAsItIs() {
        Config c = ConfigFactory.load();
        assertThat(ClusterTls.apply(c)).isSameAs(c);
        assertThat(c.getString("pekko.remote.artery.transport")).isEqualTo("tcp");
    }

    @Test
    void onSwitchesArteryToTlsTcpWithOurEngineProvider() {
        TestPki pki = TestPki.create(dir, "ca");
        Config c = ClusterTls.apply(with(on(pki.issue("node-a"))));
        assertThat(c.getString("pekko.remote.artery.transport")).isEqualTo("tls-tcp");
        assertThat(c.getString("pekko.remote.artery.ssl.ssl-engine-provider"))
                .isEqualTo(ClusterTlsEngineProvider.class.getName());
    }

    @Test
    void onWithoutTheFilesStopsTheStartNamingTheSetting() {
        assertThatThrownBy(() -> ClusterTls.apply(with(Map.of("enabled", true))))
                .hasMessageContaining("portmesh.cluster.tls.cert-file is not set");
        TestPki pki = TestPki.create(dir, "ca");
        TestPki.NodeFiles f = pki.issue("node-a");
        Map<String, Object> badKey = new java.util.HashMap<>(on(f));
        badKey.put("key-file", pki.issue("node-b").key().toString());
        assertThatThrownBy(() -> ClusterTls.apply(with(badKey))).hasMessageContaining("does not belong");
    }

    @Test
    void agentsCertificatesAreRefusedAndThePeerNamePatternIsApplied() {
        TestPki pki = TestPki.create(dir, "ca");
        TestPki.NodeFiles node = pki.issue("node-a");
        X509Certificate agent = PemFiles.certificates(
                        pki.issue("agent", "portmesh:agent:h1:b").chain())
                .get(0);
        X509Certificate peer = PemFiles.certificates(pki.issue("ctl-2").chain()).get(0);

        ClusterTls any = ClusterTls.fromConfig(with(on(node)));
        assertThat(any.refusal(agent)).hasValueSatisfying(r -> assertThat(r).contains("portmesh:agent:h1:b"));
        assertThat(any.refusal(peer)).isEmpty();

        Map<String, Object> pattern = new java.util.HashMap<>(on(node));
        pattern.put("peer-name-pattern", "ctl-[0-9]+");
        ClusterTls named = ClusterTls.fromConfig(with(pattern));
        assertThat(named.refusal(peer)).isEmpty();
        X509Certificate other = PemFiles.certificates(pki.issue("db-1").chain()).get(0);
        assertThat(named.refusal(other)).hasValueSatisfying(r -> assertThat(r).contains("[localhost, db-1]"));
    }
}
