package io.portmesh.loadtest.harness;

import io.portmesh.sim.FrameStream;
import io.portmesh.sim.SimulatedVm;
import java.util.ArrayList;
import java.util.List;

/**
 * Frames lost outside the loss windows of the faults on their path, frame by frame. A lost frame is excused only by a
 * window (a fault with an allowed loss above 0) open when it was sent (or up to {@link #IN_FLIGHT_MS} before it opened: the frame was on its way when the
 * fault fired) of a fault that could lose it: one on a host its sender or its receiver was on at the time (an agent
 * kill, an agent disconnect, a link fault; see {@link #presence}), or one on the whole cluster (a node kill, restart
 * or partition, Cassandra stopped). A move excuses nothing: a live move loses no frame (docs/architecture.md 7.1).
 *
 * <p>Why not the run's total alone ({@link Invariants#frames}): with faults on several hosts at once, as in {@code
 * chaos}, a window of a fault on one host would excuse the loss of every other path during it; the first chaos run
 * that passed had a host forward nothing for 96 s against its 30 s window, excused by other hosts' windows.
 */
final class PathLoss {
    /** A frame sent this long before a window opened may still have been on its way when the fault fired. */
    static final long IN_FLIGHT_MS = 500;

    private static final int EXAMPLES = 5;

    private PathLoss() {}

    /** A fault's loss window (ms of the run); {@code host} the host index it strikes, -1 every path. */
    record Window(long fromMs, long toMs, String fault, int host) {}

    /** VM {@code vm} was wired into host {@code host}'s switch during [fromMs, toMs] (ms of the run). */
    record Presence(int vm, int host, long fromMs, long toMs) {}

    /**
     * The frames the stream from VM {@code sender} to VM {@code receiver} lost, by when each was sent (ms of the run;
     * {@code Long.MIN_VALUE}: not known, excused by nothing).
     */
    record StreamLoss(String stream, int sender, int receiver, long[] lostSentMs) {}

    /**
     * The injected faults' loss windows (ms since {@code zero}, the run's start in nanoTime): from the injection to its
     * allowed loss, or to a link fault's last drop when later; each on the host it strikes (a fault {@linkplain
     * Scenario.Kind#onHost on a host}: its agent, its connections, its VMs' links) or on every path (node and
     * Cassandra faults).
     */
    static List<Window> windows(List<InjectedFault> faults, long zero) {
        return faults.stream()
                .filter(f -> f.atNanos >= 0)
                .map(f -> {
                    long from = (f.atNanos - zero) / 1_000_000;
                    return new Window(
                            from,
                            Math.max(from + f.planned.allowedLoss().toMillis(), LinkFaults.dropsUntilMs(f, zero)),
                            "#" + f.planned.index(),
                            f.planned.kind().onHost() ? f.planned.target() : -1);
                })
                .toList();
    }

    /** Each stream's lost frames by when they were sent (ms since {@code zero}); VMs by their index in {@code vms}. */
    static List<StreamLoss> streams(List<SimulatedVm> vms, List<FrameStream> streams, long zero) {
        List<StreamLoss> out = new ArrayList<>();
        for (FrameStream st : streams) {
            int from = vms.indexOf(st.sender());
            int to = vms.indexOf(st.receiver());
            long[] sentMs = st.lostSentNanos();
            for (int i = 0; i < sentMs.length; i++) {
                sentMs[i] = sentMs[i] == Long.MIN_VALUE ? Long.MIN_VALUE : (sentMs[i] - zero) / 1_000_000;
            }
            out.add(new StreamLoss("VM " + (from + 1) + " -> VM " + (to + 1), from, to, sentMs));
        }
        return out;
    }

