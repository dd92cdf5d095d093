package io.portmesh.agent.control;

import io.portmesh.agent.io.AdminStateObserver;
import io.portmesh.agent.io.TrunkPort;
import io.portmesh.agent.pipeline.StandbyReplay;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fence between the two agents of an HA host (docs/architecture.md section 7.2). Each sends the other a UDP
 * heartbeat every interval, and one at once when its trunk or its epoch changes: its host and slot, whether its trunk
 * is up, and the epoch of that activation. The epoch comes from the controller, which persists one per change of the
 * active slot ({@code ActiveSlotChanged}) and tells it just before the trunk-up ({@code TrunkWire.Activation}); a trunk
 * that came up without one (configured up, or never told) has epoch -1, older than any.
 *
 * <p>The rule: an agent whose trunk is up takes it down at once when it hears its peer up with a newer activation (a
 * higher epoch; at the same epoch, the lower slot name wins, which only a misconfiguration can reach: the controller
 * gives every epoch to one slot). So when the controllers fail over from an agent that is alive but unheard (a stall
 * longer than the echo detection, cut off from every controller node), the old active's trunk goes down as soon as it
 * runs and hears the new one, instead of forwarding until a controller reaches it again. The check is repeated under
 * the trunk's lock ({@link TrunkPort#setAdminUpIf}), so a newer activation of this trunk coming in between wins.
 *
 * <p>The controllers stay authoritative: the fence only ever takes a trunk down, towards the slot the controllers
 * activated last. The agent reports the change (PORT_STATUS); when the controllers want this trunk forwarding after
 * all (this agent held an older epoch than its peer's), its Host brings it up again with the current epoch
 * (docs/architecture.md 7.2, "Trunk reports"); otherwise they find it as they want it. It needs
 * the heartbeat to get through: two agents that cannot hear each other are not fenced (the controller still takes
 * the old trunk down once it reaches it).
 */
public final class PairFence implements AdminStateObserver, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PairFence.class);
    private static final int MAGIC = 0x504D4842; // "PMHB"
    private static final int VERSION = 1;
    private static final int MAX_NAME = 255;
    /** Magic, version, flags, slot length, host length, epoch. */
    private static final int HEADER = 4 + 1 + 1 + 1 + 1 + 8;
    /** The epoch of a trunk that came up without being told one: older than any the controller gives. */
    public static final long NO_EPOCH = -1;

    /** One heartbeat: the sender's host and slot, its trunk's admin state and the epoch of its activation. */
    public record Heartbeat(String host, String slot, boolean up, long epoch) {
        public Heartbeat {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(slot, "slot");
        }

        byte[] encode() {
            byte[] h = host.getBytes(StandardCharsets.UTF_8);
            byte[] s = slot.getBytes(StandardCharsets.UTF_8);
            if (h.length > MAX_NAME || s.length > MAX_NAME) {
                throw new IllegalArgumentException("host or slot longer than " + MAX_NAME + " bytes");
            }
            return ByteBuffer.allocate(HEADER + s.length + h.length)
                    .putInt(MAGIC)
                    .put((byte) VERSION)
                    .put((byte) (up ? 1 : 0))
                    .put((byte) s.length)
                    .put((byte) h.length)
                    .putLong(epoch)
                    .put(s)
                    .put(h)
                    .array();
        }

        /** The heartbeat in {@code buf} (position to limit), or empty when it is not one. */
        static Optional<Heartbeat> decode(ByteBuffer buf) {
            if (buf.remaining() < HEADER || buf.getInt() != MAGIC || buf.get() != VERSION) {
                return Optional.empty();
            }
            boolean up = buf.get() == 1;
            int slotLength = buf.get() & 0xFF;
            int hostLength = buf.get() & 0xFF;
            long epoch = buf.getLong();
            if (buf.remaining() != slotLength + hostLength) {
                return Optional.empty();
            }
            byte[] s = new byte[slotLength];
            byte[] h = new byte[hostLength];
            buf.get(s).get(h);
            return Optional.of(new Heartbeat(
                    new String(h, StandardCharsets.UTF_8), new String(s, StandardCharsets.UTF_8), up, epoch));
        }

        /** Whether this activation (up) is newer than an up trunk of {@code slot} with {@code epoch}. */
        boolean newerThan(String otherSlot, long otherEpoch) {
            return up && (epoch > otherEpoch || (epoch == otherEpoch && slot.compareTo(otherSlot) < 0));
        }
    }

    /**
     * What the fence knows at one instant (tests, logs).
     *
     * @param epoch the epoch of this agent's activation (its trunk's current or last up-interval)
     * @param told the last epoch a controller told
     * @param peer the peer's last heartbeat, if any came
     * @param peerHeardNanos {@link System#nanoTime()} when it came (0: never)
     * @param fenced how many times the fence took this trunk down
     */
    public record State(long epoch, long told, Optional<Heartbeat> peer, long peerHeardNanos, long fenced) {}

    private final String host;
    private final String slot;
    private final TrunkPort trunk;
    private final InetSocketAddress peer;
    private static final long FOREIGN_WARNING_EVERY_NANOS = 10_000_000_000L;
    /** Only the receive thread touches it. */
    private long lastForeignWarning = System.nanoTime() - FOREIGN_WARNING_EVERY_NANOS;

    private final DatagramChannel channel;
    private final ScheduledExecutorService sender;
    private final Thread receiver;
    private final AtomicLong told = new AtomicLong(NO_EPOCH);
    private volatile long epoch = NO_EPOCH;
    private volatile Heartbeat lastPeer;
    private volatile long peerHeardNanos;
    private volatile long peerUpHeardNanos = StandbyReplay.NEVER;
    private final AtomicLong fenced = new AtomicLong();
    private volatile boolean closed;

    private PairFence(String host, String slot, TrunkPort trunk, AgentSettings.Pair pair) throws IOException {
        this.host = host;
        this.slot = slot;
        this.trunk = trunk;
        this.peer = pair.peer();
        this.channel = DatagramChannel.open();
        channel.bind(pair.listen());
        String name = "agent-pair-" + host + "-" + slot;
        this.sender = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name + "-send");
            t.setDaemon(true);
            return t;
        });
        this.receiver = new Thread(this::receive, name + "-receive");
        receiver.setDaemon(true);
        long nanos = pair.interval().toNanos();
        sender.scheduleAtFixedRate(this::send, 0, nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Starts the heartbeat of {@code trunk}'s agent. The caller makes the fence an observer of the trunk's admin state
     * (with {@link TrunkPort#setAdminStateObserver}) before the trunk can change.
     */
    public static PairFence start(String host, String slot, TrunkPort trunk, AgentSettings.Pair pair)
            throws IOException {
        PairFence f = new PairFence(host, slot, trunk, pair);
        f.receiver.start();
        log.info("pair fence of {} slot {}: heartbeat on {} to {}", host, slot, f.localAddress(), pair.peer());
        return f;
    }

    public InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public State state() {
        return new State(epoch, told.get(), Optional.ofNullable(lastPeer), peerHeardNanos, fenced.get());
    }

    /**
     * A controller told the epoch of this agent's activation (before the PORT_MOD that brings the trunk up). An up
     * trunk takes it at once (the controller re-activates its active slot: a newer epoch for the same slot).
     */
    void activation(long e) {
        told.accumulateAndGet(e, Math::max);
        synchronized (trunk) { // the port's lock: no admin change between the check and the raise
            if (trunk.isAdminUp() && e > epoch) {
                epoch = e;
            }
        }
        sendSoon();
    }

    /** Under the trunk's lock: an up takes the epoch last told. */
    @Override
    public void adminStateChanged(boolean up, long atNanos) {
        if (up) {
            epoch = told.get();
        }
        sendSoon();
    }

    @Override
    public void portClosed(long atNanos) {
        sendSoon();
    }

    private void sendSoon() {
        if (closed) {
            return;
        }
        try {
            sender.execute(this::send);
        } catch (RejectedExecutionException closing) {
            // closed meanwhile: nothing to tell
        }
    }

    private void send() {
        try {
            channel.send(ByteBuffer.wrap(new Heartbeat(host, slot, trunk.isAdminUp(), epoch).encode()), peer);
        } catch (ClosedChannelException closing) {
            // closed: the agent is going away
        } catch (IOException | RuntimeException e) {
            log.debug("pair heartbeat to {} not sent: {}", peer, e.toString());
        }
    }

    private void receive() {
        ByteBuffer buf = ByteBuffer.allocate(HEADER + 2 * MAX_NAME);
        while (!closed) {
            buf.clear();
            SocketAddress from;
            try {
                from = channel.receive(buf);
            } catch (ClosedChannelException closing) {
                return;
            } catch (IOException e) {
                log.debug("pair heartbeat not received: {}", e.toString());
                continue;
            }
            buf.flip();
            if (!peer.equals(from)) {
                // only the configured peer may fence this trunk: a datagram from anywhere else (another host's pair,
                // a forged heartbeat) is dropped, with a warning at most every 10 s
                long now = System.nanoTime();
                if (now - lastForeignWarning > FOREIGN_WARNING_EVERY_NANOS) {
                    lastForeignWarning = now;
                    log.warn(
                            "pair fence of {} slot {}: dropped a datagram from {}, which is not the configured peer {}",
                            host,
                            slot,
                            from,
                            peer);
                }
                continue;
            }
            Optional<Heartbeat> hb = Heartbeat.decode(buf);
            if (hb.isEmpty() || !hb.get().host().equals(host) || hb.get().slot().equals(slot)) {
                log.debug("ignored a datagram from {}: not a heartbeat of {}'s other agent", from, host);
                continue;
            }
            heard(hb.get());
        }
    }

    /**
     * {@link System#nanoTime()} of the last heartbeat in which the peer said its trunk was up, or
     * {@link StandbyReplay#NEVER}: the last instant it was known to forward, where this agent's standby replay counts
     * back from when its own trunk comes up after the peer's crash.
     */
    public long peerLastUpNanos() {
        return peerUpHeardNanos;
    }

    private void heard(Heartbeat hb) {
        lastPeer = hb;
        peerHeardNanos = System.nanoTime();
        if (hb.up()) {
            peerUpHeardNanos = peerHeardNanos;
        }
        if (!trunk.isAdminUp() || !hb.newerThan(slot, epoch)) {
            return;
        }
        long mine = epoch;
        // asked only when the change happens next (setAdminUpIf): counted before the trunk is seen down
        if (trunk.setAdminUpIf(false, () -> hb.newerThan(slot, epoch) && fenced.incrementAndGet() > 0)) {
            log.warn(
                    "pair fence: trunk of {} slot {} down: slot {} is active with epoch {}, this one's was {}",
                    host,
                    slot,
                    hb.slot(),
                    hb.epoch(),
                    mine);
        }
    }

    @Override
    public void close() {
        closed = true;
        sender.shutdownNow();
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("pair channel close: {}", e.toString());
        }
    }
}
