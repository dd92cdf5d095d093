package io.portmesh.loadtest.harness;

import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.loadtest.faults.MastershipWatch;
import io.portmesh.loadtest.nodeloss.AgentJvms;
import io.portmesh.loadtest.nodeloss.CallFigures;
import io.portmesh.loadtest.nodeloss.ControllerNodes;
import io.portmesh.loadtest.nodeloss.NodeLossFabric;
import io.portmesh.loadtest.nodeloss.PortLoad;
import io.portmesh.model.flow.FlowPlan;
import io.portmesh.sim.StreamStats;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@link HarnessRun} checks once its load is over, on the system as it is then: the {@link Invariants} (acked
 * writes read back, VLANs, flows, master grants and masters, frame loss outside the faults' windows), and the run's
 * figures. Times are milliseconds since the run's zero (the load's start).
 */
final class RunChecks {
    /** Where a line of progress goes (the run's log). */
    @FunctionalInterface
    interface Progress {
        void say(String fmt, Object... args);
    }

    private final Scenario s;
    private final NodeLossFabric fabric;
    private final MastershipWatch watch;
    private final HostRoles hostRoles;
    private final long zero;
    /** The moves of the VM pairs' VMs as they ended: where the VMs were, for {@link PathLoss}. */
    private final List<VmMoves.Result> moved;

    private final Progress progress;
    private static final java.time.Duration LISTEN_WAIT = java.time.Duration.ofSeconds(10);

    RunChecks(
            Scenario s,
            NodeLossFabric fabric,
            MastershipWatch watch,
            HostRoles hostRoles,
            long zero,
            List<VmMoves.Result> moved,
            Progress progress) {
        this.s = s;
        this.moved = List.copyOf(moved);
        this.fabric = fabric;
        this.watch = watch;
        this.hostRoles = hostRoles;
        this.zero = zero;
        this.progress = progress;
    }

    /** The invariants checked after the load, into {@code report}'s violations, with the counts of what was checked. */
    void check(
            RunReport report,
            PortLoad load,
            List<InjectedFault> faults,
            List<Invariants.FrameSample> frames,
            StreamStats total,
            long framesAt,
            List<Invariants.Violation> during)
            throws Exception {
        long at = ms(System.nanoTime());
        List<Invariants.Ack> acks = load.ops().stream()
                .filter(o -> o.port != null)
                .map(this::lastAcked)
                .flatMap(Optional::stream)
                .toList();
        List<Invariants.Violation> v = report.violations;
        synchronized (during) {
            v.addAll(during);
        }
        v.addAll(Invariants.ackedWrites(acks, LiveState.readBack(fabric.nodes().apis(), acks), at));
        List<LiveState.SwitchPorts> ports = LiveState.ports(fabric.nodes().apis(), fabric.switches());
        v.addAll(Invariants.vlans(LiveState.rows(ports), at));
        List<String> dangling =
                ports.stream().flatMap(p -> p.missing().stream()).toList();
        if (!dangling.isEmpty()) {
            report.notes.add("ports a switch lists that do not exist: " + dangling);
            progress.say("ports a switch lists that do not exist: %s", dangling);
        }
        report.figure("ports.dangling", dangling.size(), "count");
        LiveState.Endpoints teps = LiveState.endpoints(fabric.nodes().apis(), fabric.hosts());
        for (Map.Entry<String, DatapathAgent> e : fabric.agentsByHost().entrySet()) {
            String h = e.getKey();
            DatapathAgent a = e.getValue();
            Invariants.flows(h, LiveState.desired(h, ports, teps), LiveState.installed(a), at)
                    .ifPresent(v::add);
            v.addAll(Invariants.masterGrants(h, a.controlState().masterGrants(), at));
        }
        int read = fabric.agentsByHost().size();
        for (AgentJvms.Running a : fabric.agentJvms().running()) {
            // an agent in a JVM of its own: its tables read over OpenFlow on its listen port (read-only)
            String where = fabric.agentJvms().isPair(a.host()) ? a.host() + " slot " + a.slot() : a.host();
            try {
                FlowPlan installed = ListenPortReader.installed(a.listen(), LISTEN_WAIT);
                Invariants.flows(where, LiveState.desired(a.host(), ports, teps), installed, at)
                        .ifPresent(v::add);
                read++;
            } catch (Exception e) {
                v.add(new Invariants.Violation(
                        Invariants.FLOWS,
                        "tables not read on its listen port " + a.listen() + ": " + e,
                        "host " + where,
                        at));
            }
        }
        report.figure("checked.agents", read, "count");
        v.addAll(Invariants.masters(watch.readings().stream()
                .map(r -> new Invariants.MasterSample(
                        r.host(), ms(r.atNanos()), r.roles().masters()))
                .toList()));
        hostRoles.readOnce();
        v.addAll(hostRoles.found());
        List<PathLoss.Window> pathWindows = PathLoss.windows(faults, zero);
        List<Invariants.Window> windows = pathWindows.stream()
                .map(w -> new Invariants.Window(w.fromMs(), w.toMs(), w.fault()))
                .toList();
        v.addAll(Invariants.frames(frames, total.lost(), framesAt, windows));
        v.addAll(PathLoss.check(
                PathLoss.streams(fabric.vms(), fabric.streams(), zero),
                pathWindows,
                PathLoss.presence(fabric.vmHosts(), moved, framesAt)));
        v.addAll(Invariants.linkLoss(LinkFaults.losses(faults, fabric.streams(), zero)));
        Map<String, Integer> counts = Invariants.counts(v);
        counts.forEach((k, n) -> report.figure("violations." + k, n, "count"));
        report.figure("violations", v.size(), "count");
        report.figure("checked.acknowledged-writes", acks.size(), "count");
        report.figure("checked.ports", LiveState.rows(ports).size(), "count");
        report.figure("checked.master-readings", watch.readings().size() + hostRoles.samples(), "count");
        report.figure("checked.hosts", fabric.hosts().size(), "count");
    }

