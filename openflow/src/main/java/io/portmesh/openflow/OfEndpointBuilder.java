package io.portmesh.openflow;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.util.Objects;

/** The settings an {@link OfServer} and an {@link OfClient} share; each adds how it starts (bind, connect). */
public abstract class OfEndpointBuilder<B extends OfEndpointBuilder<B>> {
    final OfRole role;
    final OfMessageListener listener;
    OfConfig config = OfConfig.defaults();
    SslContext sslContext;
    EventLoopGroup group;
    OfWireDecoder wireDecoder;

    OfEndpointBuilder(OfRole role, OfMessageListener listener) {
        this.role = Objects.requireNonNull(role, "role");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    public B config(OfConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        return self();
    }

    /** A TLS context for this end (production); none means plain TCP. */
    public B sslContext(SslContext sslContext) {
        this.sslContext = sslContext;
        return self();
    }

    /** Decodes chosen messages from their wire bytes before Loxi sees them; see {@link OfWireDecoder}. */
    public B wireDecoder(OfWireDecoder decoder) {
        this.wireDecoder = decoder;
        return self();
    }

    /** An NIO event loop group to share (it stays running after close); default: an own one. */
    public B eventLoopGroup(EventLoopGroup group) {
        this.group = group;
        return self();
    }
}
