package io.portmesh.loadtest.forwarding;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.LongAdder;

/**
 * The baseline: the least a Java program can do to forward a datagram. One blocking {@link DatagramChannel}, one
 * thread, receive into a direct buffer and send it on to a fixed address; no parsing, no lookup, no copy. Socket
 * buffers are left at the system default, as the agent's are.
 */
final class UdpRelay implements AutoCloseable {
    private final DatagramChannel channel;
    private final InetSocketAddress to;
    private final Thread thread;
    private final LongAdder relayed = new LongAdder();

    UdpRelay(InetSocketAddress bind, InetSocketAddress to) throws IOException {
        this.channel = DatagramChannel.open().bind(bind);
        this.to = to;
        this.thread = new Thread(this::run, "udp-relay");
        thread.setDaemon(true);
        thread.start();
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    long relayed() {
        return relayed.sum();
    }

    private void run() {
        ByteBuffer buf = ByteBuffer.allocateDirect(65_535);
        // Bounded by the channel: close() ends receive() with ClosedChannelException.
        while (true) {
            try {
                buf.clear();
                if (channel.receive(buf) == null) {
                    continue;
                }
                buf.flip();
                channel.send(buf, to);
                relayed.increment();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // a send refused by the kernel: the datagram is lost, as it would be for the agent
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
