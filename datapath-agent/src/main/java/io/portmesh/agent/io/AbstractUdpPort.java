package io.portmesh.agent.io;

import io.portmesh.model.Mac;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every UDP-carried port shares: one {@link DatagramChannel}, received on a thread of its own (blocking, reusing a
 * direct buffer and a heap array: no allocation per frame) or, for many agents in one JVM, on shared
 * {@link UdpReceiveLoops} ({@link #receiveOn}); admin and link state, counters.
 *
 * <p>Transmit copies the frame into a per-thread direct buffer: several threads transmit (both receive threads run
 * the pipeline, packet-outs come from the OpenFlow threads), and a heap buffer would make the JDK copy it into a
 * temporary direct one anyway.
 */
public abstract class AbstractUdpPort implements FramePort {
    /** Largest UDP payload over IPv4. */
    public static final int MAX_DATAGRAM = 65_507;

    private static final Logger log = LoggerFactory.getLogger(AbstractUdpPort.class);
    private static final ThreadLocal<ByteBuffer> SEND_BUFFER =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(MAX_DATAGRAM));

    private final int number;
    private final String name;
    private final Mac hwAddr;
    private final DatagramChannel channel;
    private final InetSocketAddress localAddress;
    protected final PortCounters counters = new PortCounters();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean adminUp;
    private volatile boolean linkUp;
    private volatile boolean closed;
    private volatile PortListener listener = (p, c) -> {};
    private volatile Thread receiver;
    /** Shared receive loops to start on instead of a thread of its own; set before start. */
    private UdpReceiveLoops sharedLoops;
    /**
     * Held by a shared loop while it runs this port's pipeline; {@link #close()} takes it once to wait out a receive
     * under way, as it joins its own receive thread otherwise.
     */
    private final java.util.concurrent.locks.ReentrantLock sharedReceive =
            new java.util.concurrent.locks.ReentrantLock();

    /**
     * @param socketBufferBytes SO_RCVBUF and SO_SNDBUF to ask for (the kernel caps them at net.core.rmem_max and
     *     wmem_max), or 0 to keep the system default. Bigger buffers absorb bursts; under a sustained overload they only
     *     add queueing delay.
     */
    protected AbstractUdpPort(
            int number, String name, Mac hwAddr, InetSocketAddress bind, boolean adminUp, int socketBufferBytes)
            throws IOException {
        if (socketBufferBytes < 0) {
            throw new IllegalArgumentException("socket buffer size must be 0 (system default) or positive");
        }
        this.number = number;
        this.name = Objects.requireNonNull(name, "name");
        this.hwAddr = Objects.requireNonNull(hwAddr, "hwAddr");
        this.adminUp = adminUp;
        DatagramChannel ch = DatagramChannel.open();
        try {
            if (socketBufferBytes > 0) {
                ch.setOption(StandardSocketOptions.SO_RCVBUF, socketBufferBytes);
                ch.setOption(StandardSocketOptions.SO_SNDBUF, socketBufferBytes);
            }
            ch.bind(bind);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        this.channel = ch;
        this.localAddress = (InetSocketAddress) ch.getLocalAddress();
    }

    @Override
    public final int number() {
        return number;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Mac hwAddr() {
        return hwAddr;
    }

    /** The address the socket is bound to (with the real port when bound to port 0). */
    public final InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public final boolean isAdminUp() {
        return adminUp;
    }

    /** A closed port's admin state no longer changes (it forwards nothing either way). */
    @Override
    public final boolean setAdminUp(boolean up) {
        return setAdminUpIf(up, () -> true);
    }

    /**
     * As {@link #setAdminUp}, only if {@code stillWanted} (asked under the port's lock, so no other admin change comes
     * between the check and this one) says so: the pair fence takes a trunk down only while the peer's activation is
     * still the newer one, not after a controller's newer activation of this trunk. {@code stillWanted} is asked only
     * when the change would happen otherwise (not on a closed port or one already in that state), and then it does.
     */
    public final boolean setAdminUpIf(boolean up, java.util.function.BooleanSupplier stillWanted) {
        synchronized (this) {
            if (adminUp == up || closed || !stillWanted.getAsBoolean()) {
                return false;
            }
            // The time handed to the hooks is on the safe side of the change: before the port may forward, after it
            // stopped. The hooks run under this lock, so they see the changes one at a time and in order.
            if (up) {
                long at = System.nanoTime();
                adminUp = true;
                adminChanged(true, at);
            } else {
                beforeAdminDown();
                adminUp = false;
                adminChanged(false, System.nanoTime());
            }
        }
        listener.portChanged(this, PortChange.MODIFIED);
        return true;
    }

    /** Under the port's lock, just before it goes administratively down (it still forwards). */
    protected void beforeAdminDown() {}

    /**
     * Under the port's lock, just after its admin state changed.
     *
     * @param atNanos {@link System#nanoTime()} before the port came up, or after it went down
     */
    protected void adminChanged(boolean up, long atNanos) {}

    /**
     * After {@link #close()} closed the socket and the receive thread ended: the port forwards nothing any more.
     *
     * @param wasAdminUp the admin state it was closed in
     */
    protected void afterClose(boolean wasAdminUp, long atNanos) {}

    @Override
    public final boolean isLinkUp() {
        return linkUp;
    }

    @Override
    public final PortStats stats() {
        return counters.snapshot();
    }

    @Override
    public final void setStateListener(PortListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Receive on {@code loops} (shared with other ports of this JVM) rather than on a thread of this port's own; before
     * {@link #start}. The channel is then non-blocking: a send that finds the socket's buffer full is dropped and
     * counted ({@code txDropped}) where the blocking channel would wait.
     */
    public final void receiveOn(UdpReceiveLoops loops) {
        if (started.get()) {
            throw new IllegalStateException("port " + name + " already started");
        }
        this.sharedLoops = Objects.requireNonNull(loops, "loops");
    }

    @Override
    public final void start(FrameSink sink) {
        Objects.requireNonNull(sink, "sink");
        if (closed) {
            throw new IllegalStateException("port " + name + " is closed");
        }
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("port " + name + " already started");
        }
        UdpReceiveLoops loops = sharedLoops;
        if (loops != null) {
            try {
                loops.register(channel, (buf, frame, budget) -> receiveShared(sink, buf, frame, budget));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("port " + name + ": cannot receive on the shared loops", e);
            }
        } else {
            Thread t = new Thread(() -> receiveLoop(sink), "pm-rx-" + name);
            t.setDaemon(true);
            receiver = t;
            t.start();
        }
        linkUp = true;
        listener.portChanged(this, PortChange.MODIFIED);
    }

    @Override
    public final void close() {
        boolean wasAdminUp;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            wasAdminUp = adminUp;
        }
        boolean wasUp = linkUp;
        linkUp = false;
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing {}", name, e);
        }
        Thread t = receiver;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // on shared loops: a receive under way ends before this returns (bounded as the join above), none starts after
        try {
            if (sharedReceive.tryLock(2, java.util.concurrent.TimeUnit.SECONDS)) {
                sharedReceive.unlock();
            } else {
                log.warn(
                        "{}: closed while a shared loop still ran its pipeline after 2 s; the close is reported now",
                        name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        afterClose(wasAdminUp, System.nanoTime());
        if (wasUp) {
            listener.portChanged(this, PortChange.MODIFIED);
        }
    }

    private void receiveLoop(FrameSink sink) {
        ByteBuffer buf = ByteBuffer.allocateDirect(MAX_DATAGRAM);
        byte[] frame = new byte[MAX_DATAGRAM];
        // Bounded by the channel: close() makes receive() throw ClosedChannelException.
        while (!closed && receiveOne(sink, buf, frame) >= 0) {}
        log.debug("{}: receive loop ended", name);
    }

    /** On a shared loop: up to {@code budget} datagrams, until the non-blocking channel has none. */
    private void receiveShared(FrameSink sink, ByteBuffer buf, byte[] frame, int budget) {
        sharedReceive.lock();
        try {
            for (int i = 0; i < budget && !closed && receiveOne(sink, buf, frame) > 0; i++) {}
        } finally {
            sharedReceive.unlock();
        }
    }

    /**
     * Receives one datagram into {@code buf} and runs it through {@link #onDatagram}.
     *
     * @return 1 if one was handled (or failed and was counted), 0 if none was waiting (non-blocking), -1 if the channel
     *     is closed
     */
    private int receiveOne(FrameSink sink, ByteBuffer buf, byte[] frame) {
        buf.clear();
        InetSocketAddress from;
        try {
            from = (InetSocketAddress) channel.receive(buf);
        } catch (ClosedChannelException e) {
            return -1;
        } catch (IOException e) {
            counters.rxError();
            log.debug("{}: receive failed", name, e);
            return 1;
        }
        if (from == null) {
            return 0;
        }
        int len = buf.position();
        buf.flip();
        buf.get(frame, 0, len);
        try {
            onDatagram(sink, from, frame, len);
        } catch (RuntimeException e) {
            counters.rxError();
            log.debug("{}: frame from {} failed in the pipeline", name, from, e);
        }
        return 1;
    }

    /** Handles one received datagram held in {@code data[0, len)}; must count whatever it drops. */
    protected abstract void onDatagram(FrameSink sink, InetSocketAddress from, byte[] data, int len);

    /** The calling thread's direct transmit buffer, cleared. */
    protected static ByteBuffer sendBuffer() {
        return SEND_BUFFER.get().clear();
    }

    /** Sends the flipped {@code datagram} to {@code to}, counting {@code frameLen} bytes on success. */
    protected final void transmit(ByteBuffer datagram, InetSocketAddress to, int frameLen) {
        try {
            if (channel.send(datagram, to) == 0) {
                counters.txDropped();
            } else {
                counters.transmitted(frameLen);
            }
        } catch (ClosedChannelException e) {
            counters.txDropped();
        } catch (IOException | RuntimeException e) {
            // RuntimeException covers an unresolved or unsupported address from a bad flow.
            counters.txError();
            log.debug("{}: send to {} failed", name, to, e);
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + number + " " + name + " " + localAddress + "]";
    }
}
