package io.portmesh.openflow;

import java.net.SocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.projectfloodlight.openflow.protocol.OFMessage;

/** Records every listener call in queues; an optional responder reacts to messages (e.g. a fake switch). */
final class RecordingListener implements OfMessageListener {
    record Disconnect(OfConnection connection, Throwable cause) {}

    record Received(OfConnection connection, OFMessage message) {}

    final BlockingQueue<OfConnection> connected = new LinkedBlockingQueue<>();
    final BlockingQueue<Received> messages = new LinkedBlockingQueue<>();
    final BlockingQueue<Disconnect> disconnected = new LinkedBlockingQueue<>();
    final BlockingQueue<Throwable> handshakeFailures = new LinkedBlockingQueue<>();
    final BlockingQueue<OfRoleStatus> roleStatuses = new LinkedBlockingQueue<>();
    private final BiConsumer<OfConnection, OFMessage> responder;

    RecordingListener() {
        this((c, m) -> {});
    }

    RecordingListener(BiConsumer<OfConnection, OFMessage> responder) {
        this.responder = responder;
    }

    @Override
    public void onConnected(OfConnection connection) {
        connected.add(connection);
    }

    @Override
    public void onMessage(OfConnection connection, OFMessage message) {
        messages.add(new Received(connection, message));
        responder.accept(connection, message);
    }

    @Override
    public void onRoleStatus(OfConnection connection, OfRoleStatus status) {
        roleStatuses.add(status);
    }

    @Override
    public void onDisconnected(OfConnection connection, Throwable cause) {
        disconnected.add(new Disconnect(connection, cause));
    }

    @Override
    public void onHandshakeFailed(SocketAddress remoteAddress, Throwable cause) {
        handshakeFailures.add(cause);
    }

    static <T> T poll(BlockingQueue<T> queue, long seconds) throws InterruptedException {
        T value = queue.poll(seconds, TimeUnit.SECONDS);
        if (value == null) {
            throw new AssertionError("nothing arrived within " + seconds + " s");
        }
        return value;
    }

    OfConnection awaitConnected() throws InterruptedException {
        return poll(connected, 10);
    }

    Disconnect awaitDisconnected() throws InterruptedException {
        return poll(disconnected, 10);
    }

    /** The next received message of {@code type}, skipping others. */
    <T extends OFMessage> T awaitMessage(Class<T> type) throws InterruptedException {
        for (int i = 0; i < 1000; i++) {
            Received r = poll(messages, 10);
            if (type.isInstance(r.message())) {
                return type.cast(r.message());
            }
        }
        throw new AssertionError("no " + type.getSimpleName());
    }
}
