package io.portmesh.agent.control;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Forwards every datagram it gets to {@code to} after {@code delayMs}, in order: a slow path. */
final class DelayRelay implements AutoCloseable {
    private final DatagramChannel channel;
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();
    private final Thread receiver;

    DelayRelay(InetSocketAddress bind, InetSocketAddress to, int delayMs) throws IOException {
        channel = DatagramChannel.open().bind(bind);
        receiver = new Thread(
                () -> {
                    ByteBuffer b = ByteBuffer.allocate(65_535);
                    while (channel.isOpen()) {
                        try {
                            b.clear();
                            channel.receive(b);
                            b.flip();
                            ByteBuffer copy =
                                    ByteBuffer.allocate(b.remaining()).put(b).flip();
                            sender.schedule(
                                    () -> {
                                        try {
                                            channel.send(copy, to);
                                        } catch (IOException closed) {
                                            // the test is over
                                        }
                                    },
                                    delayMs,
                                    TimeUnit.MILLISECONDS);
                        } catch (ClosedChannelException closed) {
                            return;
                        } catch (IOException | RuntimeException e) {
                            return;
                        }
                    }
                },
                "delay-relay");
        receiver.setDaemon(true);
        receiver.start();
    }

    @Override
    public void close() throws Exception {
        channel.close();
        sender.shutdownNow();
        receiver.join(2_000);
    }
}
