package io.portmesh.agent.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.portmesh.agent.pipeline.StandbyReplay;
import io.portmesh.openflow.tls.OfTlsFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's settings: an HA pair's trunk state and standby replay window, and how controller entries (IPs, names) are
 * read.
 */
class AgentSettingsTest {
    private static final List<String> CONTROLLERS = List.of("127.0.0.1:6653");

    @Test
    void byDefaultTheTrunkStartsUpAndTheStandbyReplayWindowIs200Ms() {
        AgentSettings s = AgentSettings.local("esx-1", "a", "127.0.1.1", 4789, CONTROLLERS);
        assertThat(s.trunkUp()).as("single-agent hosts rely on it").isTrue();
        assertThat(s.standbyReplayWindow()).isEqualTo(Duration.ofMillis(200));
        assertThat(s.standbyReplayWindow().toNanos()).isEqualTo(StandbyReplay.DEFAULT_WINDOW_NANOS);
    }

    @Test
    void anHaPairMemberStartsWithItsTrunkDown() {
        AgentSettings b = AgentSettings.local("esx-1", "b", "127.0.1.2", 4789, CONTROLLERS, false);
        assertThat(b.trunkUp()).isFalse();
        assertThat(b.slot()).isEqualTo("b");
        assertThat(b.vxlanBind().getAddress().getHostAddress()).isEqualTo("127.0.1.2");

        AgentSettings a = AgentSettings.local("esx-1", "a", "127.0.1.1", 4789, CONTROLLERS)
                .withTrunkUp(false);
        assertThat(a.trunkUp()).isFalse();
        assertThat(a.withTrunkUp(true).trunkUp()).isTrue();
    }

    @Test
    void theWithersChangeOnlyWhatTheyName() {
        AgentSettings s = AgentSettings.local("esx-1", "a", "127.0.1.1", 4789, CONTROLLERS);
        assertThat(s.withTrunkUp(false).withTrunkUp(true)).isEqualTo(s);
        assertThat(s.withStandbyReplayWindow(Duration.ZERO))
                .isEqualTo(new AgentSettings(
                        s.host(),
                        s.slot(),
                        s.dpid(),
                        s.controllers(),
                        s.controllersResolveInterval(),
                        s.listen(),
                        s.listenAccess(),
                        s.trunkBind(),
                        s.vxlanBind(),
                        s.vxlanRemotePort(),
                        s.trunkUp(),
                        s.tables(),
                        s.openflow(),
                        s.tls(),
                        s.arrivalReplayWindow(),
                        Duration.ZERO,
                        s.socketBufferBytes(),
                        s.pair()));
        assertThat(s.withArrivalReplayWindow(Duration.ofMillis(7)).standbyReplayWindow())
                .isEqualTo(s.standbyReplayWindow());
    }

