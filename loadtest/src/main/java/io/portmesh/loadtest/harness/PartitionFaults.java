package io.portmesh.loadtest.harness;

import io.portmesh.loadtest.bind.Sleep;
import io.portmesh.loadtest.faults.LoopbackPartition;
import io.portmesh.loadtest.nodeloss.ControllerNodes;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.LongUnaryOperator;

/**
 * The partition faults of a harness run: a controller node cut off from the other two both ways ({@link
 * ControllerNodes#partition}), healed {@code heal-after} later, and the node started again once it has exited (cut off
 * long enough, it downs itself: its split brain resolver's decision, docs/architecture.md section 7.3). Split from
 * {@link FaultInjector}, which decides whether a partition may fire.
 */
final class PartitionFaults {
    private static final Duration POLL = Duration.ofMillis(250);

    private final Scenario s;
    private final Victims nodes;
    private final BiConsumer<String, Object[]> progress;
    private final LongUnaryOperator runMs;
    private Optional<String> unavailable;

    /** What a partition does to the controller nodes ({@link ControllerNodes} in a run; a test gives its own). */
    interface Victims {
        LoopbackPartition partition(int node);

        boolean isAlive(int node);

        void restart(int node) throws java.io.IOException;

        /** When every node saw all three Up and ready (nanoTime), -1 after {@code timeout}. */
        long awaitUp(Duration timeout);

        boolean allUp();

        static Victims of(ControllerNodes n) {
            return new Victims() {
                @Override
                public LoopbackPartition partition(int node) {
                    return n.partition(node);
                }

                @Override
                public boolean isAlive(int node) {
                    return n.isAlive(node);
                }

                @Override
                public void restart(int node) throws java.io.IOException {
                    n.restart(node);
                }

                @Override
                public long awaitUp(Duration timeout) {
                    return n.awaitUp(timeout);
                }

                @Override
                public boolean allUp() {
                    return n.allUp();
                }
            };
        }
    }

    PartitionFaults(Scenario s, Victims nodes, BiConsumer<String, Object[]> progress, LongUnaryOperator runMs) {
        this.s = s;
        this.nodes = nodes;
        this.progress = progress;
        this.runMs = runMs;
    }

    /** Why this machine cannot cut a node off (no root, no iptables ...: the fault is skipped), asked once. */
    synchronized Optional<String> unavailable() {
        if (unavailable == null) {
            unavailable = LoopbackPartition.unavailableReason().map(why -> "no partition on this machine: " + why);
        }
        return unavailable;
    }

    /**
     * The whole fault, on a thread of its own: cut, wait {@code heal-after}, heal (the rules removed whatever
     * happens), then start the node again once it has exited, and wait until every node sees all three Up and ready (at
     * most the scenario's setup-timeout). A node that rejoins without exiting (healed before it was downed) ends the
     * fault as soon as all three are Up.
     */
    void cutHealRestart(InjectedFault f) {
        int node = f.planned.target();
        try {
            try (LoopbackPartition cut = nodes.partition(node)) {
                say("node %d cut off from the other two (Artery port %d)", node + 1, cut.port());
                Sleep.millis(f.planned.healAfter().toMillis());
            }
            f.healedNanos = System.nanoTime();
            say("node %d healed at %.1f s", node + 1, runMs.applyAsLong(f.healedNanos) / 1e3);
            long deadline = System.nanoTime() + s.setupTimeout().toNanos();
            while (System.nanoTime() - deadline < 0) {
                if (!nodes.isAlive(node)) {
                    nodes.restart(node);
                    f.restartedNanos = System.nanoTime();
                    long up = nodes.awaitUp(s.setupTimeout());
                    if (up < 0) {
                        f.restartFailure = "not Up and ready again within "
                                + s.setupTimeout().toSeconds() + " s";
                        say("node %d %s", node + 1, f.restartFailure);
                        return;
                    }
                    f.upAgainNanos = up;
                    say(
                            "node %d (it had downed itself) started again at %.1f s, every node Up and ready %.1f s"
                                    + " after the cut",
                            node + 1, runMs.applyAsLong(f.restartedNanos) / 1e3, (up - f.atNanos) / 1e9);
                    return;
                }
                if (nodes.allUp()) {
                    f.upAgainNanos = System.nanoTime();
                    say("node %d rejoined without exiting", node + 1);
                    return;
                }
                Sleep.millis(POLL.toMillis());
            }
            f.restartFailure =
                    "neither exited nor Up again within " + s.setupTimeout().toSeconds() + " s of the heal";
            say("node %d %s", node + 1, f.restartFailure);
        } catch (java.io.IOException | RuntimeException e) {
            f.restartFailure = e.toString();
            say("partition of node %d not undone: %s", node + 1, e);
        }
    }

    private void say(String fmt, Object... args) {
        progress.accept(fmt, args);
    }
}
