package io.portmesh.openflow;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one OpenFlow 1.3 connection to {@code remote} alive, playing {@code role} (an agent connecting to a
 * controller node, or a controller connecting to a passive switch). After a failed attempt, a failed handshake
 * or a lost connection it retries with exponential backoff ({@link OfConfig#reconnectMin()} to
 * {@link OfConfig#reconnectMax()}, reset by each successful handshake) until {@link #close()}. The listener sees
 * every connection and disconnection.
 */
public final class OfClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OfClient.class);

    private final InetSocketAddress remote;
    private final OfMessageListener listener;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final Bootstrap bootstrap;
    private final Backoff backoff;
    private final OfStats stats = new OfStats();
    private volatile boolean closed;
    private volatile Channel channel;
    private volatile OfConnection connection;

    private OfClient(Builder b, InetSocketAddress remote) {
        this.remote = remote;
        this.listener = b.listener;
        this.ownsGroup = b.group == null;
        this.group =
                ownsGroup ? EventLoops.newGroup("of-client-" + b.role.name().toLowerCase(), 1) : b.group;
        this.backoff = new Backoff(b.config.reconnectMin(), b.config.reconnectMax(), new Random());
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        b.config.handshakeTimeout().toMillis())
                .handler(new OfChannelInitializer(
                        b.role, b.config, new Tracking(), b.sslContext, remote, stats, null, b.wireDecoder));
    }

    /** Starts configuring a client whose connections play {@code role} and report to {@code listener}. */
    public static Builder builder(OfRole role, OfMessageListener listener) {
        return new Builder(role, listener);
    }

    public InetSocketAddress remoteAddress() {
        return remote;
    }

    /** The current connection once its handshake finished, until it is lost. */
    public Optional<OfConnection> connection() {
        return Optional.ofNullable(connection);
    }

    public boolean isConnected() {
        OfConnection c = connection;
        return c != null && c.isActive();
    }

    /** Totals over all connections this client made. */
    public OfStats stats() {
        return stats;
    }

    /** Stops reconnecting and closes the current connection ({@code onDisconnected(c, null)}). */
    @Override
    public void close() {
        closed = true;
        Channel ch = channel;
        if (ch != null) {
            NettyOfConnection c = OfChannelInitializer.connectionOf(ch);
            if (c != null) {
                c.close();
            } else {
                ch.close();
            }
            if (!EventLoops.inside(group)) {
                ch.closeFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
        if (ownsGroup) {
            EventLoops.shutdown(group);
        }
    }

    private void attempt() {
        if (closed) {
            return;
        }
        ChannelFuture connect = bootstrap.connect(remote);
        Channel ch = connect.channel();
        channel = ch;
        if (closed) {
            ch.close(); // close() ran while this attempt was being set up
        }
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                log.debug("connect to {} failed: {}", remote, f.cause().toString());
                ch.close(); // a failed connect does not always close the channel, and we retry on close
            }
        });
        ch.closeFuture().addListener(f -> scheduleNext());
    }

    private void scheduleNext() {
        if (closed) {
            return;
        }
        long delay = backoff.nextDelayMillis();
        try {
            group.schedule(this::attempt, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("event loop shut down, not reconnecting to {}", remote);
        }
    }

    /** Tracks the current connection and the backoff, then forwards to the owner's listener. */
    private final class Tracking implements OfMessageListener {
        @Override
        public void onConnected(OfConnection c) {
            backoff.reset();
            connection = c;
            listener.onConnected(c);
        }

        @Override
        public void onMessage(OfConnection c, OFMessage message) {
            listener.onMessage(c, message);
        }

        @Override
        public void onWireMessage(OfConnection c, Object message) {
            listener.onWireMessage(c, message);
        }

        @Override
        public void onWritabilityChanged(OfConnection c) {
            listener.onWritabilityChanged(c);
        }

        @Override
        public void onDisconnected(OfConnection c, Throwable cause) {
            if (connection == c) {
                connection = null;
            }
            listener.onDisconnected(c, cause);
        }

        @Override
        public void onHandshakeFailed(SocketAddress remoteAddress, Throwable cause) {
            listener.onHandshakeFailed(remoteAddress, cause);
        }
    }

    /** Settings of an {@link OfClient}; {@link #connect} starts it. */
    public static final class Builder extends OfEndpointBuilder<Builder> {
        private Builder(OfRole role, OfMessageListener listener) {
            super(role, listener);
        }

        /** Starts connecting to {@code remote} in the background and returns at once. */
        public OfClient connect(InetSocketAddress remote) {
            OfClient client = new OfClient(this, Objects.requireNonNull(remote, "remote"));
            client.group.execute(client::attempt);
            return client;
        }
    }
}
