package io.portmesh.loadtest.harness;

import io.portmesh.loadtest.bind.Sleep;
import io.portmesh.loadtest.faults.RestartableCassandra;
import io.portmesh.loadtest.nodeloss.ControllerNodes;
import io.portmesh.loadtest.nodeloss.NodeLossFabric;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.LongUnaryOperator;

/**
 * The faults of one harness run as they are injected and undone: kills and stops of controller nodes and of the
 * embedded Cassandra, the restarts due after them, and the rules that skip a fault (a second node loss would take
 * the majority; one restart at a time; Cassandra down already). Split from {@link HarnessRun}, which schedules them.
 */
final class FaultInjector {
    /** A link fault's hold-and-heal waits out its heal-after: a daemon thread each, none left when the run ends. */
    private static final java.util.concurrent.Executor LINK_THREADS = r -> {
        Thread t = new Thread(r, "harness-link-heal");
        t.setDaemon(true);
        t.start();
    };

    private final Scenario s;
    private final NodeLossFabric fabric;
    /** The run's own Cassandra, null when the scenario uses an external one (no cassandra-stop fault then). */
    private final RestartableCassandra cassandra;

    private final BiConsumer<String, Object[]> progress;
    private final LongUnaryOperator runMs;
    private volatile boolean cassandraDown;
    private final PartitionFaults partitions;
    private final AgentDisconnects disconnects;
    private final PairKills pairKills;
    private final LinkFaults links;

    FaultInjector(
            Scenario s,
            NodeLossFabric fabric,
            RestartableCassandra cassandra,
            HostLinks links,
            BiConsumer<String, Object[]> progress,
            LongUnaryOperator runMs) {
        this.s = s;
        this.fabric = fabric;
        this.cassandra = cassandra;
        this.progress = progress;
        this.runMs = runMs;
        this.partitions = new PartitionFaults(s, PartitionFaults.Victims.of(fabric.nodes()), progress, runMs);
        this.disconnects = new AgentDisconnects(s, fabric, progress);
        this.pairKills = new PairKills(s, fabric, progress, runMs);
        this.links = new LinkFaults(s, links, progress, runMs);
    }

    private void say(String fmt, Object... args) {
        progress.accept(fmt, args);
    }

    private long ms(long nanos) {
        return runMs.applyAsLong(nanos);
    }

