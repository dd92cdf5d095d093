package io.portmesh.openflow;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last handler: times the whole handshake, runs the switch phase on controller ends, settles pending requests
 * and hands everything else to the {@link OfMessageListener}. It never inspects message types itself. Messages
 * that arrive during the switch phase are held back and delivered right after {@code onConnected}.
 */
final class OfDispatchHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(OfDispatchHandler.class);
    /** More unsolicited messages than this before the switch phase ends is abuse, not a switch booting. */
    private static final int MAX_EARLY_MESSAGES = 4096;

    private final NettyOfConnection connection;
    private final OfMessageListener listener;
    private final long handshakeTimeoutMillis;
    /** Loxi messages, {@link OfMessageDecoder.WireMessage}s and {@link OfRoleStatus}es, in arrival order. */
    private final ArrayDeque<Object> early = new ArrayDeque<>();

    private ScheduledFuture<?> handshakeTimer;
    private boolean connected;

    OfDispatchHandler(NettyOfConnection connection, OfMessageListener listener, OfConfig config) {
        this.connection = connection;
        this.listener = listener;
        this.handshakeTimeoutMillis = config.handshakeTimeout().toMillis();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        handshakeTimer = ctx.executor()
                .schedule(
                        () -> {
                            connection.stats().increment(OfStats.Counter.HANDSHAKE_FAILURES);
                            OfChannels.closeWithCause(ctx.channel(), handshakeTimedOut(ctx));
                        },
                        handshakeTimeoutMillis,
                        TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    /**
     * Why the handshake timer closes the connection: a TLS handshake still under way (the peer stalled before it
     * proved anything; the controller counts it as a refusal) or, TLS done or absent, the OpenFlow one.
     */
    private Exception handshakeTimedOut(ChannelHandlerContext ctx) {
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        String within = " not finished within " + handshakeTimeoutMillis + " ms";
        return tls != null && !tls.handshakeFuture().isDone()
                ? new OfTlsHandshakeTimeoutException("TLS handshake" + within)
                : new OfHandshakeException("handshake" + within);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (connected) {
            listener.onWritabilityChanged(connection);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == OfPipelineEvent.CONNECTED) {
            return; // our own event, back from its trip through the pipeline
        }
        if (evt instanceof SslHandshakeCompletionEvent tls && !tls.isSuccess()) {
            // the TLS handler closes the channel itself; recorded here, the listener's onHandshakeFailed gets the
            // handshake's own exception (no certificate, unknown CA, ...) rather than whatever the close raised
            connection.stats().increment(OfStats.Counter.HANDSHAKE_FAILURES);
            OfChannels.closeWithCause(ctx.channel(), tls.cause());
            return;
        }
        if (evt != OfPipelineEvent.NEGOTIATED) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        if (connection.localRole() == OfRole.SWITCH) {
            connected(ctx, null);
            return;
        }
        SwitchHandshake.run(connection).whenComplete((info, failure) -> {
            if (!ctx.channel().isActive()) {
                return;
            }
            if (failure != null) {
                connection.stats().increment(OfStats.Counter.HANDSHAKE_FAILURES);
                OfChannels.closeWithCause(ctx.channel(), new OfHandshakeException("switch phase failed", failure));
            } else {
                connected(ctx, info);
            }
        });
    }

    private void connected(ChannelHandlerContext ctx, OfSwitchInfo info) {
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
        connection.switchInfo(info);
        connected = true;
        ctx.pipeline().fireUserEventTriggered(OfPipelineEvent.CONNECTED);
        log.debug("{}: connected{}", connection, info == null ? "" : " to " + info.datapathId());
        try {
            listener.onConnected(connection);
        } catch (RuntimeException e) {
            listenerFailed("onConnected", e);
        }
        while (!early.isEmpty() && ctx.channel().isActive()) {
            deliver(early.poll());
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof OFMessage message) {
            if (connection.pending().complete(message)) {
                return;
            }
        } else if (!(msg instanceof OfMessageDecoder.WireMessage) && !(msg instanceof OfRoleStatus)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (connected) {
            deliver(msg);
        } else if (early.size() < MAX_EARLY_MESSAGES) {
            early.add(msg);
        } else {
            OfChannels.closeWithCause(
                    ctx.channel(),
                    new OfHandshakeException(
                            "more than " + MAX_EARLY_MESSAGES + " messages before " + "the handshake finished"));
        }
    }

    private void deliver(Object message) {
        try {
            if (message instanceof OfMessageDecoder.WireMessage wire) {
                listener.onWireMessage(connection, wire.decoded());
            } else if (message instanceof OfRoleStatus status) {
                listener.onRoleStatus(connection, status);
            } else {
                listener.onMessage(connection, (OFMessage) message);
            }
        } catch (RuntimeException e) {
            listenerFailed("onMessage", e);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
        // a cause recorded by the pipeline wins over a later local close(); no cause at all means the peer left
        Throwable cause = OfChannels.closeCause(ctx.channel());
        if (cause == null && !connection.closedLocally()) {
            cause = new OfDisconnectedException("connection closed by peer");
        }
        connection
                .pending()
                .failAll(
                        cause == null
                                ? new OfDisconnectedException("connection closed locally")
                                : new OfDisconnectedException("connection lost: " + cause.getMessage(), cause));
        early.clear();
        try {
            if (connected) {
                listener.onDisconnected(connection, cause);
            } else {
                listener.onHandshakeFailed(
                        ctx.channel().remoteAddress(),
                        cause != null ? cause : new OfHandshakeException("closed locally during the handshake"));
            }
        } catch (RuntimeException e) {
            listenerFailed(connected ? "onDisconnected" : "onHandshakeFailed", e);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // I/O errors (reset, TLS) and anything a handler let through: record and close, never rethrow
        log.debug("{}: closing after {}", ctx.channel(), cause.toString());
        OfChannels.closeWithCause(ctx.channel(), cause);
    }

    private void listenerFailed(String callback, RuntimeException e) {
        connection.stats().increment(OfStats.Counter.LISTENER_ERRORS);
        log.warn("{}: listener {} threw", connection, callback, e);
    }
}
