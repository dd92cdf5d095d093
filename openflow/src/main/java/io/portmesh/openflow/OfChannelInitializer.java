package io.portmesh.openflow;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Builds the pipeline of one OpenFlow channel:
 * SSL? - FRAME_DECODER - MESSAGE_DECODER - MESSAGE_ENCODER - IDLE - HANDSHAKE - KEEPALIVE - DISPATCH.
 */
final class OfChannelInitializer extends ChannelInitializer<Channel> {
    static final AttributeKey<NettyOfConnection> CONNECTION = AttributeKey.valueOf("portmesh.openflow.connection");

    private final OfRole role;
    private final OfConfig config;
    private final OfMessageListener listener;
    private final SslContext sslContext;
    private final InetSocketAddress sslPeer;
    private final OfStats parentStats;
    private final ChannelGroup registry;
    private final OfWireDecoder wireDecoder;

    /**
     * @param sslContext null for plain TCP
     * @param sslPeer the server's address on a client channel (for TLS host checks), null on a server channel
     * @param registry where a server keeps its accepted channels, null on a client
     * @param wireDecoder decodes chosen messages before Loxi does, null for none
     */
    OfChannelInitializer(
            OfRole role,
            OfConfig config,
            OfMessageListener listener,
            SslContext sslContext,
            InetSocketAddress sslPeer,
            OfStats parentStats,
            ChannelGroup registry,
            OfWireDecoder wireDecoder) {
        this.role = role;
        this.config = config;
        this.listener = listener;
        this.sslContext = sslContext;
        this.sslPeer = sslPeer;
        this.parentStats = parentStats;
        this.registry = registry;
        this.wireDecoder = wireDecoder;
    }

    @Override
    protected void initChannel(Channel ch) {
        OfStats stats = parentStats.newChild();
        NettyOfConnection connection = new NettyOfConnection(ch, role, config, stats);
        ch.attr(CONNECTION).set(connection);
        if (registry != null) {
            registry.add(ch);
        }
        OfMessageDecoder decoder = new OfMessageDecoder(stats, role, config.malformedPolicy(), false, wireDecoder);
        ChannelPipeline p = ch.pipeline();
        if (sslContext != null) {
            p.addLast(
                    OfHandler.SSL.name(),
                    sslPeer == null
                            ? sslContext.newHandler(ch.alloc())
                            : sslContext.newHandler(ch.alloc(), sslPeer.getHostString(), sslPeer.getPort()));
        }
        p.addLast(OfHandler.FRAME_DECODER.name(), new OfFrameDecoder(stats));
        p.addLast(OfHandler.MESSAGE_DECODER.name(), decoder);
        p.addLast(OfHandler.MESSAGE_ENCODER.name(), new OfMessageEncoder(stats));
        p.addLast(
                OfHandler.IDLE.name(),
                new IdleStateHandler(config.echoInterval().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        p.addLast(OfHandler.HANDSHAKE.name(), new OfChannelHandshakeHandler(decoder, stats));
        p.addLast(
                OfHandler.KEEPALIVE.name(),
                new OfKeepaliveHandler(config.echoInterval(), config.echoMissLimit(), stats));
        p.addLast(OfHandler.DISPATCH.name(), new OfDispatchHandler(connection, listener, config));
    }

    static NettyOfConnection connectionOf(Channel ch) {
        return ch.attr(CONNECTION).get();
    }
}