    void inject(InjectedFault f, List<InjectedFault> faults) throws InterruptedException {
        if (f.planned.kind() == Scenario.Kind.LINK) {
            Optional<String> why = links.busy(f);
            if (why.isPresent()) {
                skip(f, why.get());
                return;
            }
            links.impair(f);
            // a thread of its own: it waits out heal-after, which would hold a common-pool thread that long
            f.restarting = CompletableFuture.runAsync(() -> links.holdAndHeal(f), LINK_THREADS);
            say("fault %s injected at %.1f s", f.planned.describe(), ms(f.atNanos) / 1e3);
            return;
        }
        if (f.planned.kind() == Scenario.Kind.AGENT_DISCONNECT) {
            Optional<String> why = hostBusy(f, faults).or(AgentDisconnects::unavailable);
            if (why.isPresent()) {
                skip(f, why.get());
                return;
            }
            f.atNanos = System.nanoTime();
            f.restarting = CompletableFuture.runAsync(() -> disconnects.resetAndAwait(f));
            say("fault %s injected at %.1f s", f.planned.describe(), ms(f.atNanos) / 1e3);
            return;
        }
        if (f.planned.kind() == Scenario.Kind.AGENT_KILL) {
            String host = fabric.hosts().get(f.planned.target());
            Optional<String> why = hostBusy(f, faults);
            if (why.isPresent()) {
                // one outage per host at a time: its realized-again time is the outage the loss window must cover
                skip(f, why.get());
                return;
            }
            if (fabric.agentJvms().isPair(host)) {
                Optional<String> failed = pairKills.kill(f, host);
                if (failed.isPresent()) {
                    skip(f, failed.get());
                    return;
                }
            } else {
                f.atNanos = fabric.agentJvms().kill(host);
            }
        } else if (f.planned.kind() == Scenario.Kind.CASSANDRA_STOP) {
            if (cassandraDown) {
                skip(f, "Cassandra is down already");
                return;
            }
            cassandraDown = true;
            f.atNanos = System.nanoTime();
            cassandra.kill();
        } else {
            ControllerNodes nodes = fabric.nodes();
            for (int i = 0; i < ControllerNodes.SIZE; i++) {
                if (!nodes.isAlive(i)) {
                    skip(f, "node " + (i + 1) + " is down already (a second loss would take the majority)");
                    return;
                }
            }
            Optional<InjectedFault> underWay = faults.stream()
                    .filter(o -> (o.planned.kind() == Scenario.Kind.NODE_RESTART
                                    || o.planned.kind() == Scenario.Kind.PARTITION
                                    || o.planned.kind() == Scenario.Kind.NODE_KILL)
                            && o.restarting != null
                            && !o.restarting.isDone())
                    .findFirst();
            if (underWay.isPresent()) {
                skip(
                        f,
                        "the " + underWay.get().planned.kind().key + " #"
                                + underWay.get().planned.index() + " is under way (one node at a time)");
                return;
            }
            if (f.planned.kind() == Scenario.Kind.PARTITION) {
                Optional<String> why = partitions.unavailable();
                if (why.isPresent()) {
                    skip(f, why.get());
                    return;
                }
                f.atNanos = System.nanoTime();
                f.restarting = CompletableFuture.runAsync(() -> partitions.cutHealRestart(f));
                say("fault %s injected at %.1f s", f.planned.describe(), ms(f.atNanos) / 1e3);
                return;
            }
            if (f.planned.kind() == Scenario.Kind.NODE_RESTART) {
                f.atNanos = System.nanoTime();
                f.restarting = CompletableFuture.runAsync(() -> restartInTurn(f));
                say("fault %s injected at %.1f s", f.planned.describe(), ms(f.atNanos) / 1e3);
                return;
            }
            f.atNanos = nodes.kill(f.planned.target());
        }
        if (f.planned.restartAfter() != null) {
            f.restartDueNanos = f.atNanos + f.planned.restartAfter().toNanos();
        }
        say("fault %s injected at %.1f s", f.planned.describe(), ms(f.atNanos) / 1e3);
    }

    /**
     * A node-restart, on a thread of its own (a coordinated shutdown takes seconds, a JVM start tens of seconds on a
     * loaded machine, and the sampling and the load go on meanwhile): SIGTERM and wait for the exit, start it again on
     * its ports after {@code restart-after}, and wait until every node sees all three Up and ready (at most the
     * scenario's setup-timeout).
     */
    private void restartInTurn(InjectedFault f) {
        ControllerNodes nodes = fabric.nodes();
        int node = f.planned.target();
        try {
            nodes.stop(node);
            say("node %d stopped (SIGTERM) after %.1f s", node + 1, (System.nanoTime() - f.atNanos) / 1e9);
            Duration after = f.planned.restartAfter() == null ? Duration.ZERO : f.planned.restartAfter();
            Sleep.millis(after.toMillis());
            nodes.restart(node);
            f.restartedNanos = System.nanoTime();
            long up = nodes.awaitUp(s.setupTimeout());
            if (up < 0) {
                f.restartFailure =
                        "not Up and ready again within " + s.setupTimeout().toSeconds() + " s";
                say("node %d %s", node + 1, f.restartFailure);
                return;
            }
            f.upAgainNanos = up;
            say(
                    "node %d restarted at %.1f s, every node Up and ready %.1f s after its SIGTERM",
                    node + 1, ms(f.restartedNanos) / 1e3, (up - f.atNanos) / 1e9);
        } catch (java.io.IOException | RuntimeException e) {
            f.restartFailure = e.toString();
            say("node %d not restarted: %s", node + 1, e);
        }
    }

    /**
     * An agent killed: started again with the options of its first start, then awaited until its host is mastered and
     * realized again, as many flows installed as desired, on however many connections ({@code upAgainNanos}; at most
     * the scenario's setup-timeout; {@link NodeLossFabric#forwardingAgain}): the end of the outage a single-agent host
     * has, which its allowed loss window must cover.
     */
    private void restartAgent(InjectedFault f) {
        String host = fabric.hosts().get(f.planned.target());
        try {
            fabric.agentJvms().restart(host);
            f.restartedNanos = System.nanoTime();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + s.setupTimeout().toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (fabric.forwardingAgain(host)) {
                f.upAgainNanos = System.nanoTime();
                Optional<String> notStandby =
                        f.killedSlot == null ? Optional.empty() : pairKills.notStandbyAgain(f, host);
                notStandby.ifPresent(why -> f.restartFailure = why);
                say(
                        "%s %s %.1f s after its kill%s",
                        host,
                        f.killedSlot == null
                                ? "forwarding again"
                                : "settled again (slot " + f.killedSlot + " restarted)",
                        (f.upAgainNanos - f.atNanos) / 1e9,
                        notStandby.map(w -> ": " + w).orElse(""));
                return;
            }
            Sleep.millis(250);
        }
        f.restartFailure = "not realized again within " + s.setupTimeout().toSeconds() + " s of its restart";
        say("%s %s", host, f.restartFailure);
    }

