package io.portmesh.model.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.Mac;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link FlowPlan#of} and {@link FlowPlan#union} are total: entries with one key are resolved, never refused. */
class FlowPlanTest {
    private static final FlowMatch MATCH =
            FlowMatch.builder().ethDst(Mac.parse("52:54:00:00:00:01")).build();
    private static final FlowEntry LOW = flow(Cookies.cookie(Cookies.LOCAL, 1), 1);
    private static final FlowEntry HIGH = flow(Cookies.cookie(Cookies.REMOTE, 1), 2);
    private static final FlowEntry HIGH_OTHER_OUTPUT = flow(Cookies.cookie(Cookies.REMOTE, 1), 3);
    private static final GroupEntry G1 = group(7, 1);
    private static final GroupEntry G2 = group(7, 2);

    @Test
    void twoFlowsWithOneKeyKeepTheSmallerCookieWhateverTheirOrder() {
        List<Object> leftOut = new ArrayList<>();
        FlowPlan a = FlowPlan.of(List.of(LOW, HIGH), List.of(), leftOut::add);
        FlowPlan b = FlowPlan.of(List.of(HIGH, LOW), List.of(), leftOut::add);
        assertThat(a).isEqualTo(b);
        assertThat(a.flows()).containsExactly(java.util.Map.entry(LOW.key(), LOW));
        assertThat(leftOut).containsExactly(HIGH, HIGH);
    }

    @Test
    void equalCookiesFallBackToTheInstructionsAndEqualEntriesAreOne() {
        List<Object> leftOut = new ArrayList<>();
        FlowPlan a = FlowPlan.of(List.of(HIGH_OTHER_OUTPUT, HIGH, HIGH), List.of(G2, G1, G1), leftOut::add);
        assertThat(a.flows().values()).containsExactly(HIGH);
        assertThat(a.groups().values()).containsExactly(G1);
        assertThat(leftOut).containsExactlyInAnyOrder(HIGH_OTHER_OUTPUT, G2);
        assertThat(FlowPlan.of(List.of(HIGH, HIGH_OTHER_OUTPUT), List.of(G1, G2)))
                .isEqualTo(a);
    }

    @Test
    void overlappingPartsAreResolvedNotRefused() {
        List<Object> leftOut = new ArrayList<>();
        FlowPlan union = FlowPlan.union(
                List.of(FlowPlan.of(List.of(HIGH), List.of(G2)), FlowPlan.of(List.of(LOW), List.of(G1))), leftOut::add);
        assertThat(union).isEqualTo(FlowPlan.of(List.of(LOW), List.of(G1)));
        assertThat(leftOut).containsExactlyInAnyOrder(HIGH, G2);
    }

    private static FlowEntry flow(long cookie, int port) {
        return new FlowEntry(
                FlowCompiler.TABLE_L2,
                FlowCompiler.PRIORITY_UNICAST,
                cookie,
                MATCH,
                List.of(Instruction.apply(Action.output(port))));
    }

    private static GroupEntry group(int id, int port) {
        return new GroupEntry(id, List.of(new GroupEntry.Bucket(List.of(Action.output(port)))));
    }
}
