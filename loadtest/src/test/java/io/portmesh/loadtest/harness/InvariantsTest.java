package io.portmesh.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.Ipv4;
import io.portmesh.model.flow.FlowEntry;
import io.portmesh.model.flow.FlowPlan;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The checker on recorded observations: a clean record passes, each deliberately broken one is reported. */
class InvariantsTest {
    static final Map<String, String> TEPS = Map.of("h1", "127.0.0.1", "h2", "127.0.0.2");
    static final List<LiveState.SwitchPorts> PORTS = List.of(
            new LiveState.SwitchPorts(
                    "s1",
                    5001,
                    List.of(
                            new Invariants.PortRow("p1", "s1", "52:54:00:00:00:01", "h1", 10),
                            new Invariants.PortRow("p2", "s1", "52:54:00:00:00:02", "h2", 10),
                            new Invariants.PortRow("p3", "s1", "52:54:00:00:00:03", "h1", 11),
                            new Invariants.PortRow("p4", "s1", "52:54:00:00:00:04", null, null))),
            new LiveState.SwitchPorts(
                    "s2", 5002, List.of(new Invariants.PortRow("p5", "s2", "52:54:00:00:00:05", "h1", 12))));

    @Test
    void aCleanRecordHasNoViolation() {
        List<Invariants.Ack> acks = List.of(new Invariants.Ack("p1", "h1", 10, 1_000));
        assertThat(Invariants.ackedWrites(acks, Map.of("p1", new Invariants.ReadBack("p1", "h1", 10, null)), 9_000))
                .isEmpty();
        assertThat(Invariants.vlans(LiveState.rows(PORTS), 9_000)).isEmpty();
        FlowPlan plan = LiveState.desired("h1", PORTS, TEPS);
        assertThat(plan.flows()).isNotEmpty();
        assertThat(Invariants.flows("h1", plan, plan, 9_000)).isEmpty();
        assertThat(Invariants.masters(List.of(
                        new Invariants.MasterSample("h1", 0, 1),
                        new Invariants.MasterSample("h1", 100, 0),
                        new Invariants.MasterSample("h1", 200, 1))))
                .isEmpty();
        assertThat(Invariants.frames(
                        List.of(new Invariants.FrameSample(0, 0), new Invariants.FrameSample(500, 2)),
                        0,
                        1_000,
                        List.of()))
                .as("frames in flight at a sample, all received in the end")
                .isEmpty();
    }