    /**
     * Why a host's connections are not reset now: its agent is down or not realized again after a kill, or its last
     * reset has not settled yet (one outage per host at a time, as for agent kills).
     */
    private Optional<String> hostBusy(InjectedFault f, List<InjectedFault> faults) {
        String host = fabric.hosts().get(f.planned.target());
        if (fabric.agentJvms().has(host) && !fabric.agentJvms().isAlive(host)) {
            return Optional.of("the agent of " + host + " is down");
        }
        return faults.stream()
                .filter(o -> o != f
                        && o.planned.target() == f.planned.target()
                        && o.atNanos >= 0
                        && o.restartFailure == null
                        && (o.planned.kind() == Scenario.Kind.AGENT_KILL && o.upAgainNanos < 0
                                || o.planned.kind() == Scenario.Kind.AGENT_DISCONNECT && !o.restarting.isDone()))
                .findFirst()
                .map(o -> host + " is not settled again after #" + o.planned.index() + " (" + o.planned.kind().key
                        + ") yet");
    }

    /**
     * A killed node started again and awaited until every node sees all three Up and ready ({@code upAgainNanos}, at
     * most the scenario's setup-timeout): until then the kill is under way, and a second node fault would leave one
     * node of three Up.
     */
    private void restartKilled(InjectedFault f) {
        try {
            fabric.nodes().restart(f.planned.target());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        f.restartedNanos = System.nanoTime();
        long up = fabric.nodes().awaitUp(s.setupTimeout());
        if (up < 0) {
            f.restartFailure =
                    "not Up and ready again within " + s.setupTimeout().toSeconds() + " s";
            say("node %d %s", f.planned.target() + 1, f.restartFailure);
            return;
        }
        f.upAgainNanos = up;
        say("node %d Up and ready again %.1f s after its kill", f.planned.target() + 1, (up - f.atNanos) / 1e9);
    }

    private void skip(InjectedFault f, String why) {
        f.skipped = why;
        say("fault %s skipped: %s", f.planned.describe(), why);
    }

    /**
     * Restarts the victims whose time has come (all of them with {@code all}, at the end of the load, which then waits
     * for Cassandra's restarts). A node restarts at once (its JVM is launched); Cassandra takes 20-60 s to answer
     * CQL, so it restarts on a thread of its own and the faults and the sampling go on meanwhile.
     */
    void restartDue(List<InjectedFault> faults, boolean all) {
        for (InjectedFault f : faults) {
            if (f.restartDueNanos < 0
                    || f.restartedNanos >= 0
                    || f.restartFailure != null
                    || f.restarting != null
                    || !(all || System.nanoTime() - f.restartDueNanos >= 0)) {
                continue;
            }
            String what = f.planned.targetName();
            Runnable restart = switch (f.planned.kind()) {
                case CASSANDRA_STOP ->
                    () -> {
                        cassandra.restart();
                        cassandraDown = false;
                    };
                case AGENT_KILL -> () -> restartAgent(f);
                default -> () -> restartKilled(f);
            };
            f.restarting = CompletableFuture.runAsync(() -> {
                try {
                    restart.run();
                    if (f.restartedNanos < 0) {
                        f.restartedNanos = System.nanoTime();
                    }
                    say("%s restarted at %.1f s", what, ms(f.restartedNanos) / 1e3);
                } catch (RuntimeException e) {
                    f.restartFailure = e.toString();
                    say("%s not restarted: %s", what, e);
                }
            });
        }
        if (all) {
            LinkFaults.healAllNow(faults);
            faults.stream().filter(f -> f.restarting != null).forEach(f -> f.restarting.join());
        }
    }
}
