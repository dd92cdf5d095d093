package io.portmesh.loadtest.forwarding;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.locks.LockSupport;

/**
 * The sender of every case: one thread sends the same datagram to one address, flat out or at a fixed offered rate,
 * until it has sent {@code maxFrames} or {@code maxNanos} have passed. Its socket is bound once and kept, because the
 * agent's trunk learns a VLAN's endpoint from the address frames come from.
 */
final class Blaster implements AutoCloseable {
    /** A send that the kernel refused (e.g. a full socket buffer) is counted, not retried. */
    record Run(long sent, long refused, long startNanos, long endNanos) {
        double offeredPerSecond() {
            long nanos = Math.max(1, endNanos - startNanos);
            return sent * 1e9 / nanos;
        }
    }

    private final DatagramChannel channel;

    Blaster(InetSocketAddress bind, InetSocketAddress to) throws IOException {
        channel = DatagramChannel.open().bind(bind).connect(to);
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    /** Sends one datagram now (to teach a trunk this sender's address, for example). */
    void sendOne(byte[] datagram) throws IOException {
        channel.write(ByteBuffer.wrap(datagram));
    }

    /**
     * Sends on the calling thread.
     *
     * @param ratePerSecond 0 for flat out; otherwise frames are spaced evenly on a fixed schedule (a late sender
     *     catches up in a burst, so the offered rate holds on average)
     */
    Run blast(byte[] datagram, long maxFrames, long maxNanos, double ratePerSecond) {
        ByteBuffer buf = ByteBuffer.allocateDirect(datagram.length);
        buf.put(datagram).flip();
        double interval = ratePerSecond > 0 ? 1e9 / ratePerSecond : 0;
        long start = System.nanoTime();
        long deadline = start + maxNanos;
        long sent = 0;
        long refused = 0;
        while (sent < maxFrames) {
            if ((sent & 0xFF) == 0 && System.nanoTime() >= deadline) {
                break;
            }
            if (interval > 0) {
                long due = start + (long) (sent * interval);
                long ahead = due - System.nanoTime();
                if (ahead > 0) {
                    // park for long gaps (another thread needs the core), spin for the last stretch
                    if (ahead > 100_000) {
                        LockSupport.parkNanos(ahead - 50_000);
                    }
                    continue;
                }
            }
            buf.rewind();
            try {
                if (channel.write(buf) == 0) {
                    refused++;
                }
            } catch (IOException e) {
                refused++; // ECONNREFUSED from an earlier ICMP, ENOBUFS: counted as lost
            }
            sent++;
        }
        return new Run(sent, refused, start, System.nanoTime());
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
