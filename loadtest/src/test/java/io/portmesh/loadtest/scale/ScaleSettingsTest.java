package io.portmesh.loadtest.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScaleSettingsTest {
    @Test
    void shippedScenarioIsTheIssuesSize() {
        ScaleSettings s = ScaleSettings.read(Path.of("scenarios/scale.conf"), List.of());
        assertThat(s.hosts()).isEqualTo(1000);
        assertThat(s.agents()).isEqualTo(2000);
        assertThat(s.switches()).isEqualTo(2000);
        assertThat(s.ports()).isEqualTo(20000);
        assertThat(s.memoryAt()).containsExactly(5000, 10000, 20000);
    }

    @Test
    void overridesTakePrecedenceOverTheFile() {
        ScaleSettings s = ScaleSettings.read(
                Path.of("scenarios/scale.conf"), List.of("hosts=100", "ports=2000", "memory-at=[2000, 1000, 1000]"));
        assertThat(s.hosts()).isEqualTo(100);
        assertThat(s.ports()).isEqualTo(2000);
        assertThat(s.memoryAt()).as("sorted, duplicates dropped").containsExactly(1000, 2000);
        assertThat(s.switches()).as("from the file").isEqualTo(2000);
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> ScaleSettings.parse("agents-per-host = 3"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("agents-per-host");
        assertThatThrownBy(() -> ScaleSettings.parse("ports = 100, memory-at = [200]"))
                .hasMessageContaining("memory-at");
        assertThatThrownBy(() -> ScaleSettings.parse("hosts = 3, hosts-per-switch = 4, memory-at = []"))
                .hasMessageContaining("hosts-per-switch");
        assertThatThrownBy(() -> ScaleSettings.parse("controller-heap = lots, memory-at = []"))
                .hasMessageContaining("controller-heap");
        assertThatThrownBy(() -> ScaleSettings.parse("hosts = many"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hosts");
    }

    @Test
    void portsSpreadEvenlyOverSwitchesAndEachSwitchSpansItsHosts() {
        ScaleSettings s =
                ScaleSettings.parse("hosts = 10, switches = 20, ports = 200, hosts-per-switch = 4, memory-at = []");
        int[] perHost = new int[10];
        int[] perSwitch = new int[20];
        Set<String> switchHost = new HashSet<>();
        for (int k = 0; k < s.ports(); k++) {
            perHost[s.hostOf(k)]++;
            perSwitch[s.switchOf(k)]++;
            switchHost.add(s.switchOf(k) + "/" + s.hostOf(k));
        }
        assertThat(perSwitch).containsOnly(10);
        assertThat(perHost).containsOnly(20);
        assertThat(switchHost)
                .as("each switch on exactly hosts-per-switch hosts")
                .hasSize(20 * 4);
    }

    @Test
    void everyAgentHasItsOwnLoopbackAddress() {
        Set<String> teps = new HashSet<>();
        for (int h = 0; h < 1000; h++) {
            teps.add(ScaleFabric.tep(h, 0));
            teps.add(ScaleFabric.tep(h, 1));
        }
        assertThat(teps).hasSize(2000).allMatch(t -> t.startsWith("127.") && !t.endsWith(".0"));
    }
}
