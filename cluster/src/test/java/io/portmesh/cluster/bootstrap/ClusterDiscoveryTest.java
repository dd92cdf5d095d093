package io.portmesh.cluster.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.portmesh.persistence.SchemaInstallSetting;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The configuration of each discovery mode, as ControllerMain loads it. */
class ClusterDiscoveryTest {
    private static Config load(String overrides, Map<String, String> env) {
        return ClusterDiscovery.load(ConfigFactory.parseString(overrides), env);
    }

    @Test
    void staticModeIsTheDefaultAndKeepsTheSeedNodesAndTheEmbeddedCassandra() {
        Config c = load("", Map.of());
        assertThat(ClusterDiscovery.mode(c)).isEqualTo(ClusterDiscovery.Mode.STATIC);
        assertThat(c.getStringList("pekko.cluster.seed-nodes")).containsExactly("pekko://portmesh@127.0.0.1:2551");
        assertThat(c.getBoolean("portmesh.cassandra.embedded.enabled")).isTrue();
        assertThat(SchemaInstallSetting.of(c)).isEqualTo(SchemaInstallSetting.AUTO);
        assertThat(c.getString("pekko.remote.artery.canonical.hostname")).isEqualTo("127.0.0.1");
    }

    @Test
    void kubernetesModeHasNoSeedsBindsThePodIpAndBootstrapsFromThePodsOfTheControllerLabel() {
        Config c = load("""
                portmesh.cluster.discovery = kubernetes
                portmesh.cluster.kubernetes.pod-ip = "10.1.2.3"
                """, Map.of());
        assertThat(ClusterDiscovery.mode(c)).isEqualTo(ClusterDiscovery.Mode.KUBERNETES);
        assertThat(c.getStringList("pekko.cluster.seed-nodes")).isEmpty();
        assertThat(c.getString("pekko.remote.artery.canonical.hostname")).isEqualTo("10.1.2.3");
        assertThat(c.getInt("pekko.remote.artery.canonical.port")).isEqualTo(2551);
        assertThat(c.getString("pekko.management.http.hostname")).isEqualTo("10.1.2.3");
        assertThat(c.getInt("pekko.management.http.port")).isEqualTo(8558);
        Config discovery = c.getConfig("pekko.management.cluster.bootstrap.contact-point-discovery");
        assertThat(discovery.getString("discovery-method")).isEqualTo("kubernetes-api");
        assertThat(discovery.getString("service-name")).isEqualTo("portmesh-controller");
        assertThat(discovery.getString("port-name")).isEqualTo("management");
        assertThat(discovery.getInt("required-contact-point-nr")).isEqualTo(2);
        assertThat(c.getString("pekko.discovery.kubernetes-api.pod-label-selector"))
                .isEqualTo("app.kubernetes.io/name=portmesh-controller");
        assertThat(c.getBoolean("pekko.discovery.kubernetes-api.use-raw-ip")).isTrue();
        assertThat(c.getString("pekko.management.health-checks.readiness-checks.portmesh"))
                .isEqualTo(ReadinessCheck.class.getName());
        assertThat(c.getString("pekko.management.health-checks.liveness-checks.portmesh"))
                .isEqualTo(LivenessCheck.class.getName());
        assertThat(c.getBoolean("portmesh.cassandra.embedded.enabled")).isFalse();
        assertThat(SchemaInstallSetting.of(c)).isEqualTo(SchemaInstallSetting.OFF);
        assertThat(c.getString("portmesh.controller.http.host")).isEqualTo("0.0.0.0");
        assertThat(c.getString("portmesh.controller.openflow.host")).isEqualTo("0.0.0.0");
    }

