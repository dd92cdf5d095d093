package io.portmesh.loadtest.move;

import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.agent.pipeline.PipelineCounters;
import io.portmesh.sim.FrameStream;
import io.portmesh.sim.PseudoWire;
import io.portmesh.sim.SimulatedVm;
import io.portmesh.sim.StreamFrames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where {@link MoveBenchmark}'s lost frames went: every stream frame a wire could not deliver (the copy that reached
 * a port group the VM had left, or had not reached yet) is logged with its wire and time, and each lost sequence
 * number is placed against its move: sent how long before or after the VM moved, its activation, the peers' re-pointing
 * and the end, and which wires saw a copy of it that nobody took. A lost frame with no undelivered copy died inside the
 * switches; one with copies died at the simulated VM's hand-over.
 */
final class MoveLossTrace {
    private static final int MAX_LOGGED = 2_000_000;
    private static final int MAX_RUNS_PER_STREAM = 4;

    private record Unclaimed(int wire, int vlan, long nanos) {}

    private record Key(long src, int stream, long seq) {}

    private final Map<PseudoWire, Integer> wireIndex = new ConcurrentHashMap<>();
    private final Map<Key, ConcurrentLinkedQueue<Unclaimed>> unclaimed = new ConcurrentHashMap<>();
    private final AtomicInteger logged = new AtomicInteger();
    /** Wall clock minus monotonic clock, in nanoseconds, taken once: MigrationInfo's times onto nanoTime. */
    private final long wallMinusNano = System.currentTimeMillis() * 1_000_000L - System.nanoTime();

    private final List<DatapathAgent> agents;
    private long[] countersBefore;

    MoveLossTrace(List<PseudoWire> wires, List<DatapathAgent> agents) {
        this.agents = agents;
        for (int i = 0; i < wires.size(); i++) {
            wireIndex.put(wires.get(i), i);
            wires.get(i).setUnclaimedListener(this::onUnclaimed);
        }
    }

    private void onUnclaimed(PseudoWire wire, int vlan, byte[] f, int len) {
        if (!StreamFrames.is(f, len) || logged.incrementAndGet() > MAX_LOGGED) {
            return;
        }
        Key k = new Key(io.portmesh.sim.EtherFrames.src(f).value(), StreamFrames.streamId(f), StreamFrames.seq(f));
        unclaimed
                .computeIfAbsent(k, x -> new ConcurrentLinkedQueue<>())
                .add(new Unclaimed(wireIndex.getOrDefault(wire, -1), vlan, System.nanoTime()));
    }

    /** The agents' drop counters now, to report what the moves added. */
    void startCounting() {
        countersBefore = counters();
    }

    private long[] counters() {
        long[] c = new long[5];
        for (DatapathAgent a : agents) {
            PipelineCounters p = a.pipeline().counters();
            c[0] += p.tableMiss();
            c[1] += p.noOutput();
            c[2] += p.tunnelNoDestination();
            c[3] += p.dropped();
            c[4] += p.replayedFrames();
        }
        return c;
    }

    /** The report's lines: the agents' counters over the moves, then each lost run placed against its move. */
    List<String> explain(
            List<MoveFabric.Vm> movers,
            List<MoveFabric.Vm> peers,
            List<MoveReport.MoveResult> results,
            List<FrameStream> streams) {
        List<String> out = new ArrayList<>();
        if (countersBefore != null) {
            long[] now = counters();
            out.add(String.format(
                    "agents over the moves (all %d hosts): table misses +%d, no output +%d, tunnel without"
                            + " destination +%d, dropped +%d, arrival-replayed frames +%d",
                    agents.size(),
                    now[0] - countersBefore[0],
                    now[1] - countersBefore[1],
                    now[2] - countersBefore[2],
                    now[3] - countersBefore[3],
                    now[4] - countersBefore[4]));
        }
        for (int i = 0; i < movers.size(); i++) {
            MoveReport.MoveResult r = results.get(i);
            for (int dir = 0; dir < 2; dir++) {
                FrameStream s = streams.get(2 * i + dir);
                if (s.stats().lost() == 0) {
                    continue;
                }
                out.add(String.format(
                        "lost: port %d (%s) %s, host %d -> %d, peer on host %d; %s",
                        i,
                        movers.get(i).port,
                        dir == 0 ? "moved VM -> peer" : "peer -> moved VM",
                        r.fromHost,
                        r.toHost,
                        peers.get(i).host,
                        moveTimes(movers.get(i).sim, r)));
                for (long[] run : s.missingRuns(MAX_RUNS_PER_STREAM)) {
                    out.add("      " + run(s, run, movers.get(i).sim, r));
                }
            }
        }
        return out;
    }

    private String moveTimes(SimulatedVm vm, MoveReport.MoveResult r) {
        SimulatedVm.MoveTrace t = vm.lastMove().orElse(null);
        if (t == null) {
            return "the VM did not move";
        }
        return String.format(
                "from the VM's move: activatedAt %s, repointedAt %s, endedAt %s; hand-over in order: arrival %s,"
                        + " departure %s",
                sinceMove(t, r.activatedAtMs()),
                sinceMove(t, r.repointedAtMs()),
                sinceMove(t, r.endedAtMs()),
                t.arrivalInOrder(),
                t.departureInOrder());
    }

    private String sinceMove(SimulatedVm.MoveTrace t, long wallMs) {
        return wallMs < 0
                ? "-"
                : String.format("%+d ms", (wallMs * 1_000_000L - wallMinusNano - t.movedNanos()) / 1_000_000L);
    }

    private String run(FrameStream s, long[] run, SimulatedVm mover, MoveReport.MoveResult r) {
        long moved = mover.lastMove().map(SimulatedVm.MoveTrace::movedNanos).orElse(0L);
        StringBuilder b = new StringBuilder(
                String.format("seq %d-%d sent %+.1f ms from the VM's move", run[0], run[1], (run[2] - moved) / 1e6));
        for (long seq = run[0]; seq <= run[1] && seq < run[0] + 3; seq++) {
            ConcurrentLinkedQueue<Unclaimed> copies =
                    unclaimed.get(new Key(s.sender().mac().value(), s.id(), seq));
            b.append(String.format("; seq %d undelivered copies: ", seq));
            if (copies == null) {
                b.append("none (lost inside the switches)");
                continue;
            }
            for (Unclaimed u : copies) {
                b.append(String.format(
                        "wire of host %d VLAN %d at %+.1f ms (%s) ",
                        u.wire(),
                        u.vlan(),
                        (u.nanos() - moved) / 1e6,
                        u.wire() == r.fromHost ? "source" : u.wire() == r.toHost ? "destination" : "other"));
            }
        }
        return b.toString();
    }
}
