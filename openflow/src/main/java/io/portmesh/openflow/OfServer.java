package io.portmesh.openflow;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Accepts OpenFlow 1.3 connections and plays {@code role} on each: a controller listening on 6653, or an agent
 * listening passively (like Open vSwitch {@code ptcp:}) for {@code ovs-ofctl} or a test controller.
 *
 * <pre>{@code
 * OfServer server = OfServer.builder(OfRole.CONTROLLER, listener).config(cfg).bind(new InetSocketAddress(6653));
 * }</pre>
 */
public final class OfServer implements AutoCloseable {
    private final Channel serverChannel;
    private final ChannelGroup children;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final OfStats stats;

    private OfServer(
            Channel serverChannel, ChannelGroup children, EventLoopGroup group, boolean ownsGroup, OfStats stats) {
        this.serverChannel = serverChannel;
        this.children = children;
        this.group = group;
        this.ownsGroup = ownsGroup;
        this.stats = stats;
    }

    /** Starts configuring a server whose connections play {@code role} and report to {@code listener}. */
    public static Builder builder(OfRole role, OfMessageListener listener) {
        return new Builder(role, listener);
    }

    /** The bound address (its port is the real one when port 0 was asked for). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Whether it still listens: bound and not closed. */
    public boolean isListening() {
        return serverChannel.isActive();
    }

    public int port() {
        return localAddress().getPort();
    }

    /** Connections accepted and not yet closed, handshake finished or not. */
    public List<OfConnection> connections() {
        List<OfConnection> result = new ArrayList<>();
        for (Channel ch : children) {
            NettyOfConnection c = OfChannelInitializer.connectionOf(ch);
            if (c != null) {
                result.add(c);
            }
        }
        return result;
    }

    /** Totals over all connections of this server. */
    public OfStats stats() {
        return stats;
    }

    /**
     * Stops listening and closes every connection (each reports {@code onDisconnected(c, null)}); shuts down the
     * event loop group if the server created it.
     */
    @Override
    public void close() {
        boolean mayWait = !EventLoops.inside(group); // waiting on our own event loop would deadlock
        var unbound = serverChannel.close();
        if (mayWait) {
            unbound.awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        for (Channel ch : children) {
            NettyOfConnection c = OfChannelInitializer.connectionOf(ch);
            if (c != null) {
                c.close();
            } else {
                ch.close();
            }
        }
        if (mayWait) {
            children.newCloseFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (ownsGroup) {
            EventLoops.shutdown(group);
        }
    }

    /** Settings of an {@link OfServer}; {@link #bind} starts it. */
    public static final class Builder extends OfEndpointBuilder<Builder> {
        private Builder(OfRole role, OfMessageListener listener) {
            super(role, listener);
        }

        /** Binds (port 0 picks a free port) and starts accepting. */
        public OfServer bind(InetSocketAddress address) throws IOException {
            boolean owns = group == null;
            EventLoopGroup loops =
                    owns ? EventLoops.newGroup("of-server-" + role.name().toLowerCase(), 0) : group;
            OfStats stats = new OfStats();
            ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
            ServerBootstrap b = new ServerBootstrap()
                    .group(loops)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true)
                    .childHandler(new OfChannelInitializer(
                            role, config, listener, sslContext, null, stats, children, wireDecoder));
            ChannelFuture bound = b.bind(address).awaitUninterruptibly();
            if (!bound.isSuccess()) {
                if (owns) {
                    EventLoops.shutdown(loops);
                }
                Throwable cause = bound.cause();
                throw cause instanceof IOException io ? io : new IOException("cannot bind " + address, cause);
            }
            return new OfServer(bound.channel(), children, loops, owns, stats);
        }
    }
}
