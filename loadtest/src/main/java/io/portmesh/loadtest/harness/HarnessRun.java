package io.portmesh.loadtest.harness;

import io.portmesh.cluster.LocalPorts;
import io.portmesh.loadtest.FrameCounts;
import io.portmesh.loadtest.bind.Sleep;
import io.portmesh.loadtest.faults.MastershipWatch;
import io.portmesh.loadtest.faults.RestartableCassandra;
import io.portmesh.loadtest.nodeloss.ControllerNodes;
import io.portmesh.loadtest.nodeloss.NodeLossFabric;
import io.portmesh.loadtest.nodeloss.PortLoad;
import io.portmesh.sim.SimulatedVm;
import io.portmesh.sim.StreamStats;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One scenario run end to end: Cassandra (embedded on free ports, or the scenario's), three controller JVMs, the hosts
 * with their agents, VM pairs exchanging numbered frames, the create+bind load, the faults of the {@link
 * FaultSchedule} injected on time, the invariants watched during the run and checked after it ({@link RunChecks}),
 * and the report. Every phase is bounded: the load by the scenario's duration, the drain and the settling by its
 * settle timeout, the faults by {@link FaultSchedule#MAX_FAULTS}.
 */
public final class HarnessRun {
    private static final Duration TICK = Duration.ofMillis(100);
    private static final Duration FRAME_SAMPLE = Duration.ofMillis(500);
    private static final Duration PROGRESS = Duration.ofSeconds(5);
    private static final Duration VLAN_CHECK = Duration.ofSeconds(10);

    private final Scenario s;
    private final Path out;
    private final PrintStream progress;
    private final RunReport report;
    private Sabotage sabotage;
    private RunReport rechecked;
    private NodeLossFabric fabric;
    private RestartableCassandra cassandra;
    /** What the run started has been stopped (see {@link #stopOnce}). */
    private final AtomicBoolean stopped = new AtomicBoolean();
    /** Why the run was stopped from outside ({@link #abort}), null while it was not. */
    private final AtomicReference<String> stoppedBecause = new AtomicReference<>();

    private MastershipWatch watch;
    private HostRoles hostRoles;
    private BroadcastLoad broadcast;
    private VmMoves moves;
    private long zero;

    public HarnessRun(Scenario s, Path out, PrintStream progress) {
        this.s = s;
        this.out = out;
        this.progress = progress;
        this.report = new RunReport(s);
    }

    /**
     * Something done to the running system on purpose, for {@link #thenBreakAndCheckAgain}, and whether it still holds:
     * the controllers may repair it meanwhile (a flow removed behind their back is put back when a host gets a new
     * master, which a shard rebalance after a node's restart can bring at any time), and a check that ran after the
     * repair proves nothing about the checker.
     */
    public interface Sabotage {
        void apply(NodeLossFabric fabric) throws Exception;

        boolean stillHolds(NodeLossFabric fabric) throws Exception;
    }

    /** Sabotages that the controllers repaired during their check, before one held throughout. */
    private static final int SABOTAGE_ATTEMPTS = 3;

    /**
     * Something to do to the running system once the run's own checks are done and its report written: a test breaks
     * the run on purpose here (removes a flow behind the controller's back), and the checks after the load run once
     * more on the system as it is then, into {@link #rechecked}: so one run shows both that a clean run passes and that
     * the checker sees what was broken. A check after which the sabotage no longer holds (repaired) is done again, on a
     * new sabotage, up to 3 times in all; the notes say so.
     */
    public HarnessRun thenBreakAndCheckAgain(Sabotage s) {
        this.sabotage = s;
        return this;
    }

    /**
     * The second check's report (see {@link #thenBreakAndCheckAgain}): the violations the checks after the load found
     * once the run was broken, their figures, no SLO (those are the run's); null without a sabotage or when the run
     * did not get there.
     */
    public RunReport rechecked() {
        return rechecked;
    }

    /** Runs the scenario and writes {@code report.json}; the report either way (a failed set-up is its error). */
    public RunReport run() {
        try {
            Files.createDirectories(out);
            String contact = s.cassandra();
            if (contact.equals("embedded")) {
                int[] ports = LocalPorts.freeTcpPorts(2);
                say("starting an embedded Cassandra on 127.0.0.1:%d (storage %d)", ports[0], ports[1]);
                cassandra = RestartableCassandra.start(out.resolve("cassandra"), ports[0], ports[1]);
                contact = cassandra.contactPoint();
            } else if (s.faults().stream().anyMatch(f -> f.kind() == Scenario.Kind.CASSANDRA_STOP)) {
                throw new IllegalArgumentException(
                        "a cassandra-stop fault needs cassandra = embedded: the runner stops only a Cassandra it owns");
            }
            runOn(contact);
        } catch (Exception | Error e) {
            if (stoppedBecause.get() == null) { // else the stop closed the fabric under the run: its reason stays
                report.error = e.toString();
            }
            say("the run failed: %s", e);
        } finally {
            stopOnce();
        }
        try {
            say("report: %s", report.write(out));
        } catch (Exception e) {
            say("report not written: %s", e);
        }
        return report;
    }

    /**
     * The watchdog's last act when the run outlives max-run (exit status 3), or the stop when the runner is stopped
     * from outside: stop what the run started (the node JVMs and the embedded Cassandra would outlive the JVM) and
     * write the report so far, its error saying {@code why}.
     */
    public void abort(String why, boolean halted) {
        if (!stoppedBecause.compareAndSet(null, why)) {
            return; // stopped already (a signal during the watchdog's stop, or the other way round)
        }
        report.error = why;
        report.halted = halted;
        stopOnce();
        try {
            report.write(out);
        } catch (Exception e) {
            say("report not written: %s", e);
        }
    }

    private void runOn(String contact) throws Exception {
        List<FaultSchedule.Planned> plan = FaultSchedule.plan(s);
        say(
                "scenario %s, seed %d: %d hosts, %d switches, %d VM pairs at %d frames/s, create+bind %.1f/s, churn"
                        + " %.1f/s, broadcast %.0f/s per VM for %d s, %d fault(s) planned; Cassandra %s",
                s.name(),
                s.seed(),
                s.hosts(),
                s.switches(),
                s.vmPairs(),
                s.frameRate(),
                s.createBindRate(),
                s.churnRate(),
                s.broadcastRate(),
                s.duration().toSeconds(),
                plan.size(),
                contact);
        plan.forEach(p -> say("  planned: %s", p.describe()));
        long setUp = System.nanoTime();
        fabric = NodeLossFabric.start(
                new NodeLossFabric.Settings(s.hosts(), s.switches(), s.vmPairs(), s.frameRate())
                        .withProcesses(s.agentProcesses(), partitions())
                        .withPairs(s.agentsPerHost() == 2),
                contact,
                out.resolve("logs"),
                s.setupTimeout());
        report.figure("setup.seconds", (System.nanoTime() - setUp) / 1e9, "s");
        report.figure("bringup.seconds", fabric.bringUpSeconds(), "s");
        report.figure("bringup.hosts.per-second", s.hosts() / fabric.bringUpSeconds(), "hosts/s");
        say(
                "set up in %.1f s: 3 nodes, %d agents settled (%d in JVMs of their own)",
                (System.nanoTime() - setUp) / 1e9,
                fabric.agents().size() + fabric.agentJvms().running().size(),
                fabric.agentJvms().running().size());
        watch = MastershipWatch.start(fabric.agentsByHost(), Duration.ofMillis(100));
        hostRoles = HostRoles.start(fabric.nodes().apis(), fabric.agentJvms().hosts(), this::ms);
        Duration trafficMax =
                s.warmUp().plus(s.duration()).plus(s.settleTimeout()).plusSeconds(120);
        fabric.startTraffic(trafficMax);
        Sleep.millis(s.warmUp().toMillis());
        PortLoad load = fabric.newLoad()
                .ending(ChurnMix.of(s.createBindRate(), s.churnRate()))
                .inFlight(s.inFlight());
        double rate = s.createBindRate() + s.churnRate();
        zero = System.nanoTime();
        load.start(rate, (int) Math.ceil(rate * s.duration().toSeconds()) + 1, s.duration());
        List<SimulatedVm> vms = fabric.vms();
        broadcast = BroadcastLoad.start( // VM pair p (VMs 2p, 2p + 1) has a switch of its own
                java.util.stream.IntStream.range(0, vms.size() / 2)
                        .mapToObj(p -> vms.subList(2 * p, 2 * p + 2))
                        .toList(),
                s.broadcastRate());

        List<MoveSchedule.Planned> movePlan = MoveSchedule.plan(s, fabric.vmHosts());
        movePlan.forEach(m -> say("  planned: %s", m.describe()));
        HostLinks links = new HostLinks(fabric.vms(), fabric.vmHosts());
        moves = new VmMoves(fabric, links, zero, this::say);
        List<InjectedFault> faults = plan.stream().map(InjectedFault::new).toList();
        FaultInjector injector = new FaultInjector(s, fabric, cassandra, links, this::say, this::ms);
        List<Invariants.FrameSample> frames = new ArrayList<>();
        List<Invariants.Violation> during = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> vlanCheck = null;
        long end = zero + s.duration().toNanos();
        long nextFrames = zero;
        long nextProgress = zero + PROGRESS.toNanos();
        long nextVlans = zero + VLAN_CHECK.toNanos();
        int next = 0;
        int nextMove = 0;
        while (System.nanoTime() - end < 0) {
            long now = System.nanoTime();
            while (nextMove < movePlan.size()
                    && now - (zero + movePlan.get(nextMove).at().toNanos()) >= 0) {
                moves.start(movePlan.get(nextMove++));
            }
            while (next < faults.size()
                    && now - (zero + faults.get(next).planned.at().toNanos()) >= 0) {
                injector.inject(faults.get(next++), faults);
            }
            injector.restartDue(faults, false);
            if (now - nextFrames >= 0) {
                frames.add(new Invariants.FrameSample(
                        ms(now), FrameCounts.sum(fabric.streams(), false).lost()));
                nextFrames += FRAME_SAMPLE.toNanos();
            }
            if (now - nextVlans >= 0 && (vlanCheck == null || vlanCheck.isDone())) {
                // on a thread of its own: reads through a cluster that lost a node must not delay the faults
                long at = ms(now);
                vlanCheck = CompletableFuture.runAsync(() -> {
                    try {
                        during.addAll(LiveState.confirmedVlans(
                                fabric.nodes().apis(),
                                LiveState.rows(LiveState.ports(fabric.nodes().apis(), fabric.switches())),
                                at));
                    } catch (Exception | AssertionError e) {
                        report.notes.add(String.format("VLAN check at %.1f s not done: %s", at / 1e3, e));
                    }
                });
                nextVlans = now + VLAN_CHECK.toNanos();
            }
            if (now - nextProgress >= 0) {
                progressLine(load, faults, frames);
                nextProgress += PROGRESS.toNanos();
            }
            Sleep.millis(TICK.toMillis());
        }
        say(
                "load over after %.0f s: draining the ops in flight (at most %d s)",
                ms(System.nanoTime()) / 1e3, s.settleTimeout().toSeconds());
        if (broadcast != null) {
            broadcast.close();
            report.figure("broadcast.sent", broadcast.sent(), "frames");
            report.figure("broadcast.expected", broadcast.expected(), "frames");
            report.figure("broadcast.received", broadcast.received(), "frames");
            report.figure("broadcast.lost", broadcast.expected() - broadcast.received(), "frames");
            report.figure("broadcast.duplicates", broadcast.duplicates(), "frames");
        }
        int undrained = load.stop(s.settleTimeout());
        List<VmMoves.Result> moved = moves.await(s.settleTimeout().plus(MoveSchedule.longest(movePlan)));
        if (vlanCheck != null) {
            vlanCheck.join();
        }
        injector.restartDue(faults, true);
        long settled = fabric.awaitSettled(s.settleTimeout());
        List<String> unsettled = fabric.unsettled();
        say("settled: %s", unsettled.isEmpty() ? "every host" : unsettled);
        StreamStats total = fabric.stopTraffic();
        if (!movePlan.isEmpty()) {
            moves.figures(report, movePlan.size(), moved, fabric.streams());
        }
        long framesAt = ms(System.nanoTime());
        watch.close();
        hostRoles.close();
        RunChecks checks = new RunChecks(s, fabric, watch, hostRoles, zero, moved, this::say);
        checks.check(report, load, faults, frames, total, framesAt, during);
        checks.figures(report, load, faults, total, undrained, unsettled, settled);
        frames.forEach(f -> report.frameLoss.add(new long[] {f.atMs(), f.lost()}));
        report.frameLoss.add(new long[] {framesAt, total.lost()});
        load.write(out, "", zero);
        report.latencyFigures();
        report.evaluateSlos();
        say(
                "%s: %d violation(s), SLOs %s",
                report.passed() ? "PASSED" : "FAILED",
                report.violations.size(),
                report.slos.stream()
                        .map(r ->
                                r.figure() + "=" + fmt(r.value()) + (r.met() ? " met" : " MISSED (" + r.bound() + ")"))
                        .toList());
        report.violations.forEach(v -> say("  violation: %s", v.describe()));
        if (sabotage != null) {
            RunReport again = null;
            for (int attempt = 1; attempt <= SABOTAGE_ATTEMPTS; attempt++) {
                again = new RunReport(s);
                try {
                    sabotage.apply(fabric);
                    checks.check(again, load, faults, frames, total, framesAt, during);
                    if (sabotage.stillHolds(fabric)) {
                        break;
                    }
                    again.error = "the sabotage was repaired during the check, " + attempt + " time(s) in a row";
                    say("the sabotage was repaired during check %d (a new master reconciled?); again", attempt);
                } catch (Exception | AssertionError e) {
                    again.error = "the sabotage or the second check failed: " + e;
                    break;
                }
            }
            say("checked again after the sabotage: %d violation(s)", again.violations.size());
            again.violations.forEach(v -> say("  violation: %s", v.describe()));
            again.write(out.resolve("rechecked"));
            rechecked = again;
        }
    }

    /**
     * Whether the nodes start in groups of their own: when the scenario partitions and this machine can (else each
     * partition is skipped, with the reason, as it fires).
     */
    private boolean partitions() {
        return s.faults().stream().anyMatch(f -> f.kind() == Scenario.Kind.PARTITION)
                && io.portmesh.loadtest.faults.LoopbackPartition.unavailableReason()
                        .isEmpty();
    }

    private void progressLine(PortLoad load, List<InjectedFault> faults, List<Invariants.FrameSample> frames) {
        List<PortLoad.Op> ops = load.ops();
        say(
                "t=%3.0fs ops %d acknowledged %d failed %d in flight %d | frames lost so far %d | faults %d/%d |"
                        + " nodes up %s",
                ms(System.nanoTime()) / 1e3,
                ops.size(),
                ops.stream().filter(o -> o.acked).count(),
                ops.stream().filter(o -> o.done && !o.acked).count(),
                ops.stream().filter(o -> !o.done).count(),
                frames.isEmpty() ? 0 : frames.get(frames.size() - 1).lost(),
                faults.stream().filter(f -> f.atNanos >= 0).count(),
                faults.size(),
                java.util.stream.IntStream.range(0, ControllerNodes.SIZE)
                        .mapToObj(i -> fabric.nodes().isAlive(i) ? "+" : "-")
                        .reduce("", String::concat));
    }

    private long ms(long nanos) {
        return (nanos - zero) / 1_000_000;
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "none" : String.format("%.3g", v);
    }

    private void say(String fmt, Object... args) {
        progress.printf("[portmesh-load] " + fmt + "%n", args);
        progress.flush();
    }

    /**
     * Stops what the run started, once: the run's end and a stop from outside (signal, watchdog) may both get here,
     * at the same time; the later waits for the first to finish.
     */
    private void stopOnce() {
        synchronized (stopped) {
            if (stopped.getAndSet(true)) {
                return;
            }
            close();
            if (cassandra != null) {
                cassandra.close();
            }
        }
    }

    private void close() {
        if (broadcast != null) {
            broadcast.close();
        }
        if (moves != null) {
            moves.close();
        }
        if (watch != null) {
            try {
                watch.close();
                if (hostRoles != null) {
                    hostRoles.close();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (fabric != null) {
            fabric.close();
        }
    }
}
