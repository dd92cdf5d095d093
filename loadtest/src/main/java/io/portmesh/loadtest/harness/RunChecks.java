package io.portmesh.loadtest.harness;

import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.loadtest.faults.MastershipWatch;
import io.portmesh.loadtest.nodeloss.CallFigures;
import io.portmesh.loadtest.nodeloss.NodeLossFabric;
import io.portmesh.loadtest.nodeloss.PortLoad;
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
    private final long zero;
    private final Progress progress;

    RunChecks(Scenario s, NodeLossFabric fabric, MastershipWatch watch, long zero, Progress progress) {
        this.s = s;
        this.fabric = fabric;
        this.watch = watch;
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
                .map(o -> o.acked
                        ? new Invariants.Ack(o.port, o.target.host(), o.vlan, ms(o.bindEndNanos))
                        : Invariants.Ack.created(o.port, ms(o.bindStartNanos)))
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
        Map<String, String> teps = LiveState.tunnelIps(fabric.nodes().apis(), fabric.hosts());
        for (int i = 0; i < fabric.hosts().size(); i++) {
            String h = fabric.hosts().get(i);
            DatapathAgent a = fabric.agents().get(i);
            Invariants.flows(h, LiveState.desired(h, ports, teps), LiveState.installed(a), at)
                    .ifPresent(v::add);
            v.addAll(Invariants.masterGrants(h, a.controlState().masterGrants(), at));
        }
        v.addAll(Invariants.masters(watch.readings().stream()
                .map(r -> new Invariants.MasterSample(
                        r.host(), ms(r.atNanos()), r.roles().masters()))
                .toList()));
        List<Invariants.Window> windows = faults.stream()
                .filter(f -> f.atNanos >= 0)
                .map(f -> new Invariants.Window(
                        ms(f.atNanos), ms(f.atNanos) + f.planned.allowedLoss().toMillis(), "#" + f.planned.index()))
                .toList();
        v.addAll(Invariants.frames(frames, total.lost(), framesAt, windows));
        Map<String, Integer> counts = Invariants.counts(v);
        counts.forEach((k, n) -> report.figure("violations." + k, n, "count"));
        report.figure("violations", v.size(), "count");
        report.figure("checked.acknowledged-writes", acks.size(), "count");
        report.figure("checked.ports", LiveState.rows(ports).size(), "count");
        report.figure("checked.master-readings", watch.readings().size(), "count");
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
        report.figure("settle.seconds", settledNanos < 0 ? Double.NaN : ms(settledNanos) / 1e3 - seconds, "s");
        double worstRemaster = Double.NaN;
        double worstUpAgain = Double.NaN;
        for (InjectedFault f : faults) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", f.planned.index());
            m.put("kind", f.planned.kind().key);
            m.put("node", f.planned.target() + 1);
            m.put("plannedAtMs", f.planned.at().toMillis());
            m.put("injectedAtMs", f.atNanos < 0 ? null : ms(f.atNanos));
            m.put("restartedAtMs", f.restartedNanos < 0 ? null : ms(f.restartedNanos));
            m.put("allowedLossMs", f.planned.allowedLoss().toMillis());
            m.put("skipped", f.skipped);
            m.put("restartFailure", f.restartFailure);
            if (f.atNanos >= 0 && f.planned.kind() == Scenario.Kind.NODE_RESTART) {
                double up = f.upAgainNanos < 0 ? Double.NaN : (f.upAgainNanos - f.atNanos) / 1e6;
                m.put("everyNodeUpAgainMs", Double.isNaN(up) ? null : up);
                worstUpAgain = Double.isNaN(worstUpAgain) || Double.isNaN(up) ? up : Math.max(worstUpAgain, up);
            }
            if (f.atNanos >= 0 && f.planned.kind() == Scenario.Kind.NODE_KILL) {
                double r = remasteredMs(f);
                m.put("everyHostMasteredElsewhereMs", Double.isNaN(r) ? null : r);
                worstRemaster = Double.isNaN(worstRemaster) || Double.isNaN(r) ? r : Math.max(worstRemaster, r);
            }
            report.faults.add(m);
        }
        report.figure("node-kill.remastered.max", worstRemaster, "ms");
        report.figure("node-restart.up-again.max", worstUpAgain, "ms");
        CallFigures calls = CallFigures.of(load.calls(), zero, Long.MAX_VALUE, downs(faults));
        report.figure("calls.not-retryable", calls.notRetryable().size(), "count");
        if (!calls.notRetryable().isEmpty()) {
            report.notes.add("calls that failed not retryably: " + calls.describe());
        }
    }

    /**
     * The nodes' down times the retryable-call figure allows for: a killed node from its kill on (its restart is not
     * waited for), a restarted one from its SIGTERM until every node was Up and ready again.
     */
    private static List<CallFigures.Down> downs(List<InjectedFault> faults) {
        return faults.stream()
                .filter(f -> f.atNanos >= 0 && f.planned.kind() != Scenario.Kind.CASSANDRA_STOP)
                .map(f -> new CallFigures.Down(
                        f.planned.target(),
                        f.atNanos,
                        f.planned.kind() == Scenario.Kind.NODE_RESTART && f.upAgainNanos >= 0
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
