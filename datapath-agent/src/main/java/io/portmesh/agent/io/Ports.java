package io.portmesh.agent.io;

import io.portmesh.model.flow.DatapathPorts;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * The agent's ports by OpenFlow number, and egress dispatch for the pipeline's {@code PortOutput}.
 *
 * <p>Egress reads an immutable array indexed by port number (ports are few and numbered from 1), so dispatch takes no
 * lock; adding or removing a port replaces the array. Reserved ports that name frame destinations are resolved here:
 * {@code IN_PORT} to the ingress port, {@code ALL} and {@code FLOOD} to every port but the ingress one. Any other
 * number without a port is dropped and counted ({@link #unknownPortDrops()}): the controller port and table port are
 * the pipeline's business, not I/O.
 */
public final class Ports implements AutoCloseable {
    /** OFPP_FLOOD; the model only names the reserved ports its flows use. */
    public static final int FLOOD = 0xFFFFFFFB;
    /** Highest port number this registry holds; the agent has a handful of ports. */
    public static final int MAX_PORT = 0xFF00;

    private final PortListener listener;
    private final LongAdder unknownPortDrops = new LongAdder();
    private volatile FramePort[] byNumber = new FramePort[0];

    /** @param listener told about added and removed ports and every admin/link change (for OFPT_PORT_STATUS) */
    public Ports(PortListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Adds a port (not started) and reports it ADDED. */
    public void add(FramePort port) {
        int n = port.number();
        if (n < 1 || n > MAX_PORT) {
            throw new IllegalArgumentException("port number " + n + " is outside 1.." + MAX_PORT);
        }
        synchronized (this) {
            FramePort[] current = byNumber;
            if (n < current.length && current[n] != null) {
                throw new IllegalStateException("port " + n + " already exists: " + current[n]);
            }
            FramePort[] next = Arrays.copyOf(current, Math.max(current.length, n + 1));
            next[n] = port;
            port.setStateListener(listener);
            byNumber = next;
        }
        listener.portChanged(port, PortChange.ADDED);
    }

    /** Removes and closes a port, reporting it REMOVED; returns it, or null if there was none. */
    public FramePort remove(int number) {
        FramePort removed;
        synchronized (this) {
            FramePort[] current = byNumber;
            if (number < 1 || number >= current.length || current[number] == null) {
                return null;
            }
            FramePort[] next = current.clone();
            removed = next[number];
            next[number] = null;
            byNumber = next;
        }
        removed.setStateListener((p, c) -> {});
        removed.close();
        listener.portChanged(removed, PortChange.REMOVED);
        return removed;
    }

    /** The port with this number, or null. */
    public FramePort get(int number) {
        FramePort[] ports = byNumber;
        return number >= 0 && number < ports.length ? ports[number] : null;
    }

    /** Every port, by ascending number. */
    public List<FramePort> all() {
        List<FramePort> out = new ArrayList<>();
        for (FramePort p : byNumber) {
            if (p != null) {
                out.add(p);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** Every port number, by ascending number (for {@code PortOutput.allPorts()}). */
    public List<Integer> numbers() {
        List<Integer> out = new ArrayList<>();
        for (FramePort p : byNumber) {
            if (p != null) {
                out.add(p.number());
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** Starts every port that was added, delivering to {@code sink}. */
    public void startAll(FrameSink sink) {
        for (FramePort p : all()) {
            p.start(sink);
        }
    }

    /** Sets the admin state of a port (OFPT_PORT_MOD); false if there is no such port or nothing changed. */
    public boolean setAdminUp(int number, boolean up) {
        FramePort p = get(number);
        return p != null && p.setAdminUp(up);
    }

    /** Sends to a physical port number; reserved numbers are not resolved (there is no ingress port to refer to). */
    public void output(int port, byte[] frame, int off, int len, long tunnelId, int tunnelDstIp) {
        FramePort p = get(port);
        if (p == null) {
            unknownPortDrops.increment();
            return;
        }
        p.send(frame, off, len, tunnelId, tunnelDstIp);
    }

    /** Sends to {@code port}, resolving IN_PORT, ALL and FLOOD against {@code inPort}. */
    public void output(int port, int inPort, byte[] frame, int off, int len, long tunnelId, int tunnelDstIp) {
        if (port == DatapathPorts.IN_PORT) {
            output(inPort, frame, off, len, tunnelId, tunnelDstIp);
        } else if (port == DatapathPorts.ALL || port == FLOOD) {
            for (FramePort p : byNumber) {
                if (p != null && p.number() != inPort) {
                    p.send(frame, off, len, tunnelId, tunnelDstIp);
                }
            }
        } else {
            output(port, frame, off, len, tunnelId, tunnelDstIp);
        }
    }

    /** Frames sent to a port number that has no port. */
    public long unknownPortDrops() {
        return unknownPortDrops.sum();
    }

    /** Closes every port (without reporting them removed: the agent is going away). */
    @Override
    public void close() {
        for (FramePort p : all()) {
            p.close();
        }
    }
}