    @Test
    void thePairIsOffByDefaultAndReadFromHoconWhenBothAddressesAreGiven() {
        assertThat(AgentSettings.local("esx-1", "a", "127.0.1.1", 4789, CONTROLLERS)
                        .pair())
                .isEmpty();
        AgentSettings s = AgentSettings.fromConfig(ConfigFactory.parseString(
                        "portmesh.agent.pair { listen = \"127.0.0.1:7001\", peer = \"127.0.0.1:7002\" }")
                .withFallback(ConfigFactory.defaultReference())
                .resolve());
        assertThat(s.pair())
                .contains(new AgentSettings.Pair(
                        new java.net.InetSocketAddress("127.0.0.1", 7001),
                        new java.net.InetSocketAddress("127.0.0.1", 7002),
                        Duration.ofMillis(5)));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AgentSettings.fromConfig(
                        ConfigFactory.parseString("portmesh.agent.pair.peer = \"127.0.0.1:7002\"")
                                .withFallback(ConfigFactory.defaultReference())
                                .resolve()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("go together");
    }

    @Test
    void theWindowAndTrunkStateAreReadFromHocon() {
        AgentSettings s = AgentSettings.fromConfig(
                ConfigFactory.parseString("portmesh.agent { standby-replay-window = 1s, trunk.admin-up = false }")
                        .withFallback(ConfigFactory.defaultReference())
                        .resolve());
        assertThat(s.standbyReplayWindow()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.trunkUp()).isFalse();
        assertThat(s.socketBufferBytes()).as("the reference default").isEqualTo(4 << 20);
    }

    @Test
    void aNegativeStandbyReplayWindowIsRefused() {
        AgentSettings s = AgentSettings.local("esx-1", "a", "127.0.1.1", 4789, CONTROLLERS);
        assertThatThrownBy(() -> s.withStandbyReplayWindow(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("standby-replay-window");
    }

    @Test
    void aControllerIpStaysThatAddressAndANameIsKeptToBeLookedUpAgainAndAgain() {
        AgentSettings s = AgentSettings.fromConfig(
                ConfigFactory.parseString("portmesh.agent { controllers = [\"10.0.0.5:6653\", \"[fd00::7]:6653\","
                                + " \"portmesh-controller.portmesh.svc:6653\"], controllers-resolve-interval = 3s }")
                        .withFallback(ConfigFactory.defaultReference())
                        .resolve());
        assertThat(s.controllers())
                .extracting(
                        java.net.InetSocketAddress::isUnresolved,
                        java.net.InetSocketAddress::getHostString,
                        java.net.InetSocketAddress::getPort)
                .containsExactly(
                        org.assertj.core.api.Assertions.tuple(false, "10.0.0.5", 6653),
                        org.assertj.core.api.Assertions.tuple(false, "fd00:0:0:0:0:0:0:7", 6653),
                        org.assertj.core.api.Assertions.tuple(true, "portmesh-controller.portmesh.svc", 6653));
        assertThat(s.controllersResolveInterval()).isEqualTo(Duration.ofSeconds(3));
        assertThat(AgentSettings.local("esx-1", "a", "127.0.1.1", 4789, CONTROLLERS)
                        .controllersResolveInterval())
                .as("the reference default")
                .isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void controllersGivenAsOneStringAreACommaSeparatedList() {
        // what PORTMESH_AGENT_CONTROLLERS sets: HOCON substitutes an environment variable as a string
        AgentSettings s = AgentSettings.fromConfig(ConfigFactory.parseString(
                        "portmesh.agent.controllers = \"portmesh-controller.portmesh.svc:6653, 10.0.0.5:6653\"")
                .withFallback(ConfigFactory.defaultReference())
                .resolve());
        assertThat(s.controllers())
                .containsExactly(
                        java.net.InetSocketAddress.createUnresolved("portmesh-controller.portmesh.svc", 6653),
                        new java.net.InetSocketAddress("10.0.0.5", 6653));
        assertThatThrownBy(
                        () -> AgentSettings.fromConfig(ConfigFactory.parseString("portmesh.agent.controllers = \" \"")
                                .withFallback(ConfigFactory.defaultReference())
                                .resolve()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("controllers is an empty string");
    }

    @Test
    void aBadControllerEntryOrResolveIntervalIsRefusedSayingWhy() {
        assertThatThrownBy(() -> AgentSettings.controllerAddress("portmesh-controller"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not host:port");
        assertThatThrownBy(() -> AgentSettings.controllerAddress("portmesh-controller:66536"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the port '66536' is not a number 0-65535");
        assertThatThrownBy(() -> AgentSettings.controllerAddress("a b:6653"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("neither an IP address nor a host name");
        assertThatThrownBy(() -> AgentSettings.fromConfig(
                        ConfigFactory.parseString("portmesh.agent.controllers-resolve-interval = 0s")
                                .withFallback(ConfigFactory.defaultReference())
                                .resolve()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("controllers-resolve-interval must be > 0");
    }

    @Test
    void tlsIsOffByDefaultAndOnNeedsReadableFilesNamedByTheirKeys(@TempDir Path dir) throws Exception {
        assertThat(AgentSettings.local("esx-1", "a", "127.0.1.1", 4789, CONTROLLERS)
                        .tls())
                .isEmpty();
        Path crt = Files.writeString(dir.resolve("a.crt"), "x");
        Path key = Files.writeString(dir.resolve("a.key"), "x");
        String on = "portmesh.agent.openflow.tls { enabled = on, certificate = \"%s\", key = \"%s\", ca = \"%s\" }";
        AgentSettings s = AgentSettings.fromConfig(ConfigFactory.parseString(on.formatted(crt, key, crt))
                .withFallback(ConfigFactory.defaultReference())
                .resolve());
        assertThat(s.tls()).contains(new OfTlsFiles(crt, key, crt));
        assertThatThrownBy(() -> AgentSettings.fromConfig(ConfigFactory.parseString(on.formatted(crt, "", crt))
                        .withFallback(ConfigFactory.defaultReference())
                        .resolve()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("portmesh.agent.openflow.tls.key is empty");
        assertThatThrownBy(() -> AgentSettings.fromConfig(
                        ConfigFactory.parseString(on.formatted(crt, key, dir.resolve("missing.crt")))
                                .withFallback(ConfigFactory.defaultReference())
                                .resolve()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("portmesh.agent.openflow.tls.ca: cannot read")
                .hasMessageContaining("missing.crt");
    }
}