    /** One violation counting every lost frame no window on its path excuses, with the first few; none when all are. */
    static List<Invariants.Violation> check(List<StreamLoss> streams, List<Window> windows, List<Presence> presence) {
        long total = 0;
        long outside = 0;
        long first = Long.MAX_VALUE;
        List<String> examples = new ArrayList<>();
        for (StreamLoss s : streams) {
            for (long t : s.lostSentMs()) {
                total++;
                if (excused(s, t, windows, presence)) {
                    continue;
                }
                outside++;
                first = Math.min(first, t);
                if (examples.size() < EXAMPLES) {
                    examples.add(
                            t == Long.MIN_VALUE
                                    ? s.stream() + " at an unknown time"
                                    : String.format("%s sent at %.3f s", s.stream(), t / 1e3));
                }
            }
        }
        if (outside == 0) {
            return List.of();
        }
        return List.of(new Invariants.Violation(
                Invariants.FRAMES,
                outside + " of " + total + " lost frames were sent outside every window of a fault on their path"
                        + " (the hosts their sender and receiver were on); e.g. " + examples,
                "the VM pairs' numbered streams",
                first == Long.MIN_VALUE ? 0 : first));
    }

    private static boolean excused(StreamLoss s, long t, List<Window> windows, List<Presence> presence) {
        if (t == Long.MIN_VALUE) {
            return false;
        }
        for (Window w : windows) {
            if (w.toMs() <= w.fromMs()) {
                continue; // a fault declared to lose nothing excuses nothing
            }
            if (t < w.fromMs() - IN_FLIGHT_MS || t > w.toMs()) {
                continue;
            }
            if (w.host() < 0 || on(presence, s.sender(), w.host(), t) || on(presence, s.receiver(), w.host(), t)) {
                return true;
            }
        }
        return false;
    }

    private static boolean on(List<Presence> presence, int vm, int host, long t) {
        for (Presence p : presence) {
            if (p.vm() == vm && p.host() == host && t >= p.fromMs() - IN_FLIGHT_MS && t <= p.toMs() + IN_FLIGHT_MS) {
                return true;
            }
        }
        return false;
    }

    /**
     * Where each VM was: on its first host from the start; during each move (not skipped) on the hosts it was on
     * before (not the plan's source: the harness moves a VM from where it is) and the destination, from its start to
     * its end (its timeout when it did not end); after it, on the destination when it completed, where it was when it
     * rolled back (the VM is sent back), on all of them when it failed (where the VM is then is not known). {@code
     * moves} in any order; {@code endMs} the end of the run.
     */
    static List<Presence> presence(List<Integer> firstHosts, List<VmMoves.Result> moves, long endMs) {
        List<Presence> out = new ArrayList<>();
        for (int vm = 0; vm < firstHosts.size(); vm++) {
            final int v = vm;
            List<VmMoves.Result> mine = moves.stream()
                    .filter(r -> r.plan().vm() == v && r.outcome() != VmMoves.Outcome.SKIPPED)
                    .sorted(java.util.Comparator.comparingLong(VmMoves.Result::startedAtMs))
                    .toList();
            List<Integer> at = new ArrayList<>(List.of(firstHosts.get(vm)));
            long since = Long.MIN_VALUE / 2;
            for (VmMoves.Result r : mine) {
                long start = r.startedAtMs();
                long end = Double.isNaN(r.totalMs())
                        ? start + r.plan().timeout().toMillis()
                        : start + (long) Math.ceil(r.totalMs());
                for (int h : at) {
                    out.add(new Presence(vm, h, since, end));
                }
                out.add(new Presence(vm, r.plan().to(), start, end));
                List<Integer> both = new ArrayList<>(at);
                if (!both.contains(r.plan().to())) {
                    both.add(r.plan().to());
                }
                at = switch (r.outcome()) {
                    case COMPLETED -> List.of(r.plan().to());
                    case ROLLED_BACK -> at;
                    default -> both;
                };
                since = end;
            }
            for (int h : at) {
                out.add(new Presence(vm, h, since, endMs));
            }
        }
        return out;
    }
}
