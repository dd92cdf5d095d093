package io.portmesh.sharding.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.flow.Cookies;
import io.portmesh.model.flow.FlowDiff;
import io.portmesh.model.flow.FlowEntry;
import io.portmesh.model.flow.FlowPlan;
import io.portmesh.sharding.lswitch.SwitchMembers;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A host's straggler flows ({@link HostDepartures}, docs/architecture.md section 7.1 gap 4) as {@link HostPlan} makes
 * them: only for the source's end of an activated move, from the unbinding's own recompile until the grace's end,
 * never for a port bound here again, and none after a rebuild (a new incarnation of the host).
 */
class HostPlanDeparturesTest {
    static final String A = "10.0.0.1";
    static final String B = "10.0.0.2";
    static final String SW = "sw";
    static final int VNI = 100;
    static final String MAC_M = "52:54:00:00:05:01";
    static final String MAC_Q = "52:54:00:00:05:02";
    static final java.time.Duration GRACE = java.time.Duration.ofMillis(2_500);

    /** Host A with m (moving away) and q bound, holding the switch's members at {@code version}. */
    private static HostState hostA(boolean arriving) {
        return HostState.empty("a")
                .registered(A)
                .bound("m", new HostState.LocalBinding(MAC_M, SW, VNI, 10, arriving))
                .bound("q", new HostState.LocalBinding(MAC_Q, SW, VNI, 11));
    }

    /** The switch after the activation: m is bound on B only. */
    private static SwitchMembers activated(long version) {
        return new SwitchMembers(
                VNI,
                version,
                List.of(new SwitchMembers.Member("m", MAC_M, "b", B), new SwitchMembers.Member("q", MAC_Q, "a", A)));
    }

    private static long stragglers(FlowPlan plan) {
        return plan.flows().values().stream()
                .filter(f -> Cookies.rule(f.cookie()) == Cookies.STRAGGLER)
                .count();
    }

    private static List<FlowEntry> added(FlowDiff d, int rule) {
        return d.addFlows().stream()
                .filter(f -> Cookies.rule(f.cookie()) == rule)
                .toList();
    }

    @Test
    void theSourceLettingAMovedPortGoGetsItsStragglerFlowInTheSameChangeAndLosesItWhenTheGraceEnds() {
        HostPlan plan = new HostPlan();
        HostState before = hostA(false);
        plan.rebuild(before, Set.of(SW));
        plan.membersChanged(before, SW, activated(5));

        long token = plan.letGo(before, "m", GRACE);
        assertThat(token).isPositive();
        HostState after = before.unbound("m");
        FlowDiff letGo = plan.localsChanged(after, SW, VNI);
        assertThat(added(letGo, Cookies.STRAGGLER))
                .singleElement()
                .extracting(FlowEntry::hardTimeout)
                .as("the agent removes it by itself 1 s after the grace, rounded up")
                .isEqualTo(4);
        assertThat(stragglers(plan.full(x -> {}))).isEqualTo(1);

        // an earlier departure's timer ends nothing
        assertThat(plan.departureOver(after, "m", token - 1)).isNull();
        FlowDiff over = plan.departureOver(after, "m", token);
        assertThat(over.deleteFlows()).hasSize(1);
        assertThat(over.addFlows()).isEmpty();
        assertThat(stragglers(plan.full(x -> {}))).isZero();
        assertThat(plan.departureOver(after, "m", token)).as("ended once").isNull();
    }

    @Test
    void anArrivalTakenBackAndAPlainUnbindingMakeNoStragglerFlow() {
        HostPlan plan = new HostPlan();
        HostState arriving = hostA(true);
        plan.rebuild(arriving, Set.of(SW));
        plan.membersChanged(arriving, SW, activated(5));
        assertThat(plan.letGo(arriving, "m", GRACE))
                .as("the destination of a rolled-back move")
                .isNegative();

        HostPlan plain = new HostPlan();
        HostState notMoving = hostA(false);
        plain.rebuild(notMoving, Set.of(SW));
        plain.membersChanged(
                notMoving,
                SW,
                new SwitchMembers(
                        VNI,
                        5,
                        List.of(
                                new SwitchMembers.Member("m", MAC_M, "a", A),
                                new SwitchMembers.Member("q", MAC_Q, "a", A))));
        assertThat(plain.letGo(notMoving, "m", GRACE)).as("not moving").isNegative();
    }

    @Test
    void aPortBoundHereAgainOrANewIncarnationHasNoStragglerFlow() {
        HostPlan plan = new HostPlan();
        HostState before = hostA(false);
        plan.rebuild(before, Set.of(SW));
        plan.membersChanged(before, SW, activated(5));
        plan.letGo(before, "m", GRACE);
        HostState after = before.unbound("m");
        plan.localsChanged(after, SW, VNI);

        // m moves back here before the grace is over: its local flows decide, no frame for it goes back to B
        HostState back = after.bound("m", new HostState.LocalBinding(MAC_M, SW, VNI, 12, true));
        plan.localsChanged(back, SW, VNI);
        assertThat(stragglers(plan.full(x -> {}))).isZero();

        // the host entity's next incarnation rebuilds without departures: its whole-plan push deletes the flow
        plan.localsChanged(after, SW, VNI);
        assertThat(stragglers(plan.full(x -> {}))).isEqualTo(1);
        plan.rebuild(after, Set.of());
        assertThat(stragglers(plan.full(x -> {}))).isZero();
    }

    @Test
    void theLastPortOfASwitchLetGoKeepsItsStragglerFlowAlone() {
        HostPlan plan = new HostPlan();
        HostState before =
                HostState.empty("a").registered(A).bound("m", new HostState.LocalBinding(MAC_M, SW, VNI, 10, false));
        plan.rebuild(before, Set.of(SW));
        plan.membersChanged(
                before, SW, new SwitchMembers(VNI, 5, List.of(new SwitchMembers.Member("m", MAC_M, "b", B))));
        long token = plan.letGo(before, "m", GRACE);
        HostState after = before.unbound("m");
        plan.localsChanged(after, SW, VNI);
        FlowPlan full = plan.full(x -> {});
        assertThat(full.flows().values())
                .extracting(f -> Cookies.rule(f.cookie()))
                .containsExactlyInAnyOrder(Cookies.CLASSIFY_TUNNEL, Cookies.STRAGGLER);
        plan.departureOver(after, "m", token);
        assertThat(plan.full(x -> {}).flows()).isEmpty();
    }
}