    /**
     * The run's figures (ops, latencies, frames, faults, settling) and its faults as they happened, into {@code
     * report}.
     */
    void figures(
            RunReport report,
            PortLoad load,
            List<InjectedFault> faults,
            StreamStats total,
            int undrained,
            List<String> unsettled,
            long settledNanos) {
        List<PortLoad.Op> ops = load.ops();
        long acked = 0;
        Map<Long, long[]> perSecond = new java.util.TreeMap<>();
        for (PortLoad.Op op : ops) {
            if (op.bindStartNanos >= 0) {
                report.latency("create", (op.bindStartNanos - op.startNanos) / 1e6);
            }
            if (op.unbound) {
                report.latency("unbind", (op.unbindEndNanos - op.unbindStartNanos) / 1e6);
            }
            if (op.deleted) {
                report.latency("delete", (op.deleteEndNanos - op.deleteStartNanos) / 1e6);
            }
            if (op.acked) {
                acked++;
                report.latency("bind", op.bindMs());
                report.latency("create-bind", (op.bindEndNanos - op.startNanos) / 1e6);
                long sec = ms(op.bindEndNanos) / 1000;
                long[] row = perSecond.computeIfAbsent(sec, k -> new long[2]);
                row[0]++;
                row[1] = Math.max(row[1], Math.round(op.bindMs()));
            }
        }
        for (Map.Entry<Long, long[]> e : perSecond.entrySet()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("second", e.getKey());
            row.put("acknowledged", e.getValue()[0]);
            row.put("bindMaxMs", e.getValue()[1]);
            report.timeline.add(row);
        }
        double seconds = s.duration().toMillis() / 1e3;
        report.figure("ops.issued", ops.size(), "count");
        report.figure("ops.acknowledged", acked, "count");
        report.figure("ops.acknowledged.fraction", ops.isEmpty() ? Double.NaN : (double) acked / ops.size(), "ratio");
        report.figure("ops.not-issued", load.notIssued(), "count");
        report.figure(
                "churn.ops",
                ops.stream().filter(o -> o.end != PortLoad.End.BOUND).count(),
                "count");
        report.figure("churn.unbound", ops.stream().filter(o -> o.unbound).count(), "count");
        report.figure("churn.deleted", ops.stream().filter(o -> o.deleted).count(), "count");
        report.figure("ops.undrained", undrained, "count");
        report.figure("throughput.acknowledged", acked / seconds, "ops/s");
        report.figure(
                "calls.failed",
                load.calls().stream().filter(PortLoad.Call::failed).count(),
                "count");
        report.figure("frames.sent", total.sent(), "frames");
        report.figure("frames.lost", total.lost(), "frames");
        report.figure("frames.duplicates", total.duplicates(), "frames");
        report.figure("frames.out-of-order", total.outOfOrder(), "frames");
        report.figure("faults.planned", faults.size(), "count");
        report.figure(
                "faults.injected", faults.stream().filter(f -> f.atNanos >= 0).count(), "count");
        report.figure(
                "faults.skipped", faults.stream().filter(f -> f.skipped != null).count(), "count");
        report.figure("hosts.unsettled", unsettled.size(), "count");
        List<Integer> down = java.util.stream.IntStream.range(0, ControllerNodes.SIZE)
                .filter(i -> !fabric.nodes().isAlive(i))
                .map(i -> i + 1)
                .boxed()
                .toList();
        report.figure("nodes.down-at-end", down.size(), "count");
        if (!down.isEmpty()) {
            report.notes.add("node(s) " + down + " not running at the end of the run, though every fault's victim is"
                    + " restarted when the load ends: a restart that failed (see faults), or a node that exited on its"
                    + " own (logs/node-N.log)");
        }
        report.figure("settle.seconds", settledNanos < 0 ? Double.NaN : ms(settledNanos) / 1e3 - seconds, "s");
        Worst worstRemaster = new Worst();
        Worst worstUpAgain = new Worst();
        Worst worstPartition = new Worst();
        Worst worstAgent = new Worst();
        Worst worstDisconnect = new Worst();
        Worst worstKill = new Worst();
        Worst worstFailover = new Worst();
        for (InjectedFault f : faults) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", f.planned.index());
            m.put("kind", f.planned.kind().key);
            m.put(f.planned.kind().onHost() ? "host" : "node", f.planned.target() + 1);
            m.put("plannedAtMs", f.planned.at().toMillis());
            m.put("injectedAtMs", f.atNanos < 0 ? null : ms(f.atNanos));
            m.put("restartedAtMs", f.restartedNanos < 0 ? null : ms(f.restartedNanos));
            m.put("allowedLossMs", f.planned.allowedLoss().toMillis());
            m.put("skipped", f.skipped);
            m.put("restartFailure", f.restartFailure);
            double up = f.upAgainNanos < 0 ? Double.NaN : (f.upAgainNanos - f.atNanos) / 1e6;
            if (f.atNanos >= 0 && f.planned.kind() == Scenario.Kind.NODE_RESTART) {
                m.put("everyNodeUpAgainMs", Double.isNaN(up) ? null : up);
                worstUpAgain.add(up);
            }
            if (f.atNanos >= 0 && f.planned.kind() == Scenario.Kind.PARTITION) {
                m.put("healedAtMs", f.healedNanos < 0 ? null : ms(f.healedNanos));
                m.put("everyNodeUpAgainMs", Double.isNaN(up) ? null : up);
                worstPartition.add(up);
            }
            if (f.atNanos >= 0 && f.planned.kind() == Scenario.Kind.AGENT_KILL) {
                m.put("realizedAgainMs", Double.isNaN(up) ? null : up);
                worstAgent.add(up);
                if (f.killedSlot != null) {
                    m.put("slot", f.killedSlot);
                }
                if (f.killedActive) {
                    double fo = f.failedOverNanos < 0 ? Double.NaN : (f.failedOverNanos - f.atNanos) / 1e6;
                    m.put("failedOverMs", Double.isNaN(fo) ? null : fo);
                    worstFailover.add(fo);
                }
            }
            if (f.atNanos >= 0 && f.planned.kind() == Scenario.Kind.AGENT_DISCONNECT) {
                m.put("settledAgainMs", Double.isNaN(up) ? null : up);
                worstDisconnect.add(up);
            }
            if (f.planned.kind() == Scenario.Kind.LINK) {
                LinkFaults.describe(f, m, fabric.streams(), zero);
            }
            if (f.atNanos >= 0 && f.planned.kind() == Scenario.Kind.NODE_KILL) {
                if (f.planned.restartAfter() != null) {
                    m.put("everyNodeUpAgainMs", Double.isNaN(up) ? null : up);
                    worstKill.add(up);
                }
                double r = remasteredMs(f);
                m.put("everyHostMasteredElsewhereMs", Double.isNaN(r) ? null : r);
                worstRemaster.add(r);
            }
            report.faults.add(m);
        }
        report.figure("node-kill.remastered.max", worstRemaster.value(), "ms");
        report.figure("node-restart.up-again.max", worstUpAgain.value(), "ms");
        report.figure("partition.up-again.max", worstPartition.value(), "ms");
        report.figure("agent-kill.realized-again.max", worstAgent.value(), "ms");
        report.figure("agent-disconnect.settled-again.max", worstDisconnect.value(), "ms");
        report.figure("node-kill.up-again.max", worstKill.value(), "ms");
        report.figure("agent-kill.failover.max", worstFailover.value(), "ms");
        report.figure(
                "faults.restart-failures",
                faults.stream()
                        .filter(f -> f.atNanos >= 0 && f.restartFailure != null)
                        .count(),
                "count");
        CallFigures calls = CallFigures.of(load.calls(), zero, Long.MAX_VALUE, downs(faults));
        report.figure("calls.not-retryable", calls.notRetryable().size(), "count");
        if (!calls.notRetryable().isEmpty()) {
            report.notes.add("calls that failed not retryably: " + calls.describe());
        }
    }

    /**
     * The last write the API acknowledged on an op's port, as far as it is known: none after a delete that was tried
     * and not acknowledged (it may have been applied), the port existing after such an unbind.
     */
    private Optional<Invariants.Ack> lastAcked(PortLoad.Op o) {
        if (o.deleted) {
            return Optional.of(Invariants.Ack.deleted(o.port, ms(o.deleteEndNanos)));
        } else if (o.deleteTried) {
            return Optional.empty();
        } else if (o.unbound) {
            return Optional.of(Invariants.Ack.unbound(o.port, ms(o.unbindEndNanos)));
        } else if (o.acked && !o.unbindTried) {
            return Optional.of(new Invariants.Ack(o.port, o.target.host(), o.vlan, ms(o.bindEndNanos)));
        }
        return Optional.of(Invariants.Ack.created(o.port, ms(o.bindStartNanos)));
    }

    /**
     * The worst of the figures of one kind over the faults: NaN while there is none, and NaN for good once one fault never
     * got there (a failover that never happened must not hide behind a later one that did: NaN misses every SLO).
     */
    static final class Worst {
        private double max = Double.NaN;
        private boolean missing;

        void add(double one) {
            if (Double.isNaN(one)) {
                missing = true;
            } else {
                max = Double.isNaN(max) ? one : Math.max(max, one);
            }
        }

        double value() {
            return missing ? Double.NaN : max;
        }
    }

    /**
     * The nodes' down times the retryable-call figure allows for: a killed node from its kill on (its restart is not
     * waited for), a restarted or partitioned one from its SIGTERM or cut until every node was Up and ready again.
     */
    private static List<CallFigures.Down> downs(List<InjectedFault> faults) {
        return faults.stream()
                .filter(f -> f.atNanos >= 0
                        && f.planned.kind() != Scenario.Kind.CASSANDRA_STOP
                        && !f.planned.kind().onHost())
                .map(f -> new CallFigures.Down(
                        f.planned.target(),
                        f.atNanos,
                        f.planned.kind() != Scenario.Kind.NODE_KILL && f.upAgainNanos >= 0
                                ? f.upAgainNanos
                                : Long.MAX_VALUE))
                .toList();
    }

    /** From a kill until every host had a MASTER on another node (the watch's readings), NaN if one never had. */
    private double remasteredMs(InjectedFault f) {
        String victim = fabric.nodes().openflowAddresses().get(f.planned.target());
        int victimPort = Integer.parseInt(victim.substring(victim.lastIndexOf(':') + 1));
        long worst = 0;
        for (String h : watch.hosts()) {
            Optional<MastershipWatch.Reading> r = watch.firstMaster(h, f.atNanos, p -> p != victimPort);
            if (r.isEmpty()) {
                return Double.NaN;
            }
            worst = Math.max(worst, r.get().atNanos() - f.atNanos);
        }
        return worst / 1e6;
    }

    private long ms(long nanos) {
        return (nanos - zero) / 1_000_000;
    }
}
