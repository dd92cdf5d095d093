package io.portmesh.model.flow;

import static io.portmesh.model.flow.FlowCompilerTest.BLUE;
import static io.portmesh.model.flow.FlowCompilerTest.HOST_B;
import static io.portmesh.model.flow.FlowCompilerTest.HOST_C;
import static io.portmesh.model.flow.FlowCompilerTest.M1;
import static io.portmesh.model.flow.FlowCompilerTest.local;
import static io.portmesh.model.flow.FlowCompilerTest.remote;
import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.HostId;
import io.portmesh.model.Mac;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link FlowPlan#sharing}: the same plan, made of the previous plan's objects wherever nothing changed. */
class FlowPlanSharingTest {
    private static final Mac M4 = Mac.parse("52:54:00:00:00:04");
    private static final Mac M5 = Mac.parse("52:54:00:00:00:05");

    private static FlowPlan compile(List<HostView.RemotePort> remotes) {
        return FlowCompiler.compile(new HostView(HostId.of("a"), List.of(local("p1", M1, BLUE, 1)), remotes));
    }

    @Test
    void keepsThePreviousInstancesOfUnchangedEntriesAndTheNewOnesOfChangedEntries() {
        FlowPlan before = compile(List.of(remote("p4", M4, BLUE, HOST_B)));
        FlowPlan fresh = compile(List.of(remote("p4", M4, BLUE, HOST_B), remote("p5", M5, BLUE, HOST_C)));

        FlowPlan shared = fresh.sharing(before);

        assertThat(shared).isEqualTo(fresh);
        assertThat(shared.diffFrom(before)).isEqualTo(fresh.diffFrom(before));
        int reused = 0;
        int renewed = 0;
        for (var e : shared.flows().entrySet()) {
            FlowEntry old = before.flows().get(e.getKey());
            if (e.getValue().equals(old)) {
                assertThat(e.getValue()).isSameAs(old);
                reused++;
            } else {
                assertThat(e.getValue()).isSameAs(fresh.flows().get(e.getKey()));
                renewed++;
            }
        }
        for (var e : shared.groups().entrySet()) {
            GroupEntry old = before.groups().get(e.getKey());
            assertThat(e.getValue())
                    .isSameAs(e.getValue().equals(old) ? old : fresh.groups().get(e.getKey()));
        }
        assertThat(reused).as("flows unchanged by the new member").isPositive();
        assertThat(renewed).as("the new member's flow").isPositive();
    }

    @Test
    void anEmptyPreviousPlanSharesNothing() {
        FlowPlan fresh = compile(List.of(remote("p4", M4, BLUE, HOST_B)));
        assertThat(fresh.sharing(FlowPlan.EMPTY)).isSameAs(fresh);
    }
}
