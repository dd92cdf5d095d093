package io.portmesh.loadtest.forwarding;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;

/**
 * The far end of every case: counts the datagrams that arrive and remembers when the last one did. One thread, a
 * large receive buffer (capped by net.core.rmem_max) so that the counter is not where frames are lost.
 */
final class UdpCounter implements AutoCloseable {
    static final int RECEIVE_BUFFER = 8 << 20;

    private final DatagramChannel channel;
    private final Thread thread;
    private volatile long count;
    private volatile long lastArrivalNanos;

    UdpCounter(InetSocketAddress bind) throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        ch.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
        channel = ch.bind(bind);
        thread = new Thread(this::run, "udp-counter");
        thread.setDaemon(true);
        thread.start();
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    int receiveBufferBytes() throws IOException {
        return channel.getOption(StandardSocketOptions.SO_RCVBUF);
    }

    long count() {
        return count;
    }

    long lastArrivalNanos() {
        return lastArrivalNanos;
    }

    /**
     * Waits until nothing has arrived for {@code quietMillis} (everything in flight is in), at most {@code maxMillis}.
     * Returns the count then.
     */
    long awaitQuiet(long quietMillis, long maxMillis) throws InterruptedException {
        long deadline = System.nanoTime() + maxMillis * 1_000_000L;
        long seen = count;
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            Thread.sleep(20);
            long now = count;
            if (now != seen) {
                seen = now;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince >= quietMillis * 1_000_000L) {
                break;
            }
        }
        return seen;
    }

    private void run() {
        ByteBuffer buf = ByteBuffer.allocateDirect(65_535);
        // Bounded by the channel: close() ends receive() with ClosedChannelException.
        while (true) {
            try {
                buf.clear();
                if (channel.receive(buf) != null) {
                    lastArrivalNanos = System.nanoTime();
                    count++; // single writer
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // nothing to count
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
