package io.portmesh.loadtest.nodeloss;

import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.loadtest.bind.Sleep;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One controller node killed with SIGKILL under load, and what the survivors make of it, timed from the kill: (a) the
 * node removed from both survivors' view ({@code GET /v1/cluster} polled on each), (b) every host re-mastered (each
 * agent has a MASTER connection to a survivor, with a higher generation than before the kill where its master was the
 * killed node's: {@link AgentStates#remastered}), (c) a new port
 * realized: from the kill on, every {@code probeEvery} a new port is created and bound with {@code ?wait=realized}
 * through the load ({@link PortLoad#extra}) on {@link NodeLossFabric#recoveryTarget} (a host and a new switch whose
 * entities ran on the killed node), and the first realized answer counts. Every wait is bounded by {@code timeout}; a figure not
 * reached is -1.
 */
public final class NodeKill {
    public final int node;
    public final String address;
    public final long killNanos;
    public final List<DatapathAgent.ControlState> before;
    public final NodeLossFabric.RecoveryTarget probeTarget;
    public long removedNanos = -1;
    public long unreachableSeenNanos = -1;
    public long remasteredNanos = -1;
    public long newPortNanos = -1;
    /** What the survivors said of the other survivor meanwhile, when it was anything but Up: a false downing. */
    public final Set<String> falseDownings = new LinkedHashSet<>();
    /** The same for a survivor said to be unreachable (not a downing, but on the way to one). */
    public final Set<String> otherUnreachable = new LinkedHashSet<>();

    public final List<ClusterWatch> watches = new ArrayList<>();
    public final List<PortLoad.Op> probes = new ArrayList<>();

    private NodeKill(
            int node,
            String address,
            long killNanos,
            List<DatapathAgent.ControlState> before,
            NodeLossFabric.RecoveryTarget probeTarget) {
        this.node = node;
        this.address = address;
        this.killNanos = killNanos;
        this.before = before;
        this.probeTarget = probeTarget;
    }

    /** Kills node {@code victim} and measures until (a), (b) and (c) are seen or {@code timeout} passed. */
    public static NodeKill run(
            NodeLossFabric f, PortLoad load, int victim, Duration pollEvery, Duration probeEvery, Duration timeout)
            throws Exception {
        ControllerNodes nodes = f.nodes();
        List<DatapathAgent> agents = f.agents();
        List<DatapathAgent.ControlState> before = AgentStates.read(agents);
        NodeLossFabric.RecoveryTarget target = f.recoveryTarget(victim);
        List<ClusterWatch> watches = new ArrayList<>();
        for (int i = 0; i < ControllerNodes.SIZE; i++) {
            if (i != victim) {
                watches.add(ClusterWatch.start(i, nodes.api(i), pollEvery, timeout.plusSeconds(30)));
            }
        }
        Sleep.millis(pollEvery.toMillis()); // one answer of each survivor from before the kill
        NodeKill k = new NodeKill(victim, nodes.address(victim), nodes.kill(victim), before, target);
        k.watches.addAll(watches);
        String victimOpenflow = nodes.openflowAddresses().get(victim);
        long deadline = k.killNanos + timeout.toNanos();
        long nextProbe = k.killNanos;
        while (System.nanoTime() - deadline < 0 && !k.complete()) {
            long now = System.nanoTime();
            if (k.newPortNanos < 0 && now - nextProbe >= 0) {
                k.probes.add(load.extra(target.target()));
                nextProbe = now + probeEvery.toNanos();
            }
            if (k.remasteredNanos < 0 && AgentStates.remastered(agents, before, victimOpenflow)) {
                k.remasteredNanos = System.nanoTime();
            }
            k.newPortNanos = k.firstRealized();
            k.removedNanos = k.latestFirstSeen(v -> v.removed(k.address));
            Sleep.millis(20);
        }
        k.unreachableSeenNanos = k.earliestFirstSeen(v -> v.unreachableOrLeaving(k.address) || v.removed(k.address));
        watches.forEach(ClusterWatch::close);
        k.collectTrouble(nodes);
        return k;
    }

    private boolean complete() {
        return removedNanos >= 0 && remasteredNanos >= 0 && newPortNanos >= 0;
    }

    /** The first realized answer among the probes so far (nanoTime), -1 for none yet. */
    private long firstRealized() {
        long first = -1;
        for (PortLoad.Op op : probes) {
            if (op.done && op.acked && op.realized && (first < 0 || op.bindEndNanos - first < 0)) {
                first = op.bindEndNanos;
            }
        }
        return first;
    }

    /** When every survivor had shown {@code seen} (the later of their first such answers), -1 while one has not. */
    private long latestFirstSeen(java.util.function.Predicate<ClusterView> seen) {
        long latest = -1;
        for (ClusterWatch w : watches) {
            long t = w.firstSeen(killNanos, seen);
            if (t < 0) {
                return -1;
            }
            latest = Math.max(latest, t);
        }
        return latest;
    }

    private long earliestFirstSeen(java.util.function.Predicate<ClusterView> seen) {
        long earliest = -1;
        for (ClusterWatch w : watches) {
            long t = w.firstSeen(killNanos, seen);
            if (t >= 0 && (earliest < 0 || t < earliest)) {
                earliest = t;
            }
        }
        return earliest;
    }

    private void collectTrouble(ControllerNodes nodes) {
        for (ClusterWatch w : watches) {
            for (ClusterWatch.Poll p : w.between(killNanos, Long.MAX_VALUE)) {
                if (p.view() != null) {
                    p.view()
                            .troubleExcept(address, nodes.addresses(), false)
                            .forEach(t -> falseDownings.add("node " + (w.node() + 1) + " saw " + t));
                    p.view()
                            .troubleExcept(address, nodes.addresses(), true)
                            .forEach(t -> otherUnreachable.add("node " + (w.node() + 1) + " saw " + t));
                }
            }
        }
        for (int i = 0; i < ControllerNodes.SIZE; i++) {
            if (i != node && !nodes.isAlive(i)) {
                falseDownings.add("node " + (i + 1) + " exited");
            }
        }
    }

    /** Milliseconds from the kill to {@code nanos}, NaN when it was not reached. */
    public double ms(long nanos) {
        return nanos < 0 ? Double.NaN : (nanos - killNanos) / 1e6;
    }
}
