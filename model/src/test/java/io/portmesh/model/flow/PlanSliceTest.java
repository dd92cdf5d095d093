package io.portmesh.model.flow;

import static io.portmesh.model.flow.FlowCompilerTest.BLUE;
import static io.portmesh.model.flow.FlowCompilerTest.HOST_B;
import static io.portmesh.model.flow.FlowCompilerTest.HOST_C;
import static io.portmesh.model.flow.FlowCompilerTest.M1;
import static io.portmesh.model.flow.FlowCompilerTest.M2;
import static io.portmesh.model.flow.FlowCompilerTest.RED;
import static io.portmesh.model.flow.FlowCompilerTest.local;
import static io.portmesh.model.flow.FlowCompilerTest.remote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.VlanId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link PlanSlice} against its oracle, {@link FlowCompiler#compileWithConflicts}: after every change the slice holds
 * exactly the compiled plan of the same ports and lists the same conflicts, and the diff it returned is exactly what
 * brings the previous plan to it. Random changes are {@link PlanSlicePropertyTest}'s.
 */
class PlanSliceTest {
    private static final HostId HOST = HostId.of("a");
    private static final Mac M4 = Mac.parse("52:54:00:00:00:04");
    private static final Mac M5 = Mac.parse("52:54:00:00:00:05");

    /** The model the slice must match: local ports and remote members by port id. */
    private final List<HostView.LocalPort> locals = new ArrayList<>();

    private final Map<PortId, HostView.RemotePort> remotes = new LinkedHashMap<>();
    private final PlanSlice slice = new PlanSlice(HOST, BLUE);
    private FlowPlan current = FlowPlan.EMPTY;

    @Test
    void aNewRemoteHostChangesItsUnicastFlowAndTheOneFloodGroup() {
        locals.add(local("p1", M1, BLUE, 1));
        locals.add(local("p2", M2, BLUE, 2));
        check(slice.reset(locals, List.of()));
        HostView.RemotePort r4 = remote("p4", M4, BLUE, HOST_B);
        remotes.put(r4.port(), r4);

        FlowDiff first = slice.putRemote(r4);
        check(first);
        // the first remote host: one unicast flow, the first flood-to-tunnel group, and both local flood flows
        assertThat(first.addFlows()).hasSize(1);
        assertThat(first.addGroups()).hasSize(1);
        assertThat(first.modifyFlows()).hasSize(2);

        HostView.RemotePort r5 = remote("p5", M5, BLUE, HOST_C);
        remotes.put(r5.port(), r5);
        FlowDiff second = slice.putRemote(r5);
        check(second);
        assertThat(second.size())
                .as("a second host: its flow and the group's new bucket")
                .isEqualTo(2);
        assertThat(second.modifyGroups()).hasSize(1);
    }

    @Test
    void hostsCrossingAFloodGroupBoundaryAddAndRemoveTheSecondGroup() {
        locals.add(local("p1", M1, BLUE, 1));
        locals.add(local("p2", M2, BLUE, 2));
        check(slice.reset(locals, List.of()));
        int hosts = FlowCompiler.REMOTE_HOSTS_PER_GROUP + 3;
        for (int i = 0; i < hosts; i++) {
            // added in reverse address order, so that every new host shifts the others between groups
            HostView.RemotePort r = new HostView.RemotePort(
                    PortId.of("r" + i), new Mac(0x0600_0000_0000L | i), BLUE, new Ipv4(0x0B00_0000 | (hosts - i)));
            remotes.put(r.port(), r);
            check(slice.putRemote(r));
        }
        // flood from the tunnel, two flood-to-tunnel chunks, flood from the trunk for each of the two local ports
        assertThat(current.groups()).hasSize(5);
        for (int i = 0; i < hosts; i++) {
            PortId id = PortId.of("r" + i);
            remotes.remove(id);
            check(slice.removeRemote(id));
        }
    }

    @Test
    void unchangedEntriesKeepTheirInstances() {
        startWithP1AndRemoteP4();
        FlowPlan before = slice.plan();

        HostView.RemotePort r5 = remote("p5", M5, BLUE, HOST_B);
        remotes.put(r5.port(), r5);
        check(slice.putRemote(r5));
        check(slice.reset(locals, remotes.values())); // a full recompile keeps them too

        FlowPlan after = slice.plan();
        before.flows().forEach((key, flow) -> assertThat(after.flows().get(key)).isSameAs(flow));
        before.groups()
                .forEach((id, group) -> assertThat(after.groups().get(id)).isSameAs(group));
    }

    @Test
    void remoteMembersWithoutALocalPortMakeNothingUntilOneIsBound() {
        HostView.RemotePort r4 = remote("p4", M4, BLUE, HOST_B);
        remotes.put(r4.port(), r4);
        assertThat(slice.putRemote(r4).isEmpty()).isTrue();
        assertThat(slice.isEmpty()).isTrue();

        locals.add(local("p1", M1, BLUE, 1));
        check(slice.reset(locals, remotes.values()));
        assertThat(slice.isEmpty()).isFalse();
    }

    @Test
    void aMacLocalAndRemoteAtOnceKeepsTheLocalPortAndComesBackWhenItIsUnbound() {
        // issue 15: a binding persisted here while its port stayed unbound, then the MAC bound on host B
        startWithP1AndRemoteP4();
        HostView.RemotePort elsewhere = remote("p9", M1, BLUE, HOST_C);
        remotes.put(elsewhere.port(), elsewhere);
        FlowDiff diff = slice.putRemote(elsewhere);
        check(diff);
        assertThat(diff.isEmpty()).as("the local port keeps the MAC's flow").isTrue();
        assertThat(slice.conflicts())
                .containsExactly(new Conflict(Conflict.Kind.REMOTE_MAC_LOCAL, BLUE, PortId.of("p9"), PortId.of("p1")));
        check(slice.reset(locals, remotes.values())); // what a restart compiles again: the same, without a throw

        locals.clear(); // the stale binding goes: the member gets the MAC's flow
        check(slice.reset(locals, remotes.values()));
        assertThat(slice.isEmpty()).isTrue(); // no local port left: nothing to install, and nothing in conflict
        locals.add(local("p2", M2, BLUE, 2));
        check(slice.reset(locals, remotes.values()));
        assertThat(slice.plan().flows().values()).anyMatch(f -> f.equals(FlowCompiler.remote(elsewhere)));
        assertThat(slice.conflictCount()).isZero();
    }

    @Test
    void aMacSharedByRemoteMembersGoesToTheSmallestPortIdAndBackWhenItLeaves() {
        startWithP1AndRemoteP4();
        HostView.RemotePort p3 = remote("p3", M4, BLUE, HOST_C);
        remotes.put(p3.port(), p3);
        check(slice.putRemote(p3));
        assertThat(slice.conflicts())
                .containsExactly(new Conflict(Conflict.Kind.REMOTE_MAC, BLUE, PortId.of("p4"), PortId.of("p3")));
        HostView.RemotePort p3Moved = remote("p3", M5, BLUE, HOST_C); // p3 takes another MAC: p4 has M4 again
        remotes.put(p3.port(), p3Moved);
        check(slice.putRemote(p3Moved));
        assertThat(slice.conflictCount()).isZero();
        remotes.put(p3.port(), p3);
        check(slice.putRemote(p3));
        remotes.remove(p3.port());
        check(slice.removeRemote(p3.port()));
        assertThat(slice.conflictCount()).isZero();
        check(slice.removeRemote(PortId.of("absent")));
    }

    @Test
    void portsOfAnotherVniAreIgnoredAndListedUntilRemoved() {
        HostView.RemotePort r4 = startWithP1AndRemoteP4();
        HostView.RemotePort red = remote("p9", M5, RED, HOST_C);
        assertThat(slice.putRemote(red).isEmpty()).isTrue();
        assertThat(slice.conflicts())
                .containsExactly(new Conflict(Conflict.Kind.OTHER_VNI, RED, PortId.of("p9"), null));
        check(slice.removeRemote(red.port()));
        assertThat(slice.conflictCount()).isZero();

        FlowDiff diff = slice.reset(List.of(locals.get(0), local("p8", M2, RED, 8)), List.of(r4, red));
        check(diff);
        assertThat(slice.conflicts())
                .extracting(Conflict::kind, Conflict::port)
                .containsExactly(
                        tuple(Conflict.Kind.OTHER_VNI, PortId.of("p8")),
                        tuple(Conflict.Kind.OTHER_VNI, PortId.of("p9")));
        assertThat(slice.conflictCount()).isEqualTo(2);
    }

    @Test
    void twoEntriesForOneMemberKeepOneUntilTheMemberIsGivenAgain() {
        HostView.RemotePort r4 = startWithP1AndRemoteP4();
        HostView.RemotePort other = remote("p4", M5, BLUE, HOST_C); // a larger MAC: r4 is kept
        check(slice.reset(locals, List.of(other, r4)), List.of(other, r4));
        assertThat(slice.conflicts())
                .containsExactly(new Conflict(Conflict.Kind.REMOTE_PORT_TWICE, BLUE, PortId.of("p4"), PortId.of("p4")));
        check(slice.putRemote(r4));
        assertThat(slice.conflictCount()).isZero();
    }

    @Test
    void aHostPastTheFloodLimitGetsItsUnicastFlowButNoBucketAndIsCountedWhileThere() {
        locals.add(local("p1", M1, BLUE, 1));
        for (int i = 0; i < FlowCompiler.MAX_FLOOD_HOSTS; i++) {
            HostView.RemotePort r = new HostView.RemotePort(
                    PortId.of("r" + i), new Mac(0x0600_0000_0000L + i), BLUE, new Ipv4(0x0A00_0001 + i));
            remotes.put(r.port(), r);
        }
        slice.reset(locals, remotes.values());
        assertThat(slice.conflictCount()).isZero();
        HostView.RemotePort past = remote("past", M5, BLUE, Ipv4.parse("200.0.0.1")); // the highest address
        remotes.put(past.port(), past);

        FlowDiff added = slice.putRemote(past);
        assertThat(added.addFlows()).containsExactly(FlowCompiler.remote(past));
        assertThat(added.size()).as("no group changes").isEqualTo(1);
        FlowCompiler.Compiled compiled =
                FlowCompiler.compileWithConflicts(new HostView(HOST, locals, List.copyOf(remotes.values())));
        assertThat(slice.plan()).isEqualTo(compiled.plan());
        assertThat(slice.conflicts())
                .isEqualTo(compiled.conflicts())
                .containsExactly(new Conflict(Conflict.Kind.FLOOD_LIMIT, BLUE, null, null));

        remotes.remove(past.port());
        assertThat(slice.removeRemote(past.port()).deleteFlows())
                .containsExactly(FlowCompiler.remote(past).key());
        assertThat(slice.conflictCount()).isZero();
    }

    @Test
    void aRemoteMemberStartingAndStoppingALiveMoveChangesItsFlowAndTheFloodGroupOnly() {
        HostView.RemotePort r4 = startWithP1AndRemoteP4();
        HostView.RemotePort toC = new HostView.RemotePort(r4.port(), M4, BLUE, HOST_B, HOST_C);
        remotes.put(r4.port(), toC);
        FlowDiff start = slice.putRemote(toC);
        check(start);
        assertThat(start.modifyFlows()).containsExactly(FlowCompiler.remote(toC));
        assertThat(start.modifyGroups())
                .extracting(GroupEntry::groupId)
                .containsExactly(FlowCompiler.GROUP_FLOOD_TO_TUNNEL | 100);
        assertThat(start.size()).isEqualTo(2);

        HostView.RemotePort onC = remote("p4", M4, BLUE, HOST_C); // activated: on C only, B leaves the flood
        remotes.put(r4.port(), onC);
        FlowDiff done = slice.putRemote(onC);
        check(done);
        assertThat(done.size()).isEqualTo(2);

        HostView.RemotePort backToB = new HostView.RemotePort(r4.port(), M4, BLUE, HOST_C, HOST_B); // a move back
        remotes.put(r4.port(), backToB);
        check(slice.putRemote(backToB));
        remotes.put(r4.port(), onC); // ... rolled back
        check(slice.putRemote(onC));
        remotes.remove(r4.port());
        check(slice.removeRemote(r4.port()));
        assertThat(slice.plan().groups()).doesNotContainKey(FlowCompiler.GROUP_FLOOD_TO_TUNNEL | 100);
    }

    @Test
    void aMoveToAHostWithOtherMembersAddsNoBucketAndStoppingItKeepsTheirs() {
        HostView.RemotePort r4 = startWithP1AndRemoteP4();
        HostView.RemotePort r5 = remote("p5", M5, BLUE, HOST_C);
        remotes.put(r5.port(), r5);
        check(slice.putRemote(r5));
        HostView.RemotePort toC = new HostView.RemotePort(r4.port(), M4, BLUE, HOST_B, HOST_C);
        remotes.put(r4.port(), toC);
        FlowDiff start = slice.putRemote(toC);
        check(start);
        assertThat(start.modifyFlows()).containsExactly(FlowCompiler.remote(toC));
        assertThat(start.size()).as("the flow only: C is flooded to already").isEqualTo(1);
        // an alsoTunnelIp equal to the tunnelIp is no move: the same entry as r4
        HostView.RemotePort same = new HostView.RemotePort(r4.port(), M4, BLUE, HOST_B, HOST_B);
        remotes.put(r4.port(), same);
        FlowDiff stop = slice.putRemote(same);
        check(stop);
        assertThat(stop.modifyFlows()).containsExactly(FlowCompiler.remote(r4));
        assertThat(stop.size()).isEqualTo(1);
        assertThat(slice.putRemote(r4).isEmpty()).isTrue();
    }

    @Test
    void aMovingMemberThatLosesItsMacStopsFloodingToBothHostsAndGetsThemBack() {
        startWithP1AndRemoteP4();
        HostView.RemotePort p7 = new HostView.RemotePort(PortId.of("p7"), M5, BLUE, HOST_C, Ipv4.parse("10.0.0.9"));
        remotes.put(p7.port(), p7);
        check(slice.putRemote(p7));
        HostView.RemotePort p3 = remote("p3", M5, BLUE, HOST_B); // a smaller port id takes M5 (rule 6)
        remotes.put(p3.port(), p3);
        FlowDiff lost = slice.putRemote(p3);
        check(lost);
        assertThat(slice.conflicts())
                .containsExactly(new Conflict(Conflict.Kind.REMOTE_MAC, BLUE, PortId.of("p7"), PortId.of("p3")));
        remotes.remove(p3.port());
        check(slice.removeRemote(p3.port()));
        assertThat(slice.conflictCount()).isZero();
    }

    @Test
    void aLocalPortGainingATwinByResetFloodsToTheTwinAndArrivingAddsActivationFlows() {
        HostView.RemotePort r4 = startWithP1AndRemoteP4();
        locals.add(local("p9", M5, BLUE, 9));
        check(slice.reset(locals, remotes.values()));

        locals.set(1, new HostView.LocalPort(PortId.of("p9"), M5, BLUE, new VlanId(9), HOST_C, true));
        FlowDiff arriving = slice.reset(locals, remotes.values());
        check(arriving);
        assertThat(arriving.addFlows())
                .extracting(FlowEntry::cookie)
                .containsOnly(Cookies.cookie(Cookies.ACTIVATE, 9))
                .hasSize(2);
        assertThat(slice.plan()
                        .groups()
                        .get(FlowCompiler.GROUP_FLOOD_TO_TUNNEL | 100)
                        .buckets())
                .hasSize(2); // B for p4, C for the twin

        // members come and go while the twin stays: the twin keeps C in the flood
        HostView.RemotePort r6 = remote("p6", Mac.parse("52:54:00:00:00:06"), BLUE, HOST_C);
        remotes.put(r6.port(), r6);
        FlowDiff sameHost = slice.putRemote(r6);
        check(sameHost);
        assertThat(sameHost.size()).isEqualTo(1);
        remotes.remove(r6.port());
        check(slice.removeRemote(r6.port()));
        remotes.remove(r4.port());
        check(slice.removeRemote(r4.port())); // B leaves, C stays
        HostView.RemotePort toTwin = new HostView.RemotePort(r4.port(), M4, BLUE, HOST_B, HOST_C);
        remotes.put(r4.port(), toTwin);
        check(slice.putRemote(toTwin));

        locals.set(1, local("p9", M5, BLUE, 9)); // the move over: the twin and activation flows go
        check(slice.reset(locals, remotes.values()));
        remotes.put(r4.port(), r4);
        check(slice.putRemote(r4));
        assertThat(slice.plan()
                        .groups()
                        .get(FlowCompiler.GROUP_FLOOD_TO_TUNNEL | 100)
                        .buckets())
                .hasSize(1);
    }

    /** Local port p1 and remote member p4 (on host B), compiled from scratch. */
    private HostView.RemotePort startWithP1AndRemoteP4() {
        locals.add(local("p1", M1, BLUE, 1));
        HostView.RemotePort r4 = remote("p4", M4, BLUE, HOST_B);
        remotes.put(r4.port(), r4);
        check(slice.reset(locals, remotes.values()));
        return r4;
    }

    /**
     * The slice equals a fresh compile of the model, conflicts included, and {@code diff} is what takes the previous
     * plan there.
     */
    private void check(FlowDiff diff) {
        check(diff, List.copyOf(remotes.values()));
    }

    /** {@link #check(FlowDiff)} when the slice was last given {@code given} (which may name a member twice). */
    private void check(FlowDiff diff, List<HostView.RemotePort> given) {
        FlowCompiler.Compiled compiled = FlowCompiler.compileWithConflicts(new HostView(HOST, locals, given));
        FlowPlan expected = compiled.plan();
        assertThat(slice.plan()).isEqualTo(expected);
        assertThat(slice.conflicts().stream()
                        .filter(c -> c.kind() != Conflict.Kind.OTHER_VNI)
                        .toList())
                .isEqualTo(compiled.conflicts());
        assertThat(slice.flowCount()).isEqualTo(expected.flows().size());
        assertThat(apply(current, diff)).isEqualTo(expected);
        assertSameChanges(diff, expected.diffFrom(current));
        current = expected;
    }

    /** What a switch holding {@code plan} holds after {@code diff}. */
    private static FlowPlan apply(FlowPlan plan, FlowDiff diff) {
        Map<FlowEntry.FlowKey, FlowEntry> flows = new HashMap<>(plan.flows());
        Map<Integer, GroupEntry> groups = new HashMap<>(plan.groups());
        diff.addGroups().forEach(g -> assertThat(groups.put(g.groupId(), g)).isNull());
        diff.modifyGroups().forEach(g -> assertThat(groups.put(g.groupId(), g)).isNotNull());
        diff.addFlows().forEach(f -> assertThat(flows.put(f.key(), f)).isNull());
        diff.modifyFlows().forEach(f -> assertThat(flows.put(f.key(), f)).isNotNull());
        diff.deleteFlows().forEach(k -> assertThat(flows.remove(k)).isNotNull());
        diff.deleteGroups().forEach(id -> assertThat(groups.remove(id)).isNotNull());
        return new FlowPlan(flows, groups);
    }

    private static void assertSameChanges(FlowDiff actual, FlowDiff expected) {
        assertThat(actual.addGroups()).containsExactlyInAnyOrderElementsOf(expected.addGroups());
        assertThat(actual.modifyGroups()).containsExactlyInAnyOrderElementsOf(expected.modifyGroups());
        assertThat(actual.addFlows()).containsExactlyInAnyOrderElementsOf(expected.addFlows());
        assertThat(actual.modifyFlows()).containsExactlyInAnyOrderElementsOf(expected.modifyFlows());
        assertThat(actual.deleteFlows()).containsExactlyInAnyOrderElementsOf(expected.deleteFlows());
        assertThat(actual.deleteGroups()).containsExactlyInAnyOrderElementsOf(expected.deleteGroups());
    }
}
