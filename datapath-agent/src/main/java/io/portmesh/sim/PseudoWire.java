package io.portmesh.sim;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VM side of a UDP pseudo-wire trunk: one UDP socket standing for the port groups of any number of simulated VMs
 * (one VLAN each), and one receive thread that hands each tagged frame to the VM of its VLAN. Sharing a wire among
 * many VMs keeps a load test at one socket and one thread per simulated host instead of per VM; the agent's trunk
 * port learns every VLAN of the wire at this one endpoint.
 *
 * <p>Every frame is sent to each trunk address of the wire: give two (active and standby agent of a host) to model a
 * port group wired into both switch VMs, where the administratively down trunk drops what it gets.
 *
 * <p>A frame is {@linkplain #unclaimedFrames() unclaimed} when its VLAN has no VM here, including a VM that has
 * {@linkplain SimulatedVm#moveTo moved} away: what reaches the port group it left is counted, not delivered.
 *
 * <p>A wire can be {@linkplain #setImpairment impaired} (a slow or lossy link, {@link LinkImpairment}): then what it
 * sends and what it receives, before a VM gets it, pass the impairment; its drain markers queue behind the frames the
 * impairment delays, so a move still hands over in order.
 */
public final class PseudoWire implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PseudoWire.class);
    private static final int MAX_DATAGRAM = 65_507;
    /** Asked for (the kernel caps it at net.core.rmem_max): a receive thread that stalls loses nothing for a while. */
    private static final int RECEIVE_BUFFER_BYTES = 1 << 20;
    /** "PMWIREMK": a datagram the wire sends itself to learn that its receive thread got past what came before. */
    private static final long MARKER_MAGIC = 0x504D_5749_5245_4D4BL;

    private static final int MARKER_LEN = 24;

    private final DatagramChannel channel;
    private final InetSocketAddress localAddress;
    private final AtomicReferenceArray<SimulatedVm> byVlan = new AtomicReferenceArray<>(4096);
    private final LongAdder unclaimed = new LongAdder();
    private final LongAdder sendFailures = new LongAdder();
    private final Thread receiver;
    /** Where the wire reaches itself: its address, or loopback when bound to the wildcard address. */
    private final InetSocketAddress self;
    /** Random per wire, so no frame can pass for a marker. */
    private final long markerToken = ThreadLocalRandom.current().nextLong();

    private final AtomicLong markerIds = new AtomicLong();
    private final Map<Long, Drain> markers = new ConcurrentHashMap<>();
    private volatile InetSocketAddress[] trunks;
    private volatile boolean closed;
    private volatile UnclaimedListener unclaimedListener;
    /** Null: none, and a frame costs this one volatile read. */
    private volatile LinkImpairment impairment;

    /** Told of each unclaimed frame, on the receive thread: where a lost frame's copies went (diagnostics). */
    @FunctionalInterface
    public interface UnclaimedListener {
        /** {@code frame} (valid up to {@code len}, only during the call) of {@code vlan} was not delivered. */
        void unclaimed(PseudoWire wire, int vlan, byte[] frame, int len);
    }

    private PseudoWire(InetSocketAddress bind, List<InetSocketAddress> trunks) throws IOException {
        this.trunks = trunks.toArray(new InetSocketAddress[0]);
        DatagramChannel ch = DatagramChannel.open();
        try {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER_BYTES);
            ch.bind(bind);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        channel = ch;
        localAddress = (InetSocketAddress) ch.getLocalAddress();
        self = localAddress.getAddress().isAnyLocalAddress()
                ? new InetSocketAddress(InetAddress.getLoopbackAddress(), localAddress.getPort())
                : localAddress;
        receiver = new Thread(this::receiveLoop, "pm-sim-wire-" + localAddress.getPort());
        receiver.setDaemon(true);
        receiver.start();
    }

    /** Opens a wire bound to {@code bind} (port 0 for any) that sends to every address in {@code trunks}. */
    public static PseudoWire open(InetSocketAddress bind, List<InetSocketAddress> trunks) throws IOException {
        return new PseudoWire(bind, List.copyOf(trunks));
    }

    /** Opens a wire to one trunk, bound to an ephemeral port on the loopback address when the trunk is loopback. */
    public static PseudoWire open(InetSocketAddress trunk) throws IOException {
        InetAddress trunkAddress = trunk.getAddress();
        InetSocketAddress bind = trunkAddress != null && trunkAddress.isLoopbackAddress()
                ? new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)
                : new InetSocketAddress(0);
        return open(bind, List.of(trunk));
    }

    public InetSocketAddress localAddress() {
        return localAddress;
    }

    public List<InetSocketAddress> trunks() {
        return List.of(trunks);
    }

    /** Points the wire at other trunks, as when a simulated VM's port group is rewired. */
    public void setTrunks(List<InetSocketAddress> trunks) {
        this.trunks = trunks.toArray(new InetSocketAddress[0]);
    }

    /**
     * Impairs this wire's link from now on ({@code null}: none). Frames a previous impairment still delays are handed
     * on by it, and may then come after frames passed at once here: heal an impairment and let it drain
     * ({@link LinkImpairment#awaitDrained}) before taking it off, so nothing is reordered.
     */
    public void setImpairment(LinkImpairment impairment) {
        this.impairment = impairment;
    }

    /** The impairment this wire's frames pass now, or null. */
    public LinkImpairment impairment() {
        return impairment;
    }

    /** Frames received for a VLAN that no VM on this wire has (any more), or untagged. */
    public long unclaimedFrames() {
        return unclaimed.sum();
    }

    /** Tells {@code listener} (null: nobody) of every frame counted {@linkplain #unclaimedFrames() unclaimed}. */
    public void setUnclaimedListener(UnclaimedListener listener) {
        this.unclaimedListener = listener;
    }

    /** Sends that failed at the socket. */
    public long sendFailures() {
        return sendFailures.sum();
    }

    void attach(SimulatedVm vm, int vlan) {
        if (!byVlan.compareAndSet(vlan, null, vm)) {
            throw new IllegalStateException("VLAN " + vlan + " already has a VM on wire " + localAddress);
        }
    }

    void detach(SimulatedVm vm, int vlan) {
        byVlan.compareAndSet(vlan, vm, null);
    }

    /**
     * Sends the wire a marker now: {@code action} runs on the receive thread once every datagram that reached this
     * wire before this call has been handed on (the marker comes after them in its socket's queue). When that cannot
     * work (the caller is the receive thread, the wire is closed, the marker cannot be sent) {@code action} runs at
     * once, on the caller. Either way it runs exactly once: see {@link Drain#await}.
     */
    Drain drain(Runnable action) {
        Drain d = new Drain(action, markerIds.incrementAndGet());
        if (closed || Thread.currentThread() == receiver) {
            d.once.run();
            return d;
        }
        markers.put(d.id, d);
        ByteBuffer marker = ByteBuffer.allocate(MARKER_LEN);
        marker.putLong(MARKER_MAGIC).putLong(markerToken).putLong(d.id).flip();
        try {
            channel.send(marker, self);
        } catch (IOException | RuntimeException e) {
            log.debug("wire {}: cannot send drain marker {}", localAddress, d.id, e);
            markers.remove(d.id);
            d.once.run();
        }
        return d;
    }

    /** A {@link #drain} on its way through the receive queue. */
    final class Drain {
        private final long id;
        private final Runnable once;
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private volatile boolean inOrder;

        private Drain(Runnable action, long id) {
            this.id = id;
            AtomicBoolean ran = new AtomicBoolean();
            this.once = () -> {
                if (ran.compareAndSet(false, true)) {
                    try {
                        action.run();
                    } finally {
                        done.complete(null);
                    }
                }
            };
        }

        private void arrived() {
            inOrder = true;
            once.run();
        }

        /**
         * Waits up to {@code timeout} for the action to have run; if the marker is not back by then, runs it on the
         * caller. True when it ran on the receive thread, in order.
         */
        boolean await(Duration timeout) {
            try {
                done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
                return inOrder;
            } catch (ExecutionException | TimeoutException e) {
                log.debug("wire {}: drain marker {} not back in {}", localAddress, id, timeout, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            markers.remove(id);
            once.run();
            return false;
        }
    }

    private boolean isMarker(byte[] f, int len) {
        return len == MARKER_LEN && EtherFrames.i64(f, 0) == MARKER_MAGIC && EtherFrames.i64(f, 8) == markerToken;
    }

    private void runMarker(long id) {
        Drain d = markers.remove(id);
        if (d != null) {
            try {
                d.arrived();
            } catch (RuntimeException e) {
                log.debug("wire {}: drain action failed", localAddress, e);
            }
        }
    }

    /** Sends one tagged frame to every trunk (through the {@linkplain #setImpairment impairment}, if any). */
    public void send(byte[] frame, int off, int len) {
        LinkImpairment imp = impairment;
        if (imp == null) {
            sendNow(frame, off, len);
        } else {
            imp.pass(frame, off, len, this::sendNow);
        }
    }

    private void sendNow(byte[] frame, int off, int len) {
        for (InetSocketAddress trunk : trunks) {
            try {
                channel.send(ByteBuffer.wrap(frame, off, len), trunk);
            } catch (IOException | RuntimeException e) {
                sendFailures.increment();
                log.debug("wire {}: send to {} failed", localAddress, trunk, e);
            }
        }
    }

    private void receiveLoop() {
        ByteBuffer buf = ByteBuffer.allocateDirect(MAX_DATAGRAM);
        byte[] frame = new byte[MAX_DATAGRAM];
        // Bounded by the channel: close() makes receive() throw.
        while (!closed) {
            buf.clear();
            SocketAddress from;
            try {
                from = channel.receive(buf);
            } catch (ClosedChannelException e) {
                break;
            } catch (IOException e) {
                log.debug("wire {}: receive failed", localAddress, e);
                continue;
            }
            if (from == null) {
                continue;
            }
            int len = buf.flip().remaining();
            buf.get(frame, 0, len);
            LinkImpairment imp = impairment;
            if (isMarker(frame, len)) {
                long id = EtherFrames.i64(frame, 16);
                if (imp == null) {
                    runMarker(id);
                } else {
                    imp.after(() -> runMarker(id));
                }
            } else if (imp == null) {
                handOn(frame, 0, len);
            } else {
                imp.pass(frame, 0, len, this::handOn);
            }
        }
    }

    /**
     * A received frame to the VM of its VLAN: on the receive thread, or on an impairment's delay line. Received frames
     * start at offset 0 (the receive buffer, or an impairment's copy).
     */
    private void handOn(byte[] frame, int off, int len) {
        int vlan = EtherFrames.vlan(frame, len);
        SimulatedVm vm = vlan < 0 ? null : byVlan.get(vlan);
        try {
            // false: the VM left this VLAN of this wire while the frame was on its way to it
            if (vm == null || !vm.onFrame(this, vlan, frame, len)) {
                unclaimed.increment();
                UnclaimedListener l = unclaimedListener;
                if (l != null) {
                    l.unclaimed(this, vlan, frame, len);
                }
            }
        } catch (RuntimeException e) {
            log.debug("wire {}: VM {} failed on a frame", localAddress, vm, e);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing wire {}", localAddress, e);
        }
        if (Thread.currentThread() != receiver) {
            try {
                receiver.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // nothing more will be received: whoever waits on a drain goes on now
        for (Long id : markers.keySet()) {
            Drain d = markers.remove(id);
            if (d != null) {
                d.once.run();
            }
        }
    }
}
