package io.portmesh.model.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.VlanId;
import io.portmesh.model.Vni;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FlowCompilerTest {
    static final Vni BLUE = new Vni(100);
    static final Vni RED = new Vni(200);
    static final Mac M1 = Mac.parse("52:54:00:00:00:01");
    static final Mac M2 = Mac.parse("52:54:00:00:00:02");
    static final Ipv4 HOST_B = Ipv4.parse("192.168.0.2");
    static final Ipv4 HOST_C = Ipv4.parse("192.168.0.3");

    static HostView.LocalPort local(String id, Mac mac, Vni vni, int vlan) {
        return new HostView.LocalPort(PortId.of(id), mac, vni, new VlanId(vlan));
    }

    static HostView.RemotePort remote(String id, Mac mac, Vni vni, Ipv4 tep) {
        return new HostView.RemotePort(PortId.of(id), mac, vni, tep);
    }

    /** Two switches on host A that reuse the same MAC: they must stay apart through the VNI in metadata. */
    static HostView view() {
        return new HostView(
                HostId.of("a"),
                List.of(local("p1", M1, BLUE, 1), local("p2", M2, BLUE, 2), local("p3", M1, RED, 3)),
                List.of(
                        remote("p4", Mac.parse("52:54:00:00:00:04"), BLUE, HOST_B),
                        remote("p5", Mac.parse("52:54:00:00:00:05"), BLUE, HOST_C),
                        remote("p6", Mac.parse("52:54:00:00:00:06"), new Vni(999), HOST_B)));
    }

    @Test
    void classifiesTrunkFramesByVlanAndSourceMacIntoTheSwitchVni() {
        FlowPlan plan = FlowCompiler.compile(view());
        FlowMatch m = FlowMatch.builder()
                .inPort(DatapathPorts.TRUNK)
                .vlanVid(3)
                .ethSrc(M1)
                .build();
        FlowEntry e = plan.flows().get(new FlowEntry.FlowKey(0, FlowCompiler.PRIORITY_CLASSIFY, m));
        assertThat(e).isNotNull();
        assertThat(e.instructions())
                .containsExactly(
                        Instruction.apply(new Action.PopVlan()),
                        new Instruction.WriteMetadata(200, FlowCompiler.VNI_METADATA_MASK),
                        new Instruction.GotoTable(1));
        assertThat(Cookies.isPortmesh(e.cookie())).isTrue();
        assertThat(Cookies.rule(e.cookie())).isEqualTo(Cookies.CLASSIFY_TRUNK);
    }

    @Test
    void sameMacInTwoSwitchesGivesTwoDistinctL2Flows() {
        FlowPlan plan = FlowCompiler.compile(view());
        List<FlowEntry> toM1 = plan.flows().values().stream()
                .filter(f -> f.tableId() == 1
                        && M1.equals(f.match().ethDst())
                        && f.match().inPort() == null)
                .toList();
        assertThat(toM1).hasSize(2);
        assertThat(toM1.stream().map(f -> f.match().metadata()).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(100L, 200L);
        assertThat(toM1.stream().map(f -> f.instructions().get(0)).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(
                        Instruction.apply(new Action.PushVlan(), new Action.SetVlanVid(1), new Action.Output(1)),
                        Instruction.apply(new Action.PushVlan(), new Action.SetVlanVid(3), new Action.Output(1)));
    }

    @Test
    void remoteMacsGoToTheirHostsTunnelEndpointAndOnlyForLocalSwitches() {
        FlowPlan plan = FlowCompiler.compile(view());
        List<FlowEntry> remotes = plan.flows().values().stream()
                .filter(f -> Cookies.rule(f.cookie()) == Cookies.REMOTE)
                .toList();
        assertThat(remotes).hasSize(2); // p6 is in VNI 999, which has no port on host A
        FlowEntry toP4 = remotes.stream()
                .filter(f -> f.match().ethDst().equals(Mac.parse("52:54:00:00:00:04")))
                .findFirst()
                .orElseThrow();
        assertThat(toP4.instructions())
                .containsExactly(Instruction.apply(
                        new Action.SetTunnelId(100), new Action.SetTunnelDst(HOST_B), new Action.Output(2)));
    }

    @Test
    void floodFromTrunkReachesOtherLocalPortsAndEveryRemoteHostButNeverTheSender() {
        FlowPlan plan = FlowCompiler.compile(view());
        GroupEntry fromP1 = plan.groups().get(FlowCompiler.GROUP_FLOOD_FROM_TRUNK | 1);
        assertThat(fromP1.buckets())
                .containsExactly(new GroupEntry.Bucket(List.of(
                        new Action.PushVlan(), new Action.SetVlanVid(2), new Action.Output(DatapathPorts.IN_PORT))));
        GroupEntry toRemotes = plan.groups().get(FlowCompiler.GROUP_FLOOD_TO_TUNNEL | 100);
        assertThat(toRemotes.buckets())
                .containsExactly(
                        new GroupEntry.Bucket(List.of(
                                new Action.SetTunnelId(100), new Action.SetTunnelDst(HOST_B), new Action.Output(2))),
                        new GroupEntry.Bucket(List.of(
                                new Action.SetTunnelId(100), new Action.SetTunnelDst(HOST_C), new Action.Output(2))));
        assertThat(floodActions(plan, 1))
                .containsExactly(
                        new Action.Group(FlowCompiler.GROUP_FLOOD_FROM_TRUNK | 1),
                        new Action.Group(FlowCompiler.GROUP_FLOOD_TO_TUNNEL | 100));
        GroupEntry fromP3 = plan.groups().get(FlowCompiler.GROUP_FLOOD_FROM_TRUNK | 3);
        assertThat(fromP3.buckets()).isEmpty(); // alone in RED, and no remote RED member
        assertThat(floodActions(plan, 3)).containsExactly(new Action.Group(FlowCompiler.GROUP_FLOOD_FROM_TRUNK | 3));
        assertThat(plan.groups()).doesNotContainKey(FlowCompiler.GROUP_FLOOD_TO_TUNNEL | 200);
    }

    @Test
    void remoteHostsAreSplitIntoGroupsThatEachFitAnOpenFlowMessage() {
        List<HostView.RemotePort> remotes = new java.util.ArrayList<>();
        for (int i = 0; i < 1100; i++) {
            remotes.add(
                    remote("r" + i, new Mac(0x0200_0000_0000L + i), BLUE, new Ipv4(0x0A00_0000 + i + 1))); // 10.0.x.y
        }
        FlowPlan plan = FlowCompiler.compile(new HostView(HostId.of("a"), List.of(local("p1", M1, BLUE, 1)), remotes));
        int first = FlowCompiler.GROUP_FLOOD_TO_TUNNEL | 100;
        int second = FlowCompiler.GROUP_FLOOD_TO_TUNNEL + (1 << 24) | 100;
        int third = FlowCompiler.GROUP_FLOOD_TO_TUNNEL + (2 << 24) | 100;
        assertThat(plan.groups().get(first).buckets()).hasSize(FlowCompiler.REMOTE_HOSTS_PER_GROUP);
        assertThat(plan.groups().get(second).buckets()).hasSize(FlowCompiler.REMOTE_HOSTS_PER_GROUP);
        assertThat(plan.groups().get(third).buckets()).hasSize(1100 - 2 * FlowCompiler.REMOTE_HOSTS_PER_GROUP);
        assertThat(floodActions(plan, 1))
                .containsExactly(
                        new Action.Group(FlowCompiler.GROUP_FLOOD_FROM_TRUNK | 1),
                        new Action.Group(first),
                        new Action.Group(second),
                        new Action.Group(third));
    }

    /** What adding one remote port to {@link #view()} changes. */
    private static FlowDiff diffAdding(HostView.RemotePort added) {
        HostView before = view();
        List<HostView.RemotePort> remotes = new java.util.ArrayList<>(before.remotePorts());
        remotes.add(added);
        HostView after = new HostView(before.host(), before.localPorts(), remotes);
        return FlowCompiler.compile(after).diffFrom(FlowCompiler.compile(before));
    }

    /** The actions of the flood-from-trunk flow of the local port with VLAN {@code vlan}. */
    private static List<Action> floodActions(FlowPlan plan, int vlan) {
        return plan.flows().values().stream()
                .filter(f -> f.cookie() == Cookies.cookie(Cookies.FLOOD_FROM_TRUNK, vlan))
                .flatMap(f -> f.instructions().stream())
                .flatMap(in -> ((Instruction.ApplyActions) in).actions().stream())
                .toList();
    }

    @Test
    void floodFromTunnelNeverGoesBackIntoTheTunnel() {
        FlowPlan plan = FlowCompiler.compile(view());
        GroupEntry blue = plan.groups().get(FlowCompiler.GROUP_FLOOD_FROM_TUNNEL | 100);
        Set<Integer> outputs = blue.buckets().stream()
                .flatMap(b -> b.actions().stream())
                .filter(a -> a instanceof Action.Output)
                .map(a -> ((Action.Output) a).port())
                .collect(Collectors.toSet());
        assertThat(outputs).containsExactly(DatapathPorts.TRUNK);
        assertThat(blue.buckets()).hasSize(2);
    }

    @Test
    void compilingTheSameViewTwiceGivesAnEmptyDiff() {
        FlowPlan a = FlowCompiler.compile(view());
        FlowPlan b = FlowCompiler.compile(view());
        assertThat(b.diffFrom(a).isEmpty()).isTrue();
        assertThat(a.diffFrom(FlowPlan.EMPTY).size())
                .isEqualTo(a.flows().size() + a.groups().size());
    }

    @Test
    void aNewRemoteHostDiffsToOneFlowAndTheOneSharedGroupThatFloodsToRemoteHosts() {
        FlowDiff d = diffAdding(remote("p7", Mac.parse("52:54:00:00:00:07"), BLUE, Ipv4.parse("192.168.0.4")));
        assertThat(d.addFlows()).hasSize(1);
        assertThat(d.addFlows().get(0).match().ethDst()).isEqualTo(Mac.parse("52:54:00:00:00:07"));
        assertThat(d.modifyGroups())
                .extracting(GroupEntry::groupId)
                .containsExactly(FlowCompiler.GROUP_FLOOD_TO_TUNNEL | 100); // not one group per local port
        assertThat(d.modifyFlows()).isEmpty();
        assertThat(d.deleteFlows()).isEmpty();
        assertThat(d.addGroups()).isEmpty();
    }

    @Test
    void theFirstRemoteHostOfASwitchAddsItsSharedGroupAndPointsTheFloodFlowsAtIt() {
        FlowDiff d = diffAdding(remote("p7", Mac.parse("52:54:00:00:00:07"), RED, HOST_C));
        assertThat(d.addFlows()).hasSize(1);
        assertThat(d.addGroups())
                .extracting(GroupEntry::groupId)
                .containsExactly(FlowCompiler.GROUP_FLOOD_TO_TUNNEL | 200);
        assertThat(d.modifyFlows())
                .extracting(FlowEntry::cookie)
                .containsExactly(Cookies.cookie(Cookies.FLOOD_FROM_TRUNK, 3));
        assertThat(d.modifyGroups()).isEmpty();
    }

    @Test
    void unbindingTheLastPortOfASwitchRemovesAllItsFlowsAndGroups() {
        HostView before = view();
        HostView after = new HostView(before.host(), before.localPorts().subList(0, 2), before.remotePorts());
        FlowDiff d = FlowCompiler.compile(after).diffFrom(FlowCompiler.compile(before));
        assertThat(d.addFlows()).isEmpty();
        assertThat(d.deleteGroups())
                .containsExactlyInAnyOrder(
                        FlowCompiler.GROUP_FLOOD_FROM_TRUNK | 3, FlowCompiler.GROUP_FLOOD_FROM_TUNNEL | 200);
        // classify trunk, local-from-trunk, local, flood-from-trunk for p3; classify tunnel and flood-from-tunnel for
        // RED
        assertThat(d.deleteFlows()).hasSize(6);
    }

    @Test
    void thePlanOfAViewIsTheUnionOfThePlansOfItsVniSlices() {
        HostView v = view();
        List<FlowPlan> slices = Set.of(BLUE, RED, new Vni(999)).stream()
                .map(vni -> FlowCompiler.compile(v.slice(vni)))
                .toList();
        FlowPlan whole = FlowCompiler.compile(v);
        assertThat(FlowPlan.union(slices)).isEqualTo(whole);
        assertThat(FlowCompiler.compile(v.slice(new Vni(999))).flows()).isEmpty(); // no local port in 999
        assertThat(whole.flows()).isNotEmpty();
    }

    // Conflicting views compile by the rules of FlowCompiler's description, and list what they left out.

    @Test
    void aLocalPortWinsOverARemoteMemberWithItsMac() {
        HostView.LocalPort p1 = local("p1", M1, BLUE, 1);
        HostView.RemotePort stale = remote("p9", M1, BLUE, HOST_B);
        HostView.RemotePort p5 = remote("p5", Mac.parse("52:54:00:00:00:05"), BLUE, HOST_C);
        FlowCompiler.Compiled c = compile(List.of(p1), List.of(stale, p5));
        assertThat(c.conflicts())
                .containsExactly(new Conflict(Conflict.Kind.REMOTE_MAC_LOCAL, BLUE, PortId.of("p9"), PortId.of("p1")));
        assertThat(c.plan()).isEqualTo(FlowCompiler.compile(view(List.of(p1), List.of(p5))));
        // host B had only the member left out: it is not flooded to
        assertThat(c.plan()
                        .groups()
                        .get(FlowCompiler.GROUP_FLOOD_TO_TUNNEL | 100)
                        .buckets())
                .hasSize(1);
        assertThat(c.conflicts().get(0).toString())
                .contains("p9")
                .contains("p1")
                .contains("VNI 100");
    }

    @Test
    void ofRemoteMembersSharingAMacTheSmallestPortIdWinsInAnyOrder() {
        Mac m = Mac.parse("52:54:00:00:00:04");
        HostView.RemotePort p4 = remote("p4", m, BLUE, HOST_B);
        HostView.RemotePort p7 = remote("p7", m, BLUE, HOST_C);
        HostView.RemotePort p8 = remote("p8", m, BLUE, HOST_C);
        List<HostView.LocalPort> locals = List.of(local("p1", M1, BLUE, 1));
        FlowCompiler.Compiled c = compile(locals, List.of(p8, p4, p7));
        assertThat(compile(locals, List.of(p7, p8, p4))).isEqualTo(c);
        assertThat(c.conflicts())
                .containsExactly(
                        new Conflict(Conflict.Kind.REMOTE_MAC, BLUE, PortId.of("p7"), PortId.of("p4")),
                        new Conflict(Conflict.Kind.REMOTE_MAC, BLUE, PortId.of("p8"), PortId.of("p4")));
        assertThat(c.plan()).isEqualTo(FlowCompiler.compile(view(locals, List.of(p4))));
    }

    @Test
    void ofLocalPortsSharingAMacOrAVlanTheSmallestPortIdKeepsItAndTheOtherIsLeftOutWhole() {
        HostView.LocalPort p1 = local("p1", M1, BLUE, 1);
        HostView.LocalPort p2 = local("p2", M2, BLUE, 2);
        HostView.LocalPort sameMac = local("p3", M1, BLUE, 3);
        HostView.LocalPort sameVlanOtherVni = local("p4", M2, RED, 2);
        HostView.RemotePort red = remote("p5", Mac.parse("52:54:00:00:00:05"), RED, HOST_B);
        FlowCompiler.Compiled c = compile(List.of(sameVlanOtherVni, sameMac, p2, p1), List.of(red));
        assertThat(c.conflicts())
                .containsExactly(
                        new Conflict(Conflict.Kind.LOCAL_MAC, BLUE, PortId.of("p3"), PortId.of("p1")),
                        new Conflict(Conflict.Kind.LOCAL_VLAN, RED, PortId.of("p4"), PortId.of("p2")));
        // RED has no port left here: it is not carried, and its member is not a conflict
        assertThat(c.plan()).isEqualTo(FlowCompiler.compile(view(List.of(p1, p2), List.of())));
    }

    @Test
    void twoDifferentEntriesForOneRemoteMemberKeepTheSmallerMac() {
        HostView.LocalPort p1 = local("p1", M1, BLUE, 1);
        HostView.RemotePort a = remote("p4", Mac.parse("52:54:00:00:00:04"), BLUE, HOST_C);
        HostView.RemotePort b = remote("p4", Mac.parse("52:54:00:00:00:05"), BLUE, HOST_B);
        FlowCompiler.Compiled c = compile(List.of(p1, p1), List.of(b, a, a));
        assertThat(c.conflicts())
                .containsExactly(new Conflict(Conflict.Kind.REMOTE_PORT_TWICE, BLUE, PortId.of("p4"), PortId.of("p4")));
        assertThat(c.plan()).isEqualTo(FlowCompiler.compile(view(List.of(p1), List.of(a))));
    }

    @Test
    void localPortsPastTheLimitOfASwitchAreLeftOut() {
        List<HostView.LocalPort> locals = new java.util.ArrayList<>();
        for (int i = 0; i <= FlowCompiler.MAX_LOCAL_PORTS_PER_SWITCH; i++) {
            locals.add(local(String.format("p%04d", i), new Mac(0x0200_0000_0000L + i), BLUE, 1 + i));
        }
        FlowCompiler.Compiled c = compile(locals, List.of());
        String last = String.format("p%04d", FlowCompiler.MAX_LOCAL_PORTS_PER_SWITCH);
        assertThat(c.conflicts()).containsExactly(new Conflict(Conflict.Kind.LOCAL_LIMIT, BLUE, PortId.of(last), null));
        assertThat(c.plan())
                .isEqualTo(FlowCompiler.compile(
                        view(locals.subList(0, FlowCompiler.MAX_LOCAL_PORTS_PER_SWITCH), List.of())));
    }

    @Test
    void aSwitchSpanningMoreHostsThanItsFloodGroupsHoldFloodsToTheFirstOnes() {
        List<HostView.RemotePort> remotes = new java.util.ArrayList<>();
        for (int i = 0; i <= FlowCompiler.MAX_FLOOD_HOSTS; i++) {
            remotes.add(remote("r" + i, new Mac(0x0200_0000_0000L + i), BLUE, new Ipv4(0x0A00_0001 + i)));
        }
        FlowCompiler.Compiled c = compile(List.of(local("p1", M1, BLUE, 1)), remotes);
        assertThat(c.conflicts()).containsExactly(new Conflict(Conflict.Kind.FLOOD_LIMIT, BLUE, null, null));
        long buckets = c.plan().groups().values().stream()
                .filter(g -> (g.groupId() & 0xFF_FFFF) == 100 && g.groupId() >>> 24 >= 3)
                .mapToLong(g -> g.buckets().size())
                .sum();
        assertThat(buckets).isEqualTo(FlowCompiler.MAX_FLOOD_HOSTS);
        assertThat(c.plan().flows().values().stream().filter(f -> Cookies.rule(f.cookie()) == Cookies.REMOTE))
                .hasSize(remotes.size()); // every member keeps its unicast flow
    }

    @Test
    void thePlanOfAViewDoesNotDependOnTheOrderOfItsPorts() {
        HostView v = view();
        List<HostView.LocalPort> locals = new java.util.ArrayList<>(v.localPorts());
        List<HostView.RemotePort> remotes = new java.util.ArrayList<>(v.remotePorts());
        java.util.Collections.reverse(locals);
        java.util.Collections.reverse(remotes);
        assertThat(FlowCompiler.compileWithConflicts(new HostView(v.host(), locals, remotes)))
                .isEqualTo(FlowCompiler.compileWithConflicts(v));
        assertThat(FlowCompiler.compileWithConflicts(v).conflicts()).isEmpty();
    }

    // A live move (docs/architecture.md section 7.1): port p9, MAC M9, moves from host A to host B in BLUE.

    static final Ipv4 HOST_A = Ipv4.parse("192.168.0.1");
    static final Mac M9 = Mac.parse("52:54:00:00:00:09");

    static HostView.LocalPort moving(String id, Mac mac, Vni vni, int vlan, Ipv4 twin, boolean arriving) {
        return new HostView.LocalPort(PortId.of(id), mac, vni, new VlanId(vlan), twin, arriving);
    }

    static HostView.RemotePort moving(String id, Mac mac, Vni vni, Ipv4 tep, Ipv4 alsoTep) {
        return new HostView.RemotePort(PortId.of(id), mac, vni, tep, alsoTep);
    }

    private static List<Action> toTunnel(Ipv4 tep) {
        return List.of(new Action.SetTunnelId(100), new Action.SetTunnelDst(tep), new Action.Output(2));
    }

    private static List<Action> applied(FlowPlan plan, FlowEntry.FlowKey key) {
        FlowEntry f = plan.flows().get(key);
        assertThat(f).as("flow %s", key).isNotNull();
        assertThat(f.instructions()).hasSize(1);
        return ((Instruction.ApplyActions) f.instructions().get(0)).actions();
    }

    /** The endpoints the flood-to-tunnel group (chunk 0) of BLUE sends to; empty when there is no such group. */
    private static List<Ipv4> floodedHosts(FlowPlan plan) {
        GroupEntry g = plan.groups().get(FlowCompiler.GROUP_FLOOD_TO_TUNNEL | 100);
        if (g == null) {
            return List.of();
        }
        return g.buckets().stream()
                .map(b -> ((Action.SetTunnelDst) b.actions().get(1)).ip())
                .toList();
    }

    private static FlowEntry.FlowKey fromTrunkKey(Mac mac) {
        return new FlowEntry.FlowKey(
                1,
                FlowCompiler.PRIORITY_LOCAL_FROM_TRUNK,
                FlowMatch.builder()
                        .inPort(DatapathPorts.TRUNK)
                        .metadata(100, FlowCompiler.VNI_METADATA_MASK)
                        .ethDst(mac)
                        .build());
    }

    private static List<FlowEntry> withRule(FlowPlan plan, int rule) {
        return plan.flows().values().stream()
                .filter(f -> Cookies.rule(f.cookie()) == rule)
                .toList();
    }

    @Test
    void aPeerSendsToAMovingMemberOnBothHostsAndFloodsToBoth() {
        HostView.LocalPort p1 = local("p1", M1, BLUE, 1);
        HostView.RemotePort p9 = moving("p9", M9, BLUE, HOST_A, HOST_B);
        FlowCompiler.Compiled c = compile(List.of(p1), List.of(p9));
        assertThat(c.conflicts()).isEmpty();
        assertThat(applied(c.plan(), FlowCompiler.unicastKey(BLUE, M9)))
                .containsExactly(
                        new Action.SetTunnelId(100),
                        new Action.SetTunnelDst(HOST_A),
                        new Action.Output(DatapathPorts.TUNNEL),
                        new Action.SetTunnelDst(HOST_B),
                        new Action.Output(DatapathPorts.TUNNEL));
        assertThat(c.plan()
                        .groups()
                        .get(FlowCompiler.GROUP_FLOOD_TO_TUNNEL | 100)
                        .buckets())
                .containsExactly(new GroupEntry.Bucket(toTunnel(HOST_A)), new GroupEntry.Bucket(toTunnel(HOST_B)));
        assertThat(floodActions(c.plan(), 1))
                .containsExactly(
                        new Action.Group(FlowCompiler.GROUP_FLOOD_FROM_TRUNK | 1),
                        new Action.Group(FlowCompiler.GROUP_FLOOD_TO_TUNNEL | 100));

        // the move done (p9 on B only): A, where nothing else is, leaves the flood; the flow goes to B only
        FlowPlan after = FlowCompiler.compile(view(List.of(p1), List.of(remote("p9", M9, BLUE, HOST_B))));
        assertThat(applied(after, FlowCompiler.unicastKey(BLUE, M9))).isEqualTo(toTunnel(HOST_B));
        assertThat(floodedHosts(after)).containsExactly(HOST_B);
        // the move rolled back (p9 on A only), with another member on B: B stays for it
        FlowPlan back = FlowCompiler.compile(
                view(List.of(p1), List.of(remote("p9", M9, BLUE, HOST_A), remote("p4", M2, BLUE, HOST_B))));
        assertThat(floodedHosts(back)).containsExactly(HOST_A, HOST_B);
    }

    @Test
    void anAlsoTunnelIpEqualToTheTunnelIpIsNoMove() {
        HostView.RemotePort same = moving("p9", M9, BLUE, HOST_A, HOST_A);
        assertThat(same).isEqualTo(remote("p9", M9, BLUE, HOST_A));
        assertThat(same.alsoTunnelIp()).isNull();
        assertThat(same.moving()).isFalse();
        FlowPlan plan = FlowCompiler.compile(view(List.of(local("p1", M1, BLUE, 1)), List.of(same)));
        assertThat(applied(plan, FlowCompiler.unicastKey(BLUE, M9))).isEqualTo(toTunnel(HOST_A));
        assertThat(floodedHosts(plan)).containsExactly(HOST_A);
    }

    @Test
    void aMovingMemberLeftOutFloodsToNeitherHost() {
        // its MAC is a local port's (rule 5), and another moving member loses its MAC to a smaller port id (rule 6)
        HostView.LocalPort p1 = local("p1", M1, BLUE, 1);
        HostView.RemotePort stale = moving("p8", M1, BLUE, HOST_A, HOST_B);
        HostView.RemotePort p2 = remote("p2", M9, BLUE, HOST_C);
        HostView.RemotePort loser = moving("p9", M9, BLUE, HOST_A, HOST_B);
        FlowCompiler.Compiled c = compile(List.of(p1), List.of(stale, p2, loser));
        assertThat(c.conflicts())
                .containsExactly(
                        new Conflict(Conflict.Kind.REMOTE_MAC_LOCAL, BLUE, PortId.of("p8"), PortId.of("p1")),
                        new Conflict(Conflict.Kind.REMOTE_MAC, BLUE, PortId.of("p9"), PortId.of("p2")));
        assertThat(floodedHosts(c.plan())).containsExactly(HOST_C);
        assertThat(c.plan()).isEqualTo(FlowCompiler.compile(view(List.of(p1), List.of(p2))));
    }

    @Test
    void theHostAMovingPortLeavesDeliversEveryFrameForItThenCopiesItToTheTwin() {
        HostView.LocalPort p1 = local("p1", M1, BLUE, 1);
        HostView.LocalPort leaving = moving("p9", M9, BLUE, 5, HOST_B, false);
        FlowPlan plan = FlowCompiler.compile(view(List.of(p1, leaving), List.of()));
        // back out of the trunk first, then untagged to the twin: the twin's copy leaves after the local one
        assertThat(applied(plan, fromTrunkKey(M9)))
                .containsExactly(
                        new Action.PushVlan(),
                        new Action.SetVlanVid(5),
                        new Action.Output(DatapathPorts.IN_PORT),
                        new Action.PopVlan(),
                        new Action.SetTunnelId(100),
                        new Action.SetTunnelDst(HOST_B),
                        new Action.Output(DatapathPorts.TUNNEL));
        // from the tunnel (any in_port, priority 100): the trunk, then back into the tunnel to the twin (the relay
        // through the source: peers send to this host only until the activation)
        assertThat(applied(plan, FlowCompiler.unicastKey(BLUE, M9)))
                .containsExactly(
                        new Action.PushVlan(),
                        new Action.SetVlanVid(5),
                        new Action.Output(DatapathPorts.TRUNK),
                        new Action.PopVlan(),
                        new Action.SetTunnelId(100),
                        new Action.SetTunnelDst(HOST_B),
                        new Action.Output(DatapathPorts.IN_PORT));
        assertThat(plan.flows().get(FlowCompiler.unicastKey(BLUE, M9)).cookie())
                .isEqualTo(Cookies.cookie(Cookies.LOCAL, 5));
        // the other local port is not moving: trunk only
        assertThat(applied(plan, fromTrunkKey(M1)))
                .containsExactly(
                        new Action.PushVlan(), new Action.SetVlanVid(1), new Action.Output(DatapathPorts.IN_PORT));
        // the twin is flooded to, from both local ports; flooding from the tunnel stays local
        assertThat(floodedHosts(plan)).containsExactly(HOST_B);
        assertThat(floodActions(plan, 1)).contains(new Action.Group(FlowCompiler.GROUP_FLOOD_TO_TUNNEL | 100));
        assertThat(floodActions(plan, 5)).contains(new Action.Group(FlowCompiler.GROUP_FLOOD_TO_TUNNEL | 100));
        assertThat(plan.groups().get(FlowCompiler.GROUP_FLOOD_FROM_TUNNEL | 100).buckets())
                .allSatisfy(b -> assertThat(b.actions()).doesNotContain(new Action.Output(DatapathPorts.TUNNEL)));
        assertThat(withRule(plan, Cookies.ACTIVATE)).isEmpty(); // leaving, not arriving

        // the move over: the twin leaves the flood, unless a member is there
        HostView.LocalPort still = local("p9", M9, BLUE, 5);
        assertThat(FlowCompiler.compile(view(List.of(p1, still), List.of())).groups())
                .doesNotContainKey(FlowCompiler.GROUP_FLOOD_TO_TUNNEL | 100);
        HostView.RemotePort onB = remote("p4", M2, BLUE, HOST_B);
        FlowPlan withMember = FlowCompiler.compile(view(List.of(p1, leaving), List.of(onB)));
        assertThat(floodedHosts(withMember)).containsExactly(HOST_B); // one bucket for the twin and the member
        assertThat(floodedHosts(FlowCompiler.compile(view(List.of(p1, still), List.of(onB)))))
                .containsExactly(HOST_B);
    }

    @Test
    void theHostAPortArrivesOnSendsItsRarpAndArpToTheControllerAndStillForwardsThem() {
        HostView.LocalPort arriving = moving("p9", M9, BLUE, 7, HOST_A, true);
        FlowPlan plan = FlowCompiler.compile(view(List.of(arriving), List.of(remote("p4", M2, BLUE, HOST_C))));
        FlowEntry classify = plan.flows()
                .get(new FlowEntry.FlowKey(
                        0,
                        FlowCompiler.PRIORITY_CLASSIFY,
                        FlowMatch.builder()
                                .inPort(DatapathPorts.TRUNK)
                                .vlanVid(7)
                                .ethSrc(M9)
                                .build()));
        assertThat(classify).isNotNull();
        List<FlowEntry> activation = withRule(plan, Cookies.ACTIVATE);
        assertThat(activation).hasSize(2);
        // the VM is not here yet: a frame for it from this trunk goes to the source only, and comes back from there;
        // from the tunnel, the trunk only (never back into the tunnel: no loop between the two hosts)
        assertThat(applied(plan, fromTrunkKey(M9)))
                .containsExactly(FlowCompiler.toTunnel(BLUE, HOST_A).toArray(new Action[0]));
        assertThat(applied(plan, FlowCompiler.unicastKey(BLUE, M9)))
                .containsExactly(
                        new Action.PushVlan(), new Action.SetVlanVid(7), new Action.Output(DatapathPorts.TRUNK));
        for (int ethType : List.of(0x8035, 0x0806)) {
            FlowMatch m = FlowMatch.builder()
                    .inPort(DatapathPorts.TRUNK)
                    .vlanVid(7)
                    .ethSrc(M9)
                    .ethType(ethType)
                    .build();
            FlowEntry f = plan.flows().get(new FlowEntry.FlowKey(0, FlowCompiler.PRIORITY_ACTIVATION, m));
            assertThat(f).as("activation flow for eth_type %04x", ethType).isNotNull();
            assertThat(f.cookie()).isEqualTo(Cookies.cookie(Cookies.ACTIVATE, 7));
            assertThat(f.instructions())
                    .containsExactly(
                            Instruction.apply(new Action.Output(DatapathPorts.CONTROLLER), new Action.PopVlan()),
                            new Instruction.WriteMetadata(100, FlowCompiler.VNI_METADATA_MASK),
                            new Instruction.GotoTable(FlowCompiler.TABLE_L2));
            // to the controller, and then exactly what the classify flow does
            assertThat(f.instructions().subList(1, 3))
                    .isEqualTo(classify.instructions().subList(1, 3));
        }
        assertThat(FlowCompiler.PRIORITY_ACTIVATION).isGreaterThan(FlowCompiler.PRIORITY_CLASSIFY);
        // B copies frames from its own trunk to A, and floods to A and to the member's host
        assertThat(applied(plan, fromTrunkKey(M9)).subList(0, 3)).isEqualTo(toTunnel(HOST_A));
        assertThat(floodedHosts(plan)).containsExactly(HOST_A, HOST_C);

        // activated: no activation flow any more, the rest unchanged until the twin goes
        FlowPlan activated = FlowCompiler.compile(view(List.of(moving("p9", M9, BLUE, 7, HOST_A, false)), List.of()));
        assertThat(withRule(activated, Cookies.ACTIVATE)).isEmpty();
        assertThat(Cookies.rule(Cookies.cookie(Cookies.ACTIVATE, 7))).isEqualTo(8);
    }

    @Test
    void anArrivingPortWithoutATwinYetHasItsActivationFlowsAndNoTunnelCopy() {
        HostView.LocalPort arriving = moving("p9", M9, BLUE, 7, null, true);
        FlowPlan plan = FlowCompiler.compile(view(List.of(arriving), List.of()));
        assertThat(withRule(plan, Cookies.ACTIVATE)).hasSize(2);
        assertThat(applied(plan, fromTrunkKey(M9)))
                .containsExactly(
                        new Action.PushVlan(), new Action.SetVlanVid(7), new Action.Output(DatapathPorts.IN_PORT));
        assertThat(plan.groups()).doesNotContainKey(FlowCompiler.GROUP_FLOOD_TO_TUNNEL | 100);
    }

    @Test
    void entriesForOnePortThatDifferOnlyInTheirMoveResolveTheSameInAnyOrder() {
        HostView.LocalPort still = local("p9", M9, BLUE, 7);
        HostView.LocalPort twinned = moving("p9", M9, BLUE, 7, HOST_A, false);
        HostView.LocalPort arriving = moving("p9", M9, BLUE, 7, HOST_A, true);
        FlowCompiler.Compiled c = compile(List.of(arriving, twinned, still), List.of());
        assertThat(compile(List.of(twinned, still, arriving), List.of())).isEqualTo(c);
        // the entry without twin comes first; the others share its VLAN
        assertThat(c.conflicts())
                .containsExactly(
                        new Conflict(Conflict.Kind.LOCAL_VLAN, BLUE, PortId.of("p9"), PortId.of("p9")),
                        new Conflict(Conflict.Kind.LOCAL_VLAN, BLUE, PortId.of("p9"), PortId.of("p9")));
        assertThat(c.plan()).isEqualTo(FlowCompiler.compile(view(List.of(still), List.of())));

        HostView.LocalPort p1 = local("p1", M1, BLUE, 1);
        HostView.RemotePort onA = remote("p4", M2, BLUE, HOST_A);
        HostView.RemotePort movingToB = moving("p4", M2, BLUE, HOST_A, HOST_B);
        HostView.RemotePort movingToC = moving("p4", M2, BLUE, HOST_A, HOST_C);
        FlowCompiler.Compiled r = compile(List.of(p1), List.of(movingToC, movingToB, onA));
        assertThat(compile(List.of(p1), List.of(onA, movingToB, movingToC))).isEqualTo(r);
        assertThat(r.conflicts())
                .containsExactly(
                        new Conflict(Conflict.Kind.REMOTE_PORT_TWICE, BLUE, PortId.of("p4"), PortId.of("p4")),
                        new Conflict(Conflict.Kind.REMOTE_PORT_TWICE, BLUE, PortId.of("p4"), PortId.of("p4")));
        assertThat(r.plan()).isEqualTo(FlowCompiler.compile(view(List.of(p1), List.of(onA))));
        // without the entry that is not moving, the smaller other endpoint is kept
        assertThat(compile(List.of(p1), List.of(movingToC, movingToB)).plan())
                .isEqualTo(FlowCompiler.compile(view(List.of(p1), List.of(movingToB))));
    }

    @Test
    void aLocalPortLeftOutBringsNeitherItsTwinNorItsActivationFlows() {
        HostView.LocalPort p1 = local("p1", M1, BLUE, 7);
        HostView.LocalPort sameVlan = moving("p9", M9, BLUE, 7, HOST_A, true);
        FlowCompiler.Compiled c = compile(List.of(p1, sameVlan), List.of());
        assertThat(c.conflicts())
                .containsExactly(new Conflict(Conflict.Kind.LOCAL_VLAN, BLUE, PortId.of("p9"), PortId.of("p1")));
        assertThat(c.plan()).isEqualTo(FlowCompiler.compile(view(List.of(p1), List.of())));
    }

    @Test
    void twinsCountTowardsTheFloodLimit() {
        List<HostView.RemotePort> remotes = new java.util.ArrayList<>();
        for (int i = 0; i < FlowCompiler.MAX_FLOOD_HOSTS; i++) {
            remotes.add(remote("r" + i, new Mac(0x0200_0000_0000L + i), BLUE, new Ipv4(0x0A00_0001 + i)));
        }
        HostView.LocalPort twinned = moving("p1", M1, BLUE, 1, Ipv4.parse("200.0.0.1"), false);
        FlowCompiler.Compiled c = compile(List.of(twinned), remotes);
        assertThat(c.conflicts()).containsExactly(new Conflict(Conflict.Kind.FLOOD_LIMIT, BLUE, null, null));
        assertThat(c.plan().groups().values().stream()
                        .flatMap(g -> g.buckets().stream())
                        .flatMap(b -> b.actions().stream()))
                .doesNotContain(new Action.SetTunnelDst(Ipv4.parse("200.0.0.1")));
        // its copy of frames from the trunk is a unicast flow: it stays
        assertThat(applied(c.plan(), fromTrunkKey(M1))).contains(new Action.SetTunnelDst(Ipv4.parse("200.0.0.1")));
    }

    private static FlowCompiler.Compiled compile(List<HostView.LocalPort> locals, List<HostView.RemotePort> remotes) {
        return FlowCompiler.compileWithConflicts(view(locals, remotes));
    }

    private static HostView view(List<HostView.LocalPort> locals, List<HostView.RemotePort> remotes) {
        return new HostView(HostId.of("a"), locals, remotes);
    }
}
