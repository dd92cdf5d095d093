package io.portmesh.loadtest.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The live moves of a run ({@code workloads.moves}), planned before it starts from the scenario, the seed and where the
 * VMs start, as the fault schedule is: the same scenario and seed give the same moves. Each round of a move line moves
 * {@code concurrent} VMs at once, taken in turn over every VM of the VM pairs (VM 2p and 2p + 1 are pair p), so that
 * consecutive rounds move different VMs and every VM moves again in a later round. Where a VM goes: its second, fourth,
 * ... move takes it back to the host it came from (A -> B -> A, the move back onto a host whose flows for it were just
 * taken down), unless its peer is there now; every other move goes to a host drawn from the seed among those that
 * neither the VM nor its peer is on (so a pair's frames always cross the tunnel). The plan assumes every move
 * completes: a move that does not leaves its VM where it was, and a later move planned from elsewhere starts from
 * where the VM really is ({@link VmMoves}).
 */
public final class MoveSchedule {
    public static final int MAX_MOVES = 10_000;

    /** One move: when (from the load's start), its round, which VM (index in the pairs' order), from and to which host. */
    public record Planned(int index, Duration at, int round, int vm, int from, int to, Duration timeout) {
        public String describe() {
            return String.format(
                    "move #%d (round %d) of VM %d host %d -> host %d at %.1f s",
                    index, round, vm, from + 1, to + 1, at.toMillis() / 1e3);
        }
    }

    private MoveSchedule() {}

    /**
     * The moves of {@code s}, in time order; {@code vmHosts}: the host (index) each VM starts on, in the pairs' order.
     * The draws use a stream of their own from the seed, so adding moves to a scenario leaves its faults as they were.
     */
    public static List<Planned> plan(Scenario s, List<Integer> vmHosts) {
        SplittableRandom rnd = new SplittableRandom(s.seed() ^ 0x6d6f766573L);
        record Round(Duration at, Scenario.MoveSpec spec) {}
        List<Round> rounds = new ArrayList<>();
        for (Scenario.MoveSpec m : s.moves()) {
            for (Duration at : FaultSchedule.instants(m.when(), s.duration(), rnd)) {
                if (at.compareTo(s.duration()) < 0) {
                    rounds.add(new Round(at, m));
                }
            }
        }
        rounds.sort(Comparator.comparing(Round::at));
        int vms = vmHosts.size();
        int[] host = vmHosts.stream().mapToInt(Integer::intValue).toArray();
        int[] previous = new int[vms];
        int[] moved = new int[vms];
        List<Planned> out = new ArrayList<>();
        int next = 0;
        for (int r = 0; r < rounds.size(); r++) {
            Round round = rounds.get(r);
            for (int j = 0; j < round.spec().concurrent() && out.size() < MAX_MOVES; j++) {
                int vm = next++ % vms;
                int peerHost = host[vm ^ 1];
                int to = moved[vm] % 2 == 1 && previous[vm] != peerHost
                        ? previous[vm]
                        : draw(rnd, s.hosts(), host[vm], peerHost);
                out.add(new Planned(
                        out.size() + 1,
                        round.at(),
                        r + 1,
                        vm,
                        host[vm],
                        to,
                        round.spec().timeout()));
                previous[vm] = host[vm];
                host[vm] = to;
                moved[vm]++;
            }
        }
        return List.copyOf(out);
    }

    /** The longest timeout of {@code moves} (zero for none): how long the last move started may still take. */
    public static Duration longest(List<Planned> moves) {
        return moves.stream()
                .map(Planned::timeout)
                .max(Comparator.naturalOrder())
                .orElse(Duration.ZERO);
    }

    /** A host index below {@code hosts}, neither {@code a} nor {@code b}, uniformly. */
    static int draw(SplittableRandom rnd, int hosts, int a, int b) {
        int lo = Math.min(a, b);
        int hi = Math.max(a, b);
        int n = rnd.nextInt(hosts - (lo == hi ? 1 : 2));
        if (n >= lo) {
            n++;
        }
        if (lo != hi && n >= hi) {
            n++;
        }
        return n;
    }
}
