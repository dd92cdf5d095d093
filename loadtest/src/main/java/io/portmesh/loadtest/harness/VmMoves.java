package io.portmesh.loadtest.harness;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.agent.io.TrunkPort;
import io.portmesh.loadtest.bind.Sleep;
import io.portmesh.loadtest.demo.Nodes;
import io.portmesh.loadtest.nodeloss.NodeLossFabric;
import io.portmesh.model.flow.DatapathPorts;
import io.portmesh.sim.FrameStream;
import io.portmesh.sim.PseudoWire;
import io.portmesh.sim.SimulatedVm;
import io.portmesh.sim.StreamStats;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The move workload ({@code workloads.moves}, {@link MoveSchedule}): the VMs of the VM pairs move among the hosts
 * while their numbered frames run, each as a vMotion is orchestrated (docs/architecture.md section 7.1): the move is
 * started through the REST API with {@code ?wait=realized} ({@code POST /v1/ports/{id}/migration}, answered with the
 * VLAN on the destination once the destination and the peers are ready), the inventory configures the VM's port group
 * with that VLAN on the destination's trunk (an agent in this JVM: {@link TrunkPort#bindVlan}; an agent in a JVM of its
 * own learns the VM's endpoint from its frames), the VM leaves its wire to the source and appears on a wire to the
 * destination's trunk, sending its RARP (which activates the move), and the move is polled ({@code GET .../migration})
 * until it has ended. Each move runs on a thread of its own, bounded by its timeout.
 */
