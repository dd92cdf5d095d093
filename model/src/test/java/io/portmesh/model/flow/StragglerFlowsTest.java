package io.portmesh.model.flow;

import static io.portmesh.model.flow.FlowCompilerTest.BLUE;
import static io.portmesh.model.flow.FlowCompilerTest.HOST_B;
import static io.portmesh.model.flow.FlowCompilerTest.HOST_C;
import static io.portmesh.model.flow.FlowCompilerTest.M1;
import static io.portmesh.model.flow.FlowCompilerTest.M9;
import static io.portmesh.model.flow.FlowCompilerTest.RED;
import static io.portmesh.model.flow.FlowCompilerTest.local;
import static io.portmesh.model.flow.FlowCompilerTest.remote;
import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.HostId;
import io.portmesh.model.PortId;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The straggler flow of a port the source let go of after its live move (docs/architecture.md section 7.1, {@link
 * MoveFlows#straggler}): what a peer sent to the source before it was re-pointed, and what reaches the source from the
 * tunnel only after it let the port go, is sent on to the destination instead of meeting the remote member's flow,
 * which cannot send it back into the tunnel.
 */
class StragglerFlowsTest {
    static final HostView.DepartedPort M9_TO_B = new HostView.DepartedPort(PortId.of("p9"), M9, BLUE, HOST_B, 3);

    /** From the tunnel for M9 in BLUE: the straggler flow's key. */
    static final FlowEntry.FlowKey STRAGGLER_KEY = new FlowEntry.FlowKey(
            FlowCompiler.TABLE_L2,
            FlowCompiler.PRIORITY_STRAGGLER,
            FlowMatch.builder()
                    .inPort(DatapathPorts.TUNNEL)
                    .metadata(BLUE.value(), FlowCompiler.VNI_METADATA_MASK)
                    .ethDst(M9)
                    .build());

    static HostView view(
            List<HostView.LocalPort> locals, List<HostView.RemotePort> remotes, List<HostView.DepartedPort> gone) {
        return new HostView(HostId.of("a"), locals, remotes, gone);
    }

    @Test
    void aPortLetGoAfterItsMoveSendsWhatComesFromTheTunnelForItOnToItsNewHostAboveTheRemoteMembersFlow() {
        HostView.LocalPort p1 = local("p1", M1, BLUE, 1);
        HostView.RemotePort m9OnB = remote("p9", M9, BLUE, HOST_B);
        FlowPlan plan = FlowCompiler.compile(view(List.of(p1), List.of(m9OnB), List.of(M9_TO_B)));

        FlowEntry straggler = plan.flows().get(STRAGGLER_KEY);
        assertThat(straggler).as("straggler flow").isNotNull();
        assertThat(straggler.instructions())
                .containsExactly(Instruction.apply(
                        new Action.SetTunnelId(BLUE.value()),
                        new Action.SetTunnelDst(HOST_B),
                        new Action.Output(DatapathPorts.IN_PORT)));
        assertThat(Cookies.rule(straggler.cookie())).isEqualTo(Cookies.STRAGGLER);
        // the switch removes it by itself after the departed port's lifetime, reached by a controller or not
        assertThat(straggler.hardTimeout()).isEqualTo(3);
        assertThat(plan.flows().values())
                .filteredOn(f -> f != straggler)
                .allSatisfy(f -> assertThat(f.hardTimeout()).isZero());
        assertThat(FlowCompiler.PRIORITY_STRAGGLER).isGreaterThan(FlowCompiler.PRIORITY_UNICAST);
        // frames from this host's own trunk keep the remote member's flow (into the tunnel, not IN_PORT)
        assertThat(plan.flows().get(FlowCompiler.unicastKey(BLUE, M9)).instructions())
                .containsExactly(Instruction.apply(
                        new Action.SetTunnelId(BLUE.value()),
                        new Action.SetTunnelDst(HOST_B),
                        new Action.Output(DatapathPorts.TUNNEL)));
        // the grace over: the view has no departed port, the plan no straggler flow, nothing else changes
        FlowPlan after = FlowCompiler.compile(view(List.of(p1), List.of(m9OnB), List.of()));
        assertThat(after.flows()).doesNotContainKey(STRAGGLER_KEY);
        FlowDiff diff = after.diffFrom(plan);
        assertThat(diff.deleteFlows()).containsExactly(STRAGGLER_KEY);
        assertThat(diff.addFlows()).isEmpty();
        assertThat(diff.modifyFlows()).isEmpty();
    }

    @Test
    void aPortLetGoFromASwitchWithNoOtherPortHereKeepsOnlyTheTunnelClassifierAndTheStragglerFlow() {
        FlowPlan plan =
                FlowCompiler.compile(view(List.of(), List.of(remote("p4", M1, BLUE, HOST_C)), List.of(M9_TO_B)));
        // without its classifier nothing from the tunnel would reach table 1; no member flow, no flood: only stragglers
        assertThat(plan.flows().values())
                .extracting(f -> Cookies.rule(f.cookie()))
                .containsExactlyInAnyOrder(Cookies.CLASSIFY_TUNNEL, Cookies.STRAGGLER);
        assertThat(plan.groups()).isEmpty();
        assertThat(FlowCompiler.compile(view(List.of(), List.of(), List.of())).flows())
                .isEmpty();
    }

    @Test
    void aPortBoundHereAgainHasNoStragglerFlowItsLocalFlowsDecide() {
        // moved back here (arriving, twin B) before this host's grace for it was over: no frame goes back to B
        HostView.LocalPort back =
                new HostView.LocalPort(PortId.of("p9"), M9, BLUE, new io.portmesh.model.VlanId(7), HOST_B, true);
        FlowPlan plan = FlowCompiler.compile(view(List.of(back), List.of(), List.of(M9_TO_B)));
        assertThat(plan.flows()).doesNotContainKey(STRAGGLER_KEY);
        assertThat(plan.flows().get(FlowCompiler.unicastKey(BLUE, M9)).instructions())
                .containsExactly(Instruction.apply(
                        new Action.PushVlan(), new Action.SetVlanVid(7), new Action.Output(DatapathPorts.TRUNK)));
        // another port holding the MAC here wins the same way
        FlowPlan other = FlowCompiler.compile(view(List.of(local("p1", M9, BLUE, 1)), List.of(), List.of(M9_TO_B)));
        assertThat(other.flows()).doesNotContainKey(STRAGGLER_KEY);
    }

    @Test
    void departedPortsAreKeptOnePerMacWhateverTheOrderAndEachVniApart() {
        HostView.DepartedPort toC = new HostView.DepartedPort(PortId.of("p8"), M9, BLUE, HOST_C, 3);
        HostView.DepartedPort red = new HostView.DepartedPort(PortId.of("p9"), M9, RED, HOST_C, 3);
        HostView.LocalPort p1 = local("p1", M1, BLUE, 1);
        FlowPlan one = FlowCompiler.compile(view(List.of(p1), List.of(), List.of(M9_TO_B, toC, red)));
        FlowPlan two = FlowCompiler.compile(view(List.of(p1), List.of(), List.of(red, toC, M9_TO_B)));
        assertThat(one).isEqualTo(two);
        // p8 before p9: its destination
        assertThat(one.flows().get(STRAGGLER_KEY).instructions().get(0))
                .isEqualTo(Instruction.apply(
                        new Action.SetTunnelId(BLUE.value()),
                        new Action.SetTunnelDst(HOST_C),
                        new Action.Output(DatapathPorts.IN_PORT)));
        // RED carries no local port: its classifier and its straggler flow, nothing of BLUE's
        assertThat(one.flows().values())
                .filteredOn(f -> Cookies.rule(f.cookie()) == Cookies.STRAGGLER)
                .hasSize(2);
        assertThat(view(List.of(p1), List.of(), List.of(M9_TO_B, red))
                        .slice(RED)
                        .departedPorts())
                .containsExactly(red);
    }

    @Test
    void aSliceResetWithDepartedPortsEqualsTheCompilerAndKeepsTheStragglerFlowThroughMemberChanges() {
        HostView.LocalPort p1 = local("p1", M1, BLUE, 1);
        HostView.RemotePort m9OnB = remote("p9", M9, BLUE, HOST_B);
        PlanSlice slice = new PlanSlice(HostId.of("a"), BLUE);
        slice.reset(List.of(p1), List.of(m9OnB), List.of(M9_TO_B));
        assertThat(slice.plan()).isEqualTo(FlowCompiler.compile(view(List.of(p1), List.of(m9OnB), List.of(M9_TO_B))));
        // the member moves on (B -> C): its own flow changes, the straggler flow stays until the next reset
        HostView.RemotePort m9OnC = remote("p9", M9, BLUE, HOST_C);
        FlowDiff moved = slice.putRemote(m9OnC);
        assertThat(moved.deleteFlows()).doesNotContain(STRAGGLER_KEY);
        assertThat(slice.plan()).isEqualTo(FlowCompiler.compile(view(List.of(p1), List.of(m9OnC), List.of(M9_TO_B))));
        // the grace over: reset without it deletes exactly the straggler flow
        FlowDiff over = slice.reset(List.of(p1), List.of(m9OnC), List.of());
        assertThat(over.deleteFlows()).containsExactly(STRAGGLER_KEY);
        assertThat(over.addFlows()).isEmpty();
        // a slice with departed ports only is not empty (its host keeps it), and empty once they are gone
        PlanSlice alone = new PlanSlice(HostId.of("a"), BLUE);
        alone.reset(List.of(), List.of(), List.of(M9_TO_B));
        assertThat(alone.isEmpty()).isFalse();
        assertThat(alone.conflictCount()).isZero();
        alone.reset(List.of(), List.of(), List.of());
        assertThat(alone.isEmpty()).isTrue();
    }
}
