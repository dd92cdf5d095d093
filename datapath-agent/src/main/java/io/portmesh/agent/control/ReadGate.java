package io.portmesh.agent.control;

import io.portmesh.openflow.OfConnection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bounds what one OpenFlow connection can make the agent hold: the messages read from it and not yet handled by the
 * control thread, and the replies written to it and not yet read. Past either bound the agent stops reading the
 * connection ({@link OfConnection#setReadPaused}) until the control thread caught up and the peer read its replies:
 * the peer's further requests wait in the sockets' buffers and TCP slows it down. Nothing is dropped, so a controller
 * reading back a large flow table gets every reply; a peer that sends requests and never reads (20,000 table-features
 * requests queued 48 MB of replies before) makes the agent hold at most {@link #MAX_QUEUED} requests and their replies.
 * The OpenFlow ends' own replies (echo, errors) have their own bound ({@code OfChannels.MAX_PENDING_REPLY_BYTES}).
 */
final class ReadGate {
    /**
     * Messages of one connection handed to the control thread and not handled yet, above which its reads pause. Far
     * above what a flow-mod burst keeps queued while the control thread works (reads resume at half of it, before the
     * queue runs dry, so a busy controller connection loses no throughput).
     */
    static final int MAX_QUEUED = 1024;

    private final Map<OfConnection, State> states = new ConcurrentHashMap<>();

    private static final class State {
        int queued;
        boolean paused;
    }

    /** A message of {@code c} was read and is about to be queued for the control thread (its I/O thread). */
    void received(OfConnection c) {
        update(c, 1);
    }

    /** A message of {@code c} was handled, its replies written (the control thread). */
    void handled(OfConnection c) {
        update(c, -1);
    }

    /** {@code c}'s writability changed (its I/O thread). */
    void writabilityChanged(OfConnection c) {
        update(c, 0);
    }

    /** {@code c} closed: forget it. */
    void closed(OfConnection c) {
        states.remove(c);
    }

    /** How many connections are not read now (for tests and diagnostics). */
    synchronized int pausedConnections() {
        return (int) states.values().stream().filter(s -> s.paused).count();
    }

    /** How many messages the control thread has yet to handle, over all connections (for tests and diagnostics). */
    synchronized int queued() {
        return states.values().stream().mapToInt(s -> Math.max(0, s.queued)).sum();
    }

    private synchronized void update(OfConnection c, int delta) {
        State s = states.computeIfAbsent(c, k -> new State());
        s.queued += delta;
        boolean pause = s.paused
                ? s.queued > MAX_QUEUED / 2 || !c.isWritable() // resume only with room in both again
                : s.queued >= MAX_QUEUED || !c.isWritable();
        if (pause != s.paused) {
            s.paused = pause;
            c.setReadPaused(pause);
        }
        if (!c.isActive() && s.queued <= 0) {
            states.remove(c);
        }
    }
}
