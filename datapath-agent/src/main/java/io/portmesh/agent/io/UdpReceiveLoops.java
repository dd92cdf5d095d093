package io.portmesh.agent.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A few threads that receive for many UDP ports: each thread owns a {@link Selector} and reads the non-blocking
 * channels registered with it as they become readable. A port on its own (the agent as deployed: one trunk, one
 * VXLAN port) has a blocking receive thread each ({@link AbstractUdpPort}); two thousand simulated agents in one JVM
 * (the scale run) would be four thousand threads, whose stacks and scheduling paused that JVM for seconds at a time and
 * cost the agents their controller connections (docs/benchmarks.md, scale run of 2026-12-07). With these loops the
 * receive costs as many threads as the loops have.
 *
 * <p>A loop reads at most {@link #BUDGET} datagrams from one channel before it turns to the next readable one, so a
 * busy port cannot starve the others on its loop. Each loop has one direct buffer and one frame array, reused for every
 * datagram of every port it serves (the pipeline copies what it keeps).
 */
public final class UdpReceiveLoops implements AutoCloseable {
    /** Datagrams read from one channel per turn. */
    static final int BUDGET = 64;

    private static final Logger log = LoggerFactory.getLogger(UdpReceiveLoops.class);

    /** What a loop calls when a channel it serves is readable: read up to the budget with the loop's buffers. */
    interface Reader {
        void readable(ByteBuffer buffer, byte[] frame, int budget);
    }

    private final Loop[] loops;
    private final AtomicInteger next = new AtomicInteger();

    private UdpReceiveLoops(Loop[] loops) {
        this.loops = loops;
    }

    /** Starts {@code threads} loops, named {@code name-<i>}. */
    public static UdpReceiveLoops start(int threads, String name) throws IOException {
        if (threads < 1) {
            throw new IllegalArgumentException("UDP receive loops: threads must be >= 1, was " + threads);
        }
        Loop[] loops = new Loop[threads];
        try {
            for (int i = 0; i < threads; i++) {
                loops[i] = new Loop(name + "-" + i);
            }
        } catch (IOException | RuntimeException e) {
            for (Loop l : loops) {
                if (l != null) {
                    l.close();
                }
            }
            throw e;
        }
        for (Loop l : loops) {
            l.thread.start();
        }
        return new UdpReceiveLoops(loops);
    }

    /** The loops' threads, for a stall watch or a thread count. */
    public int threads() {
        return loops.length;
    }

    /**
     * Puts {@code channel} (made non-blocking here) on the next loop in turn; from now on that loop calls {@code reader}
     * whenever it is readable. Closing the channel ends it (the key is cancelled with the channel).
     */
    void register(DatagramChannel channel, Reader reader) throws IOException {
        Objects.requireNonNull(reader, "reader");
        channel.configureBlocking(false);
        loops[Math.floorMod(next.getAndIncrement(), loops.length)].register(channel, reader);
    }

    /** Stops every loop and waits (a bounded time) for its thread to end. Registered channels are not closed. */
    @Override
    public void close() {
        for (Loop l : loops) {
            l.close();
        }
    }

    private static final class Loop implements Runnable {
        private final Selector selector;
        private final Thread thread;
        private final Queue<Runnable> registrations = new ConcurrentLinkedQueue<>();
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(AbstractUdpPort.MAX_DATAGRAM);
        private final byte[] frame = new byte[AbstractUdpPort.MAX_DATAGRAM];
        private volatile boolean closed;

        Loop(String name) throws IOException {
            this.selector = Selector.open();
            this.thread = new Thread(this, name);
            thread.setDaemon(true);
        }

        void register(DatagramChannel channel, Reader reader) throws ClosedChannelException {
            if (closed) {
                throw new IllegalStateException("UDP receive loop " + thread.getName() + " is closed");
            }
            // Selector.register blocks while the loop sits in select(): hand it to the loop and wake it.
            registrations.add(() -> {
                try {
                    channel.register(selector, SelectionKey.OP_READ, reader);
                } catch (ClosedChannelException e) {
                    log.debug("{}: channel closed before its registration", thread.getName());
                }
            });
            selector.wakeup();
        }

        @Override
        public void run() {
            try {
                // Bounded by close(): it sets closed and wakes the selector.
                while (!closed) {
                    try {
                        selector.select(1_000);
                    } catch (IOException e) {
                        log.warn("{}: select failed", thread.getName(), e);
                        pause(); // a select failing again and again must not spin
                        continue;
                    }
                    for (Runnable r = registrations.poll(); r != null; r = registrations.poll()) {
                        r.run();
                    }
                    Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                    while (keys.hasNext()) {
                        SelectionKey k = keys.next();
                        keys.remove();
                        turn(k);
                    }
                }
            } finally {
                try {
                    selector.close();
                } catch (IOException e) {
                    log.debug("{}: closing the selector", thread.getName(), e);
                }
            }
        }

        /**
         * One port's turn. Nothing a port does ends the loop, which every other port on it needs: a channel closed by
         * another thread between the checks (its key cancelled), or anything its pipeline throws, Errors included.
         */
        private void turn(SelectionKey k) {
            try {
                if (k.isValid() && (k.readyOps() & SelectionKey.OP_READ) != 0) {
                    ((Reader) k.attachment()).readable(buffer, frame, BUDGET);
                }
            } catch (java.nio.channels.CancelledKeyException closedMeanwhile) {
                // the port closed while its key was selected: nothing more to read from it
            } catch (Throwable e) {
                log.warn("{}: a port's receive failed", thread.getName(), e); // the other ports go on
            }
        }

        private static void pause() {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void close() {
            closed = true;
            selector.wakeup();
            if (!thread.isAlive()) {
                try {
                    selector.close(); // never started (a sibling loop failed to open), or ended: idempotent
                } catch (IOException e) {
                    log.debug("{}: closing the selector", thread.getName(), e);
                }
            } else if (thread != Thread.currentThread()) {
                try {
                    thread.join(TimeUnit.SECONDS.toMillis(2));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
