package io.portmesh.agent.table;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** One installed flow. Readers use {@link #instructions()} and {@link #hit}; the rest is the writer's. */
public final class FlowEntry {
    /*
     * Counters in lanes, one lane per I/O thread (see LANES): a lane is only ever written by its own
     * thread, with plain (opaque) stores, so a hit never waits on an atomic read-modify-write of a
     * line that may not be in the cache. Exact while threads do not share a lane. Declared first and
     * pairwise: HotSpot lays longs out in declaration order, so a lane's two counters share a line.
     */
    private long packets0;

    private long bytes0;
    private long packets1;
    private long bytes1;
    private long packets2;
    private long bytes2;
    private long packets3;
    private long bytes3;

    public final int tableId;
    public final int priority;
    public final long cookie;
    final FlowMatch match;
    final int idleTimeout;
    final int hardTimeout;
    /** OFPFF_* bits as on the wire. */
    final int flags;

    final long createdNanos;
    private volatile Instructions instructions;
    /** Counts carried over from a replaced flow, written only by the writer before publication. */
    private long carriedPackets;

    private long carriedBytes;

    /** Writer-side idle tracking: packet count seen at the last expiry pass, and when it moved. */
    long lastSeenPackets;

    long lastUsedNanos;

    FlowEntry(
            int tableId,
            int priority,
            long cookie,
            FlowMatch match,
            int idleTimeout,
            int hardTimeout,
            int flags,
            long createdNanos,
            Instructions instructions) {
        this.tableId = tableId;
        this.priority = priority;
        this.cookie = cookie;
        this.match = match;
        this.idleTimeout = idleTimeout;
        this.hardTimeout = hardTimeout;
        this.flags = flags;
        this.createdNanos = createdNanos;
        this.lastUsedNanos = createdNanos;
        this.instructions = instructions;
    }

    public Instructions instructions() {
        return instructions;
    }

    void instructions(Instructions next) {
        instructions = next;
    }

    public FlowMatch match() {
        return match;
    }

    /** Number of counter lanes; I/O threads pick {@code lane = index % LANES}. */
    public static final int LANES = 4;

    /** Counts one frame on the calling thread's lane (see {@link #LANES}). */
    public void hit(int lane, int frameBytes) {
        switch (lane & (LANES - 1)) {
            case 0 -> {
                P0.setOpaque(this, packets0 + 1);
                B0.setOpaque(this, bytes0 + frameBytes);
            }
            case 1 -> {
                P1.setOpaque(this, packets1 + 1);
                B1.setOpaque(this, bytes1 + frameBytes);
            }
            case 2 -> {
                P2.setOpaque(this, packets2 + 1);
                B2.setOpaque(this, bytes2 + frameBytes);
            }
            default -> {
                P3.setOpaque(this, packets3 + 1);
                B3.setOpaque(this, bytes3 + frameBytes);
            }
        }
    }

    /** Counts one frame on lane 0 (tests, single-threaded callers). */
    public void hit(int frameBytes) {
        hit(0, frameBytes);
    }

    long packets() {
        return carriedPackets
                + (long) P0.getOpaque(this)
                + (long) P1.getOpaque(this)
                + (long) P2.getOpaque(this)
                + (long) P3.getOpaque(this);
    }

    long bytes() {
        return carriedBytes
                + (long) B0.getOpaque(this)
                + (long) B1.getOpaque(this)
                + (long) B2.getOpaque(this)
                + (long) B3.getOpaque(this);
    }

    /** The table-miss flow: priority 0, every field wildcarded (packet-ins carry reason NO_MATCH). */
    public boolean isTableMiss() {
        return priority == 0 && match.isCatchAll();
    }

    boolean sendsFlowRemoved() {
        return (flags & FlowModRequest.SEND_FLOW_REM) != 0;
    }

    boolean hasTimeout() {
        return idleTimeout > 0 || hardTimeout > 0;
    }

    /** Before publication only: starts this flow's counters where {@code old}'s are now. */
    void copyCountersFrom(FlowEntry old) {
        carriedPackets = old.packets();
        carriedBytes = old.bytes();
        lastSeenPackets = old.lastSeenPackets;
    }

    /**
     * RESET_COUNTS on a modify. The writer cannot zero a lane another thread owns without racing
     * it, so it moves the current totals into a negative carry instead.
     */
    void resetCounters() {
        carriedPackets -= packets();
        carriedBytes -= bytes();
        lastSeenPackets = 0;
    }

    private static final VarHandle P0 = handle("packets0");
    private static final VarHandle P1 = handle("packets1");
    private static final VarHandle P2 = handle("packets2");
    private static final VarHandle P3 = handle("packets3");
    private static final VarHandle B0 = handle("bytes0");
    private static final VarHandle B1 = handle("bytes1");
    private static final VarHandle B2 = handle("bytes2");
    private static final VarHandle B3 = handle("bytes3");

    private static VarHandle handle(String field) {
        try {
            return MethodHandles.lookup().findVarHandle(FlowEntry.class, field, long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
