package io.portmesh.loadtest.harness;

import java.util.concurrent.CompletableFuture;

/**
 * A fault of a {@link HarnessRun} as it happened: planned, then injected (or skipped, and why) and its victim
 * restarted.
 */
final class InjectedFault {
    final FaultSchedule.Planned planned;
    long atNanos = -1;
    volatile long restartedNanos = -1;
    /**
     * A node-restart's or a partition's end: every node Up and ready again; an agent-kill's: its host realized again
     * (nanoTime), -1 before or never.
     */
    volatile long upAgainNanos = -1;
    /** A partition's heal: its rules removed; a link fault's: its impairment healed (nanoTime), -1 before or never. */
    volatile long healedNanos = -1;

    /** An agent-kill's slot on a pair host (a or b), null on a single-agent host. */
    volatile String killedSlot;
    /**
     * An agent-kill of a pair host's active agent: when the other slot was seen active with its trunk up (nanoTime),
     * -1 before or never.
     */
    volatile long failedOverNanos = -1;
    /** Whether an agent-kill on a pair host killed the active agent (a failover follows). */
    volatile boolean killedActive;

    /** A link fault's impairment once injected, null before and for the other kinds. */
    volatile LinkFaults.Impaired link;

    long restartDueNanos = -1;
    volatile String skipped;
    volatile String restartFailure;
    CompletableFuture<Void> restarting;

    InjectedFault(FaultSchedule.Planned planned) {
        this.planned = planned;
    }
}
