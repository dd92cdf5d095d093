package io.portmesh.openflow;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one connection, or the totals of a server or client (a child adds to its parent too).
 * Readable from any thread.
 */
public final class OfStats {
    /** What is counted. */
    public enum Counter {
        /** Messages parsed and passed up the pipeline. */
        MESSAGES_IN,
        /** Messages serialised for sending. */
        MESSAGES_OUT,
        /** Framed messages Loxi could not parse (each answered with OFPT_ERROR). */
        DECODE_ERRORS,
        /**
         * Experimenter messages of an experimenter or type this library does not know: ignored, never a reason to
         * close (a switch end answers BAD_EXPERIMENTER).
         */
        EXPERIMENTERS_IGNORED,
        /** Unframeable input (length field &lt; 8): the connection was closed. */
        FRAMING_ERRORS,
        /** Outgoing messages that could not be serialised (dropped). */
        ENCODE_ERRORS,
        /** Handshakes refused or timed out. */
        HANDSHAKE_FAILURES,
        /** Connections closed because echoes went unanswered. */
        KEEPALIVE_TIMEOUTS,
        /**
         * Echo miss counts restarted because this side's idle tick came late (it did not run in between: a stall),
         * so the misses of that gap were not counted.
         */
        KEEPALIVE_LATE_RESTARTS,
        /** Exceptions thrown by an {@link OfMessageListener} (caught and logged). */
        LISTENER_ERRORS,
        /**
         * Replies this end makes on its own (echo replies, errors for undecodable input) not sent because the peer
         * left more than {@link OfChannels#MAX_PENDING_REPLY_BYTES} unread: a peer that sends requests and never
         * reads must not make this end buffer without bound.
         */
        REPLIES_DROPPED
    }

    private final Map<Counter, LongAdder> counters = new EnumMap<>(Counter.class);
    private final OfStats parent;

    /** Creates a root set of counters. */
    public OfStats() {
        this(null);
    }

    private OfStats(OfStats parent) {
        this.parent = parent;
        for (Counter c : Counter.values()) {
            counters.put(c, new LongAdder());
        }
    }

    /** A set of counters whose increments also go to this one. */
    public OfStats newChild() {
        return new OfStats(this);
    }

    void increment(Counter counter) {
        add(counter, 1);
    }

    void add(Counter counter, long delta) {
        counters.get(counter).add(delta);
        if (parent != null) {
            parent.add(counter, delta);
        }
    }

    public long get(Counter counter) {
        return counters.get(counter).sum();
    }

    public long decodeErrors() {
        return get(Counter.DECODE_ERRORS);
    }

    public long framingErrors() {
        return get(Counter.FRAMING_ERRORS);
    }

    public long messagesIn() {
        return get(Counter.MESSAGES_IN);
    }

    public long messagesOut() {
        return get(Counter.MESSAGES_OUT);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("OfStats{");
        counters.forEach((c, v) -> sb.append(c).append('=').append(v.sum()).append(' '));
        return sb.append('}').toString();
    }
}
