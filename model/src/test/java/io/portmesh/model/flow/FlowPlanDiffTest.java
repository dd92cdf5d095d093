package io.portmesh.model.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How a plan's diff changes a flow already on the switch: a modify for new instructions, an add (which replaces the
 * entry whole) for a new cookie or hard timeout, which an OpenFlow modify would leave as they were.
 */
class FlowPlanDiffTest {
    static final FlowMatch MATCH = FlowMatch.builder().build();
    static final List<Instruction> TO_1 = List.of(new Instruction.ApplyActions(List.of(new Action.Output(1))));
    static final List<Instruction> TO_2 = List.of(new Instruction.ApplyActions(List.of(new Action.Output(2))));

    private static FlowDiff change(FlowEntry have, FlowEntry want) {
        return FlowPlan.of(List.of(want), List.of()).diffFrom(FlowPlan.of(List.of(have), List.of()));
    }

    @Test
    void newInstructionsUnderTheSameCookieAreAModify() {
        FlowDiff d = change(new FlowEntry(1, 100, 7, MATCH, TO_1), new FlowEntry(1, 100, 7, MATCH, TO_2));
        assertThat(d.modifyFlows())
                .singleElement()
                .extracting(FlowEntry::instructions)
                .isEqualTo(TO_2);
        assertThat(d.addFlows()).isEmpty();
    }

    @Test
    void aNewCookieOrHardTimeoutIsAnAddThatReplacesTheEntryWhole() {
        FlowDiff cookie = change(new FlowEntry(1, 100, 7, MATCH, TO_1), new FlowEntry(1, 100, 8, MATCH, TO_2));
        assertThat(cookie.addFlows())
                .singleElement()
                .extracting(FlowEntry::cookie)
                .isEqualTo(8L);
        assertThat(cookie.modifyFlows()).isEmpty();
        assertThat(cookie.deleteFlows())
                .as("the add replaces it: no delete first")
                .isEmpty();

        FlowDiff timeout = change(new FlowEntry(1, 100, 7, MATCH, TO_1), new FlowEntry(1, 100, 7, MATCH, TO_1, 4));
        assertThat(timeout.addFlows())
                .singleElement()
                .extracting(FlowEntry::hardTimeout)
                .isEqualTo(4);
        assertThat(timeout.modifyFlows()).isEmpty();
    }

    @Test
    void anEqualFlowIsNoChange() {
        FlowEntry same = new FlowEntry(1, 100, 7, MATCH, TO_1, 4);
        assertThat(change(same, new FlowEntry(1, 100, 7, MATCH, TO_1, 4)).size())
                .isZero();
    }

    @Test
    void aFlowThatOverridesAnotherIsInstalledFirstWhateverTheOrderOfTheWantedFlows() {
        // a live move's let-go on the source: the unicast flow turns remote (a new cookie: an add) and the straggler
        // flow above it comes in; wanted in the order that dropped frames in the gap (remote first)
        FlowMatch unicast = FlowMatch.builder()
                .ethDst(io.portmesh.model.Mac.parse("52:54:00:00:04:01"))
                .build();
        FlowMatch fromTunnel = FlowMatch.builder()
                .inPort(DatapathPorts.TUNNEL)
                .ethDst(io.portmesh.model.Mac.parse("52:54:00:00:04:01"))
                .build();
        FlowEntry local = new FlowEntry(FlowCompiler.TABLE_L2, FlowCompiler.PRIORITY_UNICAST, 7, unicast, TO_1);
        FlowEntry remote = new FlowEntry(FlowCompiler.TABLE_L2, FlowCompiler.PRIORITY_UNICAST, 8, unicast, TO_2);
        FlowEntry straggler =
                new FlowEntry(FlowCompiler.TABLE_L2, FlowCompiler.PRIORITY_STRAGGLER, 9, fromTunnel, TO_2, 4);
        FlowEntry classify = new FlowEntry(0, FlowCompiler.PRIORITY_CLASSIFY, 10, MATCH, TO_1);
        java.util.Map<FlowEntry.FlowKey, FlowEntry> want = new java.util.LinkedHashMap<>();
        for (FlowEntry e : List.of(classify, remote, straggler)) {
            want.put(e.key(), e);
        }

        FlowDiff d = FlowPlan.diff(want, java.util.Map.of(), java.util.Map.of(local.key(), local), java.util.Map.of());

        assertThat(d.addFlows())
                .as("later tables first, then higher priorities: the straggler before the flow it overrides")
                .containsExactly(straggler, remote, classify);
    }
}
