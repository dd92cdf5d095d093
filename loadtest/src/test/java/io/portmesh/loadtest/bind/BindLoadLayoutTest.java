package io.portmesh.loadtest.bind;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.HostId;
import io.portmesh.model.SwitchId;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BindLoadLayoutTest {
    private static List<SwitchId> switches(int n) {
        return IntStream.range(0, n).mapToObj(i -> SwitchId.of("s" + i)).toList();
    }

    private static List<HostId> hosts(int n) {
        return IntStream.range(0, n).mapToObj(i -> HostId.of("h" + i)).toList();
    }

    @Test
    void defaultLayoutPutsEachSwitchOnEveryHostAndGivesEachHostTheSameNumberOfPorts() {
        BindLoad load = new BindLoad(List.of(), switches(20), hosts(50));
        Map<Integer, Set<Integer>> hostsOfSwitch = new HashMap<>();
        Map<Integer, Integer> portsOfHost = new HashMap<>();
        for (int k = 0; k < 1000; k++) {
            hostsOfSwitch
                    .computeIfAbsent(load.switchOf(k), s -> new HashSet<>())
                    .add(load.hostOf(k));
            portsOfHost.merge(load.hostOf(k), 1, Integer::sum);
            if (k > 0) {
                assertThat(load.hostOf(k))
                        .as("port %d lands on another host than port %d", k, k - 1)
                        .isNotEqualTo(load.hostOf(k - 1));
            }
        }
        assertThat(hostsOfSwitch).hasSize(20);
        assertThat(hostsOfSwitch.values()).allSatisfy(h -> assertThat(h).hasSize(50));
        assertThat(portsOfHost).hasSize(50);
        assertThat(portsOfHost.values()).containsOnly(20);
    }

    @Test
    void describedPersistCountIsFivePerPortAndHostUpdatesGrowWithTheHostsAlreadyInTheSwitch() {
        BindLoad load = new BindLoad(List.of(), switches(20), hosts(50));
        // each switch gets 50 ports on 50 distinct hosts: the n-th binding reaches n hosts, 1 + ... + 50 = 1275
        assertThat(load.describeLayout(1000))
                .contains("spans 50-50 hosts")
                .contains("persists 5,000 events")
                .contains("25,500 host plan updates");
    }
}
