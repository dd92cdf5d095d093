package io.portmesh.agent.pipeline;

import io.portmesh.agent.table.FlowEntry;
import io.portmesh.agent.table.KeyLayout;
import java.util.concurrent.atomic.AtomicInteger;

/** Per-thread scratch state of the pipeline, reused for every frame so the hot path allocates nothing. */
final class Context {
    private static final AtomicInteger THREADS = new AtomicInteger();

    /** This thread's counter lane in every flow entry (see {@link FlowEntry#LANES}). */
    final int lane;

    final Packet packet = new Packet();
    /** The copy a group bucket works on (buckets cannot chain groups, so one level is enough). */
    final Packet bucket = new Packet();

    final ActionSet actionSet = new ActionSet();
    final long[] key = new long[KeyLayout.WORDS];
    /** The flow whose instructions are running, for packet-in reason and cookie; null for packet-out. */
    FlowEntry entry;

    /** Frames handed to a port or the controller for the current input frame. */
    int emitted;
    /** OUTPUT:TABLE is only legal in a packet-out. */
    boolean packetOut;
    /** Whether some VLAN is arriving ({@link ArrivalReplay#armed}), read once per frame. */
    boolean replayArmed;

    /** A context for a new thread: the next lane. */
    Context() {
        this(THREADS.getAndIncrement() % FlowEntry.LANES);
    }

    /** A context for extra work on the current thread (packet-out), sharing that thread's lane. */
    Context(int lane) {
        this.lane = lane;
    }
}
