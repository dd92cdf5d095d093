package io.portmesh.model.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.VlanId;
import io.portmesh.model.Vni;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Random changes to a host's slices, as {@code HostPlan} makes them, against a compile from scratch. Small pools of port
 * ids, MACs, VLANs and tunnel endpoints make conflicts common: MACs local and remote at once, shared by members on
 * different hosts or by two local ports, VLANs shared by two local ports, members moved between hosts, given twice to
 * a reset, given to the slice of another VNI, removed when absent, and added again. Live moves are mixed in: members
 * with an {@code alsoTunnelIp} (sometimes equal to their own endpoint or to another member's, or to a local port's
 * twin), and local ports with a twin and/or arriving, sometimes given twice with only those differing. After every
 * step:
 *
 * <ul>
 *   <li>nothing has thrown;
 *   <li>the union of the slices is {@link FlowCompiler#compileWithConflicts} of the same view (flows and groups), and
 *       no two slices overlap;
 *   <li>the slices list the conflicts the compile lists (plus the ports of other VNIs they were given), and their
 *       {@link PlanSlice#conflictCount}s add up to as many;
 *   <li>the diff the changed slice returned is exactly what takes its previous plan to its new one.
 * </ul>
 *
 * <p>Each VNI has its own VLANs: the host's allocator gives every port its own VLAN, and two ports of different VNIs
 * with one VLAN would be in different slices, which only a compile of the whole host sees (rule 2 of
 * {@link FlowCompiler}); within a VNI, shared VLANs are generated.
 *
 * <p>Seeds {@code base .. base + SEEDS - 1} run; {@code -Dplanslice.seed=N} sets the base and
 * {@code -Dplanslice.seeds=K} the number, to reproduce a failure (its seed is in the message) or to search longer.
 */
class PlanSlicePropertyTest {
    private static final HostId HOST = HostId.of("a");
    private static final List<Vni> VNIS = List.of(new Vni(100), new Vni(200), new Vni(300));
    private static final Vni STRANGER = new Vni(999);
    private static final int SEEDS = Integer.getInteger("planslice.seeds", 60);
    private static final int STEPS = 150;

    @Test
    void randomChangesNeverThrowAndKeepTheSlicesEqualToACompileFromScratch() {
        long base = Long.getLong("planslice.seed", 1);
        System.out.println("PlanSlicePropertyTest: seeds " + base + ".." + (base + SEEDS - 1) + ", " + STEPS
                + " steps each (-Dplanslice.seed=N -Dplanslice.seeds=1 to run one)");
        long start = System.nanoTime();
        long startCpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        int conflictsSeen = 0;
        Set<Conflict.Kind> kindsSeen = EnumSet.noneOf(Conflict.Kind.class);
        int[] movesSeen = new int[3];
        for (long seed = base; seed < base + SEEDS; seed++) {
            Run run = new Run(seed);
            for (int step = 0; step < STEPS; step++) {
                try {
                    run.step();
                    conflictsSeen += run.check(kindsSeen);
                    run.countMoves(movesSeen);
                } catch (Throwable e) {
                    throw new AssertionError(
                            "seed " + seed + ", step " + step + " (after " + run.lastChange + "): " + e.getMessage(),
                            e);
                }
            }
        }
        long cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - startCpu;
        System.out.printf(
                "PlanSlicePropertyTest: %d steps, %d conflicts seen after them, %d ms (%d ms of CPU)%n",
                SEEDS * STEPS, conflictsSeen, (System.nanoTime() - start) / 1_000_000, cpu / 1_000_000);
        assertThat(conflictsSeen).as("the generator makes conflicts").isGreaterThan(SEEDS * STEPS / 10);
        System.out.printf(
                "PlanSlicePropertyTest: after the steps, %d flows to a moving member, %d trunk copies to a twin,"
                        + " %d activation flows%n",
                movesSeen[0], movesSeen[1], movesSeen[2]);
        for (int seen : movesSeen) {
            assertThat(seen).as("the generator makes every flow of a move").isGreaterThan(SEEDS * STEPS / 10);
        }
        assertThat(kindsSeen)
                .as("the generator makes every kind of conflict but the limits (FlowCompilerTest's)")
                .containsAll(EnumSet.complementOf(EnumSet.of(Conflict.Kind.LOCAL_LIMIT, Conflict.Kind.FLOOD_LIMIT)));
    }

    /** One seed's host: its slices, and the model of what they were given. */
    private static final class Run {
        private final Random random;
        private final Map<Vni, PlanSlice> slices = new LinkedHashMap<>();
        private final Map<Vni, FlowPlan> installed = new HashMap<>();
        /** Per VNI, the local ports last given to {@link PlanSlice#reset} (possibly with equal entries twice). */
        private final Map<Vni, List<HostView.LocalPort>> locals = new HashMap<>();
        /** Per VNI, the entries given per remote port: one, or more after a reset given several. */
        private final Map<Vni, Map<PortId, List<HostView.RemotePort>>> remotes = new HashMap<>();
        /** Per VNI, the ports of another VNI given to its slice and not yet removed or given right. */
        private final Map<Vni, Map<PortId, Vni>> foreign = new HashMap<>();

        private Vni changed;
        private FlowDiff diff;
        private String lastChange = "nothing";

        Run(long seed) {
            random = new Random(seed);
            for (Vni v : VNIS) {
                slices.put(v, new PlanSlice(HOST, v));
                installed.put(v, FlowPlan.EMPTY);
                locals.put(v, new ArrayList<>());
                remotes.put(v, new TreeMap<>());
                foreign.put(v, new HashMap<>());
            }
        }

        void step() {
            Vni v = VNIS.get(random.nextInt(VNIS.size()));
            PlanSlice slice = slices.get(v);
            changed = v;
            int op = random.nextInt(100);
            if (op < 15) {
                changeLocals(v);
                List<HostView.RemotePort> given = new ArrayList<>();
                remotes.get(v).values().forEach(given::addAll);
                foreign.get(v).clear();
                if (random.nextInt(8) == 0 && !given.isEmpty()) {
                    // a second, different entry for a member (rule 4)
                    HostView.RemotePort r = given.get(random.nextInt(given.size()));
                    HostView.RemotePort other = random.nextBoolean()
                            ? new HostView.RemotePort(r.port(), mac(), v, tep(), alsoTep())
                            : new HostView.RemotePort(r.port(), r.mac(), v, r.tunnelIp(), tep());
                    if (!other.equals(r)) {
                        remotes.get(v).get(r.port()).add(other);
                        given.add(other);
                    }
                }
                if (random.nextInt(10) == 0 && !given.isEmpty()) {
                    given.add(given.get(random.nextInt(given.size()))); // an equal entry twice (rule 1)
                }
                List<HostView.LocalPort> givenLocals = new ArrayList<>(locals.get(v));
                if (random.nextInt(12) == 0) {
                    HostView.LocalPort stranger =
                            new HostView.LocalPort(PortId.of("x" + random.nextInt(3)), mac(), STRANGER, new VlanId(99));
                    givenLocals.add(stranger);
                    foreign.get(v).put(stranger.port(), STRANGER);
                }
                if (random.nextInt(12) == 0) {
                    HostView.RemotePort stranger = new HostView.RemotePort(remotePort(), mac(), STRANGER, tep());
                    given.add(stranger);
                    foreign.get(v).put(stranger.port(), STRANGER);
                }
                java.util.Collections.shuffle(given, random);
                java.util.Collections.shuffle(givenLocals, random);
                lastChange = "reset " + v + " " + givenLocals + " " + given;
                diff = slice.reset(givenLocals, given);
            } else if (op < 70) {
                // bound (new), or moved to another host, or given another MAC; sometimes of another VNI
                Vni of = random.nextInt(40) == 0 ? STRANGER : v;
                HostView.RemotePort r = new HostView.RemotePort(remotePort(), mac(), of, tep(), alsoTep());
                if (of.equals(v)) {
                    remotes.get(v).put(r.port(), new ArrayList<>(List.of(r)));
                    foreign.get(v).remove(r.port());
                } else {
                    foreign.get(v).put(r.port(), of);
                }
                lastChange = "putRemote " + v + " " + r;
                diff = slice.putRemote(r);
            } else {
                PortId port = remotePort(); // often absent
                remotes.get(v).remove(port);
                foreign.get(v).remove(port);
                lastChange = "removeRemote " + v + " " + port;
                diff = slice.removeRemote(port);
            }
        }

        /** A local port bound (maybe with another's MAC or VLAN), unbound, or bound again with other values. */
        private void changeLocals(Vni v) {
            List<HostView.LocalPort> ls = locals.get(v);
            int what = random.nextInt(10);
            if (what < 3 && !ls.isEmpty()) {
                ls.remove(random.nextInt(ls.size()));
            } else if (what < 4 && !ls.isEmpty()) {
                ls.add(ls.get(random.nextInt(ls.size()))); // an equal entry twice (rule 1)
            } else if (what < 5 && !ls.isEmpty()) {
                // the port starts or stops moving, or a second entry for it that differs only in its move (rule 2)
                int i = random.nextInt(ls.size());
                HostView.LocalPort l = ls.get(i);
                HostView.LocalPort moved =
                        new HostView.LocalPort(l.port(), l.mac(), v, l.vlan(), twin(), random.nextInt(3) == 0);
                if (random.nextBoolean()) {
                    ls.set(i, moved);
                } else {
                    ls.add(moved);
                }
            } else if (ls.size() < 6) {
                int vlan = 10 * VNIS.indexOf(v) + 1 + random.nextInt(6);
                ls.add(new HostView.LocalPort(
                        PortId.of("l" + v + "-" + random.nextInt(6)),
                        mac(),
                        v,
                        new VlanId(vlan),
                        twin(),
                        random.nextInt(4) == 0));
            }
        }

        /** Most members do not move; the others move to one of the hosts, maybe the one they are on (no move). */
        private Ipv4 alsoTep() {
            return random.nextInt(3) == 0 ? tep() : null;
        }

        /** Most local ports have no twin; the others one of the hosts (where members are too). */
        private Ipv4 twin() {
            return random.nextInt(3) == 0 ? tep() : null;
        }

        /** Adds to {@code seen} the flows of a move in the slices now: to moving members, to twins, activation. */
        void countMoves(int[] seen) {
            for (PlanSlice slice : slices.values()) {
                for (FlowEntry f : slice.plan().flows().values()) {
                    int rule = Cookies.rule(f.cookie());
                    int actions = f.instructions().get(0) instanceof Instruction.ApplyActions a
                            ? a.actions().size()
                            : 0;
                    if (rule == Cookies.REMOTE && actions == 5) {
                        seen[0]++;
                    } else if (rule == Cookies.LOCAL_FROM_TRUNK
                            && actions == 7) { // delivered, then relayed to the twin
                        seen[1]++;
                    } else if (rule == Cookies.ACTIVATE) {
                        seen[2]++;
                    }
                }
            }
        }

        private PortId remotePort() {
            return PortId.of("r" + random.nextInt(12));
        }

        /** Ten MACs for everything: local ports and remote members meet on them often. */
        private Mac mac() {
            return new Mac(0x5254_0000_0000L | random.nextInt(10));
        }

        private Ipv4 tep() {
            return new Ipv4(0x0A00_0001 + random.nextInt(4));
        }

        /** @return the number of conflicts now, whose kinds are added to {@code kinds} */
        int check(Set<Conflict.Kind> kinds) {
            List<HostView.LocalPort> allLocals = new ArrayList<>();
            List<HostView.RemotePort> allRemotes = new ArrayList<>();
            List<Conflict> expectedConflicts = new ArrayList<>();
            for (Vni v : VNIS) {
                allLocals.addAll(locals.get(v));
                remotes.get(v).values().forEach(allRemotes::addAll);
                foreign.get(v)
                        .forEach((port, of) ->
                                expectedConflicts.add(new Conflict(Conflict.Kind.OTHER_VNI, of, port, null)));
            }
            FlowCompiler.Compiled compiled =
                    FlowCompiler.compileWithConflicts(new HostView(HOST, allLocals, allRemotes));
            expectedConflicts.addAll(compiled.conflicts());
            expectedConflicts.sort(Conflict.ORDER);

            List<FlowPlan> plans = new ArrayList<>();
            List<Conflict> conflicts = new ArrayList<>();
            int count = 0;
            for (PlanSlice slice : slices.values()) {
                FlowPlan plan = slice.plan();
                plans.add(plan);
                if (plan.flows().size() != slice.flowCount()) {
                    throw new AssertionError("flowCount " + slice.flowCount() + " of "
                            + plan.flows().size());
                }
                conflicts.addAll(slice.conflicts());
                count += slice.conflictCount();
            }
            List<Object> overlap = new ArrayList<>();
            FlowPlan union = FlowPlan.union(plans, overlap::add);
            // plain comparisons first, assertions (slower, with readable differences) only when they fail
            if (!overlap.isEmpty()) {
                throw new AssertionError("slices overlap: " + overlap);
            }
            if (!union.equals(compiled.plan())) {
                assertThat(union.flows()).isEqualTo(compiled.plan().flows());
                assertThat(union.groups()).isEqualTo(compiled.plan().groups());
            }
            conflicts.sort(Conflict.ORDER);
            if (!conflicts.equals(expectedConflicts)) {
                assertThat(conflicts).isEqualTo(expectedConflicts);
            }
            if (count != expectedConflicts.size()) {
                throw new AssertionError("conflictCount " + count + ", listed " + expectedConflicts);
            }
            conflicts.forEach(c -> kinds.add(c.kind()));

            FlowPlan before = installed.get(changed);
            FlowPlan after = slices.get(changed).plan();
            checkDiff(before, after, diff);
            installed.put(changed, after);
            return count;
        }

        /** {@code diff} takes {@code before} to {@code after}, each change needed and none more. */
        private static void checkDiff(FlowPlan before, FlowPlan after, FlowDiff diff) {
            Map<FlowEntry.FlowKey, FlowEntry> flows = new HashMap<>(before.flows());
            Map<Integer, GroupEntry> groups = new HashMap<>(before.groups());
            for (GroupEntry g : diff.addGroups()) {
                require(groups.put(g.groupId(), g) == null, "added group exists", g);
            }
            for (GroupEntry g : diff.modifyGroups()) {
                GroupEntry had = groups.put(g.groupId(), g);
                require(had != null && !had.equals(g), "modified group absent or unchanged", g);
            }
            for (FlowEntry f : diff.addFlows()) {
                // an add is a new key, or replaces an entry whose cookie or hard timeout a modify could not change
                FlowEntry had = flows.put(f.key(), f);
                require(had == null || FlowPlan.replaces(had, f), "added flow exists with its cookie and timeout", f);
            }
            for (FlowEntry f : diff.modifyFlows()) {
                FlowEntry had = flows.put(f.key(), f);
                require(had != null && !had.equals(f), "modified flow absent or unchanged", f);
                require(!FlowPlan.replaces(had, f), "a modify would keep the old cookie or timeout", f);
            }
            for (FlowEntry.FlowKey k : diff.deleteFlows()) {
                require(flows.remove(k) != null, "deleted flow absent", k);
            }
            for (Integer id : diff.deleteGroups()) {
                require(groups.remove(id) != null, "deleted group absent", id);
            }
            // every change applied to something there, and no entry changed twice: the diff is the least one
            FlowPlan reached = new FlowPlan(flows, groups);
            if (!reached.equals(after)) {
                assertThat(reached).isEqualTo(after);
            }
            int distinct = new HashSet<>(diff.addFlows()).size()
                    + new HashSet<>(diff.modifyFlows()).size()
                    + new HashSet<>(diff.deleteFlows()).size()
                    + new HashSet<>(diff.addGroups()).size()
                    + new HashSet<>(diff.modifyGroups()).size()
                    + new HashSet<>(diff.deleteGroups()).size();
            require(distinct == diff.size(), "a change twice", diff);
        }

        private static void require(boolean ok, String what, Object about) {
            if (!ok) {
                throw new AssertionError(what + ": " + about);
            }
        }
    }
}