    @Test
    void anAcknowledgedWriteDeletedOrChangedIsReported() {
        List<Invariants.Ack> acks =
                List.of(new Invariants.Ack("p1", "h1", 10, 1_000), new Invariants.Ack("p3", "h1", 11, 2_000));
        Map<String, Invariants.ReadBack> read = Map.of(
                "p1", new Invariants.ReadBack("p1", null, null, "no node answered in 15 s; last: 404 not found"),
                "p3", new Invariants.ReadBack("p3", "h1", 12, null));
        assertThat(Invariants.ackedWrites(acks, read, 9_000))
                .extracting(Invariants.Violation::invariant, Invariants.Violation::where, Invariants.Violation::atMs)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(Invariants.ACKED_WRITES, "port p1", 9_000L),
                        org.assertj.core.groups.Tuple.tuple(Invariants.ACKED_WRITES, "port p3", 9_000L));
        assertThat(Invariants.ackedWrites(acks, Map.of(), 9_000))
                .hasSize(2)
                .allSatisfy(v -> assertThat(v.what()).contains("not read back"));
    }

    @Test
    void aChurnedPortIsCheckedAsItsLastAcknowledgedWriteLeftIt() {
        List<Invariants.Ack> acks = List.of(
                Invariants.Ack.deleted("gone", 1_000),
                Invariants.Ack.unbound("free", 2_000),
                Invariants.Ack.deleted("back", 3_000),
                Invariants.Ack.unbound("stuck", 4_000));
        Map<String, Invariants.ReadBack> read = Map.of(
                "gone", new Invariants.ReadBack("gone", null, null, Invariants.NOT_FOUND + "404"),
                "free", new Invariants.ReadBack("free", null, null, null),
                "back", new Invariants.ReadBack("back", null, null, null),
                "stuck", new Invariants.ReadBack("stuck", "h1", 10, null));
        assertThat(Invariants.ackedWrites(acks, read, 9_000))
                .extracting(Invariants.Violation::where, Invariants.Violation::what)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "port back", "acknowledged at 3.0 s as deleted, still exists"),
                        org.assertj.core.groups.Tuple.tuple(
                                "port stuck", "acknowledged at 4.0 s as unbound, reads bound to h1"));
        assertThat(Invariants.ackedWrites(
                        List.of(Invariants.Ack.unbound("free", 2_000)),
                        Map.of("free", new Invariants.ReadBack("free", null, null, Invariants.NOT_FOUND + "404")),
                        9_000))
                .as("an unbound port that is gone")
                .singleElement()
                .satisfies(v -> assertThat(v.what()).contains("as unbound, not read back: not found"));
    }

    @Test
    void aVlanBookedTwiceOnAHostIsReported() {
        List<Invariants.PortRow> rows = new java.util.ArrayList<>(LiveState.rows(PORTS));
        rows.add(new Invariants.PortRow("p6", "s2", "52:54:00:00:00:06", "h1", 10));
        assertThat(Invariants.vlans(rows, 4_000)).singleElement().satisfies(v -> {
            assertThat(v.invariant()).isEqualTo(Invariants.VLANS);
            assertThat(v.where()).isEqualTo("h1 VLAN 10");
            assertThat(v.what()).contains("p1", "p6");
            assertThat(v.atMs()).isEqualTo(4_000);
        });
    }

    @Test
    void aFlowRemovedBehindTheControllersBackIsReported() {
        FlowPlan desired = LiveState.desired("h1", PORTS, TEPS);
        Map<FlowEntry.FlowKey, FlowEntry> flows = new HashMap<>(desired.flows());
        FlowEntry.FlowKey removed = flows.keySet().iterator().next();
        flows.remove(removed);
        FlowPlan installed = new FlowPlan(flows, desired.groups());
        assertThat(Invariants.flows("h1", desired, installed, 7_000)).hasValueSatisfying(v -> {
            assertThat(v.invariant()).isEqualTo(Invariants.FLOWS);
            assertThat(v.where()).isEqualTo("host h1");
            assertThat(v.what()).contains("1 flows missing");
        });
        assertThat(Invariants.flows("h1", desired, new FlowPlan(desired.flows(), Map.of()), 7_000))
                .hasValueSatisfying(
                        v -> assertThat(v.what()).contains(desired.groups().size() + " missing"));
    }

    @Test
    void theCompiledPlanFollowsThePorts() {
        FlowPlan withRemote = LiveState.desired("h1", PORTS, TEPS);
        FlowPlan withoutRemote = LiveState.desired("h1", PORTS, Map.of("h1", "127.0.0.1"));
        assertThat(withRemote.flows().size())
                .isGreaterThan(withoutRemote.flows().size());
        assertThat(LiveState.view("h1", PORTS, TEPS).localPorts()).hasSize(3);
        assertThat(LiveState.view("h1", PORTS, TEPS).remotePorts()).hasSize(1);
    }

    @Test
    void aPairHostsStandbyGetsACopyOfEveryFrameForItsPorts() {
        LiveState.Endpoints pair = new LiveState.Endpoints(TEPS, Map.of("h2", "127.0.1.2"));
        assertThat(LiveState.view("h1", PORTS, pair).remotePorts())
                .singleElement()
                .satisfies(r -> assertThat(r.alsoTunnelIp()).isEqualTo(Ipv4.parse("127.0.1.2")));
        assertThat(LiveState.desired("h1", PORTS, pair)).isNotEqualTo(LiveState.desired("h1", PORTS, TEPS));
    }

    @Test
    void twoMastersAtOnceAreReportedOncePerEpisode() {
        List<Invariants.Violation> v = Invariants.masters(List.of(
                new Invariants.MasterSample("h1", 0, 1),
                new Invariants.MasterSample("h1", 100, 2),
                new Invariants.MasterSample("h1", 200, 2),
                new Invariants.MasterSample("h1", 300, 1),
                new Invariants.MasterSample("h2", 250, 2)));
        assertThat(v)
                .extracting(Invariants.Violation::where, Invariants.Violation::atMs)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("host h1", 100L),
                        org.assertj.core.groups.Tuple.tuple("host h2", 250L));
        assertThat(v.get(0).what()).contains("2 reading(s) over 100 ms");
    }

    @Test
    void framesLostOutsideTheDeclaredWindowsAreReportedAndThoseInsideAreNot() {
        List<Invariants.FrameSample> samples = List.of(
                new Invariants.FrameSample(0, 0),
                new Invariants.FrameSample(500, 0),
                new Invariants.FrameSample(1_000, 30), // during the window [600, 2600]
                new Invariants.FrameSample(1_500, 30),
                new Invariants.FrameSample(5_000, 30),
                new Invariants.FrameSample(5_500, 37)); // outside
        List<Invariants.Window> window = List.of(new Invariants.Window(600, 2_600, "#1"));
        assertThat(Invariants.frames(samples.subList(0, 5), 30, 6_000, window)).isEmpty();
        assertThat(Invariants.frames(samples, 37, 6_000, window))
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.invariant()).isEqualTo(Invariants.FRAMES);
                    assertThat(v.what()).startsWith("7 of 37 frames lost outside");
                    assertThat(v.atMs()).isEqualTo(5_000);
                });
        assertThat(Invariants.frames(samples.subList(0, 5), 30, 6_000, List.of(new Invariants.Window(600, 600, "#1"))))
                .as("a zero-length window (node loss) excuses nothing")
                .singleElement()
                .satisfies(v -> assertThat(v.what()).startsWith("30 of 30"));
    }

    @Test
    void aLinkFaultsWindowLosingMoreThanTheLinkDroppedIsReportedAndNoMoreIsNot() {
        List<Invariants.LinkLoss> links = List.of(
                new Invariants.LinkLoss("#1", "host 2", 10_000, 20_040, 48, 51),
                new Invariants.LinkLoss("#2", "host 3", 30_000, 40_040, 0, 0),
                new Invariants.LinkLoss("#3", "host 4", 50_000, 60_040, 12, 12));
        assertThat(Invariants.linkLoss(links)).as("lost <= dropped").isEmpty();

        List<Invariants.Violation> v = Invariants.linkLoss(List.of(
                new Invariants.LinkLoss("#1", "host 2", 10_000, 20_040, 60, 51),
                new Invariants.LinkLoss("#2", "host 3", 30_000, 40_040, 3, 0)));
        assertThat(v)
                .extracting(Invariants.Violation::invariant, Invariants.Violation::where, Invariants.Violation::atMs)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(Invariants.FRAMES, "the links of host 2", 10_000L),
                        org.assertj.core.groups.Tuple.tuple(Invariants.FRAMES, "the links of host 3", 30_000L));
        assertThat(v.get(0).what())
                .isEqualTo(
                        "9 frames lost beyond what the link dropped: the streams through host 2 lost 60 of the frames"
                                + " sent in 10.0-20.0 s, link fault #1 dropped 51");
        assertThat(v.get(1).what()).startsWith("3 frames lost beyond what the link dropped");
    }

    @Test
    void countsNameEveryInvariant() {
        assertThat(Invariants.counts(List.of(new Invariants.Violation(Invariants.VLANS, "x", "y", 1))))
                .containsEntry(Invariants.VLANS, 1)
                .containsEntry(Invariants.FLOWS, 0)
                .hasSize(5);
    }

    @Test
    void anAcknowledgedCreateMustExistWhateverItsBinding() {
        List<Invariants.Ack> acks = List.of(Invariants.Ack.created("p7", 3_000), Invariants.Ack.created("p8", 3_100));
        Map<String, Invariants.ReadBack> read = Map.of(
                "p7", new Invariants.ReadBack("p7", null, null, "not found: 404 no port p7"),
                "p8", new Invariants.ReadBack("p8", null, null, null));
        assertThat(Invariants.ackedWrites(acks, read, 9_000)).singleElement().satisfies(v -> {
            assertThat(v.where()).isEqualTo("port p7");
            assertThat(v.what()).contains("as created", "not read back", "404");
        });
    }
}