final class VmMoves implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(100);
    /**
     * How often a VM that arrived announces itself again while its move is not activated: a RARP the destination's
     * agent did not pass on (its connections down at that instant) would otherwise leave the move to roll back.
     */
    private static final Duration ANNOUNCE_AGAIN = Duration.ofSeconds(1);

    /** How a move ended. */
    enum Outcome {
        COMPLETED,
        ROLLED_BACK,
        FAILED,
        SKIPPED
    }

    /**
     * One move's end: its outcome, the times measured (ms, NaN when not reached): {@code readyMs} the start call's
     * answer (the destination ready), {@code repointMs} from the activation to every peer re-pointed (the port's own
     * {@code activatedAt} and {@code repointedAt}), {@code totalMs} from the start call to the end seen; and why, when
     * it did not complete.
     */
    record Result(
            MoveSchedule.Planned plan,
            Outcome outcome,
            long startedAtMs,
            double readyMs,
            double repointMs,
            double totalMs,
            String detail) {}

    private final NodeLossFabric fabric;
    private final long zero;
    private final HarnessLog log;
    private final List<SimulatedVm> vms;
    private final List<String> ports;
    private final int[] host;
    private final AtomicBoolean[] busy;
    /** Each VM's wire to each host it has been on (its first is the fabric's). */
    private final Map<String, PseudoWire> wires = new HashMap<>();

    private final List<PseudoWire> opened = new ArrayList<>();
    private final HostLinks links;
    private final Set<SimulatedVm> moved = ConcurrentHashMap.newKeySet();
    private final List<Future<Result>> running = new ArrayList<>();
    /** The plan of each of {@link #running}, by index. */
    private final List<MoveSchedule.Planned> plans = new ArrayList<>();

    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "harness-move");
        t.setDaemon(true);
        return t;
    });

    /** What the moves tell the run's progress lines. */
    interface HarnessLog {
        void say(String fmt, Object... args);
    }

    VmMoves(NodeLossFabric fabric, HostLinks links, long zero, HarnessLog log) {
        this.fabric = fabric;
        this.links = links;
        this.zero = zero;
        this.log = log;
        this.vms = fabric.vms();
        this.ports = fabric.vmPorts();
        List<Integer> start = fabric.vmHosts();
        this.host = new int[vms.size()];
        this.busy = new AtomicBoolean[vms.size()];
        for (int i = 0; i < vms.size(); i++) {
            host[i] = start.get(i);
            busy[i] = new AtomicBoolean();
            wires.put(i + "@" + host[i], vms.get(i).wire());
        }
    }

    /** Starts {@code p} on a thread of its own; a VM still moving is not moved again (that move is skipped). */
    synchronized void start(MoveSchedule.Planned p) {
        plans.add(p);
        running.add(threads.submit(() -> {
            if (!busy[p.vm()].compareAndSet(false, true)) {
                log.say("%s: skipped, its previous move still under way", p.describe());
                return ended(p, Outcome.SKIPPED, ms(), "its previous move was still under way");
            }
            try {
                Result r = move(p);
                if (r.outcome() != Outcome.COMPLETED) {
                    log.say("%s: %s (%s)", p.describe(), r.outcome(), r.detail());
                }
                return r;
            } catch (Exception | AssertionError e) {
                log.say("%s: failed (%s)", p.describe(), e);
                return ended(p, Outcome.FAILED, ms(), e.toString());
            } finally {
                busy[p.vm()].set(false);
            }
        }));
    }

    /** Waits for every move started (each is bounded by its timeout) and returns their ends in start order. */
    synchronized List<Result> await(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        List<Result> out = new ArrayList<>();
        for (int i = 0; i < running.size(); i++) {
            Future<Result> f = running.get(i);
            try {
                out.add(f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                f.cancel(true);
                // where the VM is then is not known: a failed move (the checks keep it on both hosts)
                out.add(ended(plans.get(i), Outcome.FAILED, ms(), "not ended when awaited: " + e));
            }
        }
        return out;
    }

    private Result move(MoveSchedule.Planned p) throws Exception {
        int vm = p.vm();
        int from = host[vm];
        long startedAt = ms();
        if (from == p.to()) {
            return ended(p, Outcome.SKIPPED, startedAt, "the VM is on host " + (p.to() + 1) + " already");
        }
        String to = fabric.hosts().get(p.to());
        String down = downAgent(from, p.to());
        if (down != null) {
            // no orchestrator moves a VM off or onto a host whose virtual switch is dead
            return ended(p, Outcome.SKIPPED, startedAt, "the agent of " + down + " is down");
        }
        String port = ports.get(vm);
        long t0 = System.nanoTime();
        long deadline = t0 + p.timeout().toNanos();
        JsonNode started =
                call(deadline, api -> api.post("/v1/ports/" + port + "/migration?wait=realized", Map.of("to", to)));
        double readyMs = (System.nanoTime() - t0) / 1e6;
        if (!"MIGRATING".equals(started.path("state").asText())) {
            return new Result(p, Outcome.FAILED, startedAt, readyMs, Double.NaN, Double.NaN, "started: " + started);
        }
        int vlan = started.path("toVlan").asInt();
        PseudoWire there = wire(vm, p.to());
        DatapathAgent agent = fabric.agentsByHost().get(to);
        if (agent != null) {
            ((TrunkPort) agent.ports().get(DatapathPorts.TRUNK)).bindVlan(vlan, there.localAddress());
        }
        SimulatedVm sim = vms.get(vm);
        moved.add(sim);
        sim.moveTo(there, vlan, true);
        host[vm] = p.to();
        JsonNode last = started;
        long announced = System.nanoTime();
        while (System.nanoTime() - deadline < 0) {
            last = call(deadline, api -> api.get("/v1/ports/" + port + "/migration"));
            String state = last.path("state").asText();
            if (state.equals("COMPLETED")) {
                return new Result(
                        p,
                        Outcome.COMPLETED,
                        startedAt,
                        readyMs,
                        between(last.path("activatedAt"), last.path("repointedAt")),
                        (System.nanoTime() - t0) / 1e6,
                        null);
            }
            if (state.equals("ROLLED_BACK") || state.equals("CANCELLED")) {
                // the network kept the port on the source: the VM goes back there, as vMotion does on a failure
                sim.moveTo(wire(vm, from), last.path("fromVlan").asInt(), true);
                host[vm] = from;
                return new Result(p, Outcome.ROLLED_BACK, startedAt, readyMs, Double.NaN, Double.NaN, "ended " + last);
            }
            if (state.equals("MIGRATING") && System.nanoTime() - announced > ANNOUNCE_AGAIN.toNanos()) {
                sim.sendRarp();
                announced = System.nanoTime();
            }
            Sleep.millis(POLL.toMillis());
        }
        return new Result(
                p,
                Outcome.FAILED,
                startedAt,
                readyMs,
                Double.NaN,
                Double.NaN,
                "not ended in " + p.timeout() + ": " + last);
    }

    /** A REST call through any node until one answers 2xx (a 4xx is final), bounded by {@code deadline}. */
    private JsonNode call(long deadline, Nodes.Call c) throws Exception {
        return Nodes.callAny(fabric.nodes().apis(), c, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
    }

    /** The host (name) of the two whose agent runs in a JVM of its own and is down now, or null. */
    private String downAgent(int a, int b) {
        for (int h : new int[] {a, b}) {
            String host = fabric.hosts().get(h);
            if (fabric.agentJvms().has(host) && !fabric.agentJvms().isAlive(host)) {
                return host;
            }
        }
        return null;
    }

    /** The VM's wire to host {@code h}'s trunk: its port group there, opened on its first move to that host. */
    private synchronized PseudoWire wire(int vm, int h) throws IOException {
        String key = vm + "@" + h;
        PseudoWire w = wires.get(key);
        if (w == null) {
            w = PseudoWire.open(
                    new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0),
                    fabric.trunksOf(fabric.hosts().get(h)));
            wires.put(key, w);
            opened.add(w);
            links.add(h, w); // impaired at once when a link fault holds the host's links
        }
        return w;
    }

    private static Result ended(MoveSchedule.Planned p, Outcome o, long at, String why) {
        return new Result(p, o, at, Double.NaN, Double.NaN, Double.NaN, why);
    }

    /** The VMs that moved at least once (their streams are the ones whose loss is the moves'). */
    Set<SimulatedVm> moved() {
        return Set.copyOf(moved);
    }

    /**
     * The moves' figures: how many were planned, started, completed, rolled back, failed (not ended in time, or
     * refused), skipped; their latencies; the frames lost and duplicated in the streams of the VMs that moved.
     */
    void figures(RunReport report, int planned, List<Result> results, List<FrameStream> streams) {
        report.figure("moves.planned", planned, "count");
        long skipped = count(results, Outcome.SKIPPED);
        report.figure("moves.started", results.size() - skipped, "count");
        report.figure("moves.completed", count(results, Outcome.COMPLETED), "count");
        report.figure("moves.rolled-back", count(results, Outcome.ROLLED_BACK), "count");
        report.figure("moves.failed", count(results, Outcome.FAILED), "count");
        report.figure("moves.skipped", skipped, "count");
        for (Result r : results) {
            record(report, "move-ready", r.readyMs());
            record(report, "move-repoint", r.repointMs());
            record(report, "move-total", r.totalMs());
            if (r.outcome() != Outcome.COMPLETED && r.outcome() != Outcome.SKIPPED) {
                report.notes.add(String.format(
                        "%s at %.1f s: %s, %s", r.plan().describe(), r.startedAtMs() / 1e3, r.outcome(), r.detail()));
            }
        }
        Set<SimulatedVm> m = moved();
        long lost = 0;
        long duplicates = 0;
        for (FrameStream s : streams) {
            if (m.contains(s.sender()) || m.contains(s.receiver())) {
                StreamStats st = s.stats();
                lost += st.lost();
                duplicates += st.duplicates();
            }
        }
        report.figure("moves.frames.lost", lost, "frames");
        report.figure("moves.frames.duplicates", duplicates, "frames");
    }

    private static long count(List<Result> results, Outcome o) {
        return results.stream().filter(r -> r.outcome() == o).count();
    }

    private static void record(RunReport report, String op, double ms) {
        if (!Double.isNaN(ms)) {
            report.latency(op, ms);
        }
    }

    private static double between(JsonNode from, JsonNode to) {
        return from.isTextual() && to.isTextual()
                ? Duration.between(Instant.parse(from.asText()), Instant.parse(to.asText()))
                                .toNanos()
                        / 1e6
                : Double.NaN;
    }

    private long ms() {
        return (System.nanoTime() - zero) / 1_000_000;
    }

    @Override
    public void close() {
        threads.shutdownNow();
        opened.forEach(PseudoWire::close);
    }
}
