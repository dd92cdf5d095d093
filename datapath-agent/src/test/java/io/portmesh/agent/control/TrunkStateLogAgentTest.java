package io.portmesh.agent.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.agent.io.TrunkStateLog;
import io.portmesh.agent.io.TrunkStateLog.Transition;
import io.portmesh.openflow.OfConnection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The trunk state lines two real agents log, read back with {@link TrunkStateLog#parse}: the initial state once at
 * start, every PORT_MOD change, and a close while up; and, over a planned switch-over of an HA pair, that the merged
 * lines show the two trunks never up at once (what a failover test elsewhere checks from the agents' logs).
 */
class TrunkStateLogAgentTest {
    static final String IP_A = "127.0.0.43";
    static final String IP_B = "127.0.0.44";

    @RegisterExtension
    final TrunkLines lines = new TrunkLines();

    private List<Transition> transitions(String host, String slot) {
        return lines.transitions(host, slot);
    }

    @Test
    void anAgentLogsItsInitialTrunkStateEachPortModChangeAndItsCloseWhileUp() throws Exception {
        try (ScriptedController ctl = new ScriptedController()) {
            DatapathAgent agent = DatapathAgent.start(TestAgents.settings(
                    "esx-9", 0, List.of(ctl.hostPort()), IP_A, 0, 4789, "slot = \"b\"\ntrunk.admin-up = false"));
            try (agent) {
                OfConnection c = ctl.awaitConnection();
                TrunkPortMods.becomeMaster(c, 1);
                TrunkPortMods.setTrunk(ctl, c, agent, true);
                TrunkPortMods.setTrunk(ctl, c, agent, true); // no change: no line
                TrunkPortMods.setTrunk(ctl, c, agent, false);
                TrunkPortMods.setTrunk(ctl, c, agent, true);
            }
            List<Transition> t = transitions("esx-9", "b");
            assertThat(t).extracting(Transition::up).containsExactly(false, true, false, true, false);
            assertThat(t).extracting(Transition::atNanos).isSorted().doesNotHaveDuplicates();
            assertThat(lines.messages().stream())
                    .filteredOn(m -> m.contains("host=esx-9"))
                    .allSatisfy(m -> assertThat(m).startsWith("trunk admin-state "))
                    .first()
                    .asString()
                    .endsWith("cause=start");
            assertThat(lines.messages().get(lines.messages().size() - 1)).endsWith("cause=close");
        }
    }

    @Test
    void anAgentClosedWithItsTrunkDownLogsNothingMoreThanItsStart() throws Exception {
        try (ScriptedController ctl = new ScriptedController()) {
            int vxlanPort = TestAgents.portFreeOnBoth(IP_B, IP_A);
            DatapathAgent.start(AgentSettings.local("esx-10", "b", IP_B, vxlanPort, List.of(ctl.hostPort()), false))
                    .close();
            assertThat(transitions("esx-10", "b")).extracting(Transition::up).containsExactly(false);
        }
    }

    @Test
    void overAPlannedSwitchOverTheMergedLogsShowThePairsTrunksNeverUpAtOnce() throws Exception {
        try (ScriptedController ctl = new ScriptedController()) {
            List<String> controllers = List.of(ctl.hostPort());
            String down = "trunk.admin-up = false\n";
            DatapathAgent a = DatapathAgent.start(
                    TestAgents.settings("esx-11", 0, controllers, IP_A, 0, 4789, "slot = \"a\"\n" + down));
            DatapathAgent b = DatapathAgent.start(
                    TestAgents.settings("esx-11", 0, controllers, IP_B, 0, 4789, "slot = \"b\"\n" + down));
            try (a;
                    b) {
                Map<String, OfConnection> byDesc = new HashMap<>();
                for (int i = 0; i < 2; i++) {
                    OfConnection c = ctl.awaitConnection();
                    byDesc.put(c.switchInfo().orElseThrow().dpDesc(), c);
                }
                OfConnection toA = byDesc.get(a.description());
                OfConnection toB = byDesc.get(b.description());
                TrunkPortMods.becomeMaster(toA, 1);
                TrunkPortMods.becomeMaster(toB, 1);
                // a active; then over to b and back: each time the old one down (barrier) before the new one up
                TrunkPortMods.setTrunk(ctl, toA, a, true);
                for (int i = 0; i < 2; i++) {
                    TrunkPortMods.setTrunk(ctl, toA, a, false);
                    TrunkPortMods.setTrunk(ctl, toB, b, true);
                    TrunkPortMods.setTrunk(ctl, toB, b, false);
                    TrunkPortMods.setTrunk(ctl, toA, a, true);
                }
            }
            List<long[]> upA = upIntervals(transitions("esx-11", "a"));
            List<long[]> upB = upIntervals(transitions("esx-11", "b"));
            assertThat(upA).hasSize(3);
            assertThat(upB).hasSize(2);
            for (long[] x : upA) {
                for (long[] y : upB) {
                    assertThat(x[1] < y[0] || y[1] < x[0])
                            .as("a up %d..%d, b up %d..%d", x[0], x[1], y[0], y[1])
                            .isTrue();
                }
            }
        }
    }

    /** [from, to] of each up-interval; every agent here was closed, so each ends. */
    private static List<long[]> upIntervals(List<Transition> transitions) {
        List<long[]> out = new java.util.ArrayList<>();
        Long from = null;
        for (Transition t : transitions) {
            if (t.up() && from == null) {
                from = t.atNanos();
            } else if (!t.up() && from != null) {
                out.add(new long[] {from, t.atNanos()});
                from = null;
            }
        }
        assertThat(from).as("an interval left open").isNull();
        return out;
    }
}