    /** docs/architecture.md 8.7 "Downing in pods": why these values. */
    @Test
    void kubernetesModeKeepsTheMajorityAfterThreeQuietSecondsAndDownsAllOnlyAfterFifteenMoreOfFlapping() {
        Config k = load("""
                portmesh.cluster.discovery = kubernetes
                portmesh.cluster.kubernetes.pod-ip = "10.1.2.3"
                """, Map.of());
        assertThat(k.getString("pekko.cluster.downing-provider-class"))
                .isEqualTo("org.apache.pekko.cluster.sbr.SplitBrainResolverProvider");
        Config sbr = k.getConfig("pekko.cluster.split-brain-resolver");
        assertThat(sbr.getString("active-strategy")).isEqualTo("keep-majority");
        assertThat(sbr.getDuration("stable-after")).isEqualTo(Duration.ofSeconds(3));
        assertThat(sbr.getDuration("down-all-when-unstable")).isEqualTo(Duration.ofSeconds(15));
        // the project's own downing rules stay on: they act before the resolver, on proof it does not need to wait for
        assertThat(k.getBoolean("portmesh.controller.dead-member-downing.enabled"))
                .isTrue();
        assertThat(k.getBoolean("portmesh.controller.one-way-fault-downing.enabled"))
                .isTrue();
        // the one-way rule must decide well before the resolver would take its cycle for indirectly connected nodes
        assertThat(k.getDuration("portmesh.controller.one-way-fault-downing.stable"))
                .isLessThan(sbr.getDuration("stable-after").dividedBy(2));

        // outside Kubernetes Pekko derives it from stable-after (4 s)
        assertThat(load("", Map.of()).getString("pekko.cluster.split-brain-resolver.down-all-when-unstable"))
                .isEqualTo("on");
    }

    @Test
    void whatApplicationConfSaysWinsOverTheKubernetesLayer() {
        Config c = load("""
                portmesh.cluster.discovery = kubernetes
                portmesh.cluster.kubernetes.pod-ip = "10.1.2.3"
                portmesh.cluster.kubernetes.pod-label-selector = "app=controllers"
                portmesh.cluster.kubernetes.required-contact-points = 3
                portmesh.controller.http.host = "10.1.2.3"
                """, Map.of());
        assertThat(c.getString("pekko.discovery.kubernetes-api.pod-label-selector"))
                .isEqualTo("app=controllers");
        assertThat(c.getInt("pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr"))
                .isEqualTo(3);
        assertThat(c.getString("portmesh.controller.http.host")).isEqualTo("10.1.2.3");
    }

    @Test
    void kubernetesModeWithoutThePodIpIsRefusedSayingWhereItComesFrom() {
        assertThatThrownBy(() -> load("portmesh.cluster.discovery = kubernetes", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("POD_IP")
                .hasMessageContaining("status.podIP");
    }

    @Test
    void anUnknownModeIsRefusedNamingTheKnownOnes() {
        assertThatThrownBy(() -> load("portmesh.cluster.discovery = consul", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'consul'")
                .hasMessageContaining("static")
                .hasMessageContaining("kubernetes");
    }

    @Test
    void cassandraContactPointsFromTheEnvironmentGoToTheDriverAndTheFirstToTheSchema() {
        Config c = load(
                "",
                Map.of(ClusterDiscovery.CONTACT_POINTS_ENV, "cassandra-0.cassandra:9042, cassandra-1.cassandra:9042"));
        assertThat(c.getStringList("datastax-java-driver.basic.contact-points"))
                .containsExactly("cassandra-0.cassandra:9042", "cassandra-1.cassandra:9042");
        assertThat(c.getString("portmesh.cassandra.contact-point")).isEqualTo("cassandra-0.cassandra:9042");
    }

    @Test
    void aContactPointWithoutAPortGetsCassandrasAndOneWithABadPortIsRefused() {
        assertThat(load("", Map.of(ClusterDiscovery.CONTACT_POINTS_ENV, "cassandra-0.cassandra"))
                        .getStringList("datastax-java-driver.basic.contact-points"))
                .containsExactly("cassandra-0.cassandra:9042");
        assertThatThrownBy(() -> load("", Map.of(ClusterDiscovery.CONTACT_POINTS_ENV, "cassandra-0.cassandra:cql")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(ClusterDiscovery.CONTACT_POINTS_ENV)
                .hasMessageContaining("'cassandra-0.cassandra:cql'");
    }
}
