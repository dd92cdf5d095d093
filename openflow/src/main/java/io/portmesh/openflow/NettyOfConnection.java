package io.portmesh.openflow;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.projectfloodlight.openflow.protocol.OFBarrierReply;
import org.projectfloodlight.openflow.protocol.OFDescStatsReply;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFeaturesReply;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPortDesc;
import org.projectfloodlight.openflow.protocol.OFStatsReply;
import org.projectfloodlight.openflow.protocol.OFStatsRequest;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.DatapathId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link OfConnection} over a Netty channel; created with the channel, handed out after the handshake. */
final class NettyOfConnection implements OfConnection {
    private static final Logger log = LoggerFactory.getLogger(NettyOfConnection.class);
    private static final AtomicLong IDS = new AtomicLong();
    private static final OFFactory OF13 = OFFactories.getFactory(OFVersion.OF_13);
    /** Batches are cut into buffers of about this size so that no single buffer grows without bound. */
    private static final int BATCH_BUFFER_BYTES = 64 * 1024;

    private final long id = IDS.incrementAndGet();
    private final Channel channel;
    private final OfRole role;
    private final OfStats stats;
    private final long requestTimeoutMillis;
    private final PendingRequests pending = new PendingRequests();
    private volatile OfSwitchInfo switchInfo;
    private volatile Object attachment;
    private volatile boolean closedLocally;

    NettyOfConnection(Channel channel, OfRole role, OfConfig config, OfStats stats) {
        this.channel = channel;
        this.role = role;
        this.stats = stats;
        this.requestTimeoutMillis = config.requestTimeout().toMillis();
    }

    PendingRequests pending() {
        return pending;
    }

    void switchInfo(OfSwitchInfo info) {
        this.switchInfo = info;
    }

    boolean closedLocally() {
        return closedLocally;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public OfRole localRole() {
        return role;
    }

    @Override
    public OFFactory factory() {
        return OF13;
    }

    @Override
    public long nextXid() {
        return OF13.nextXid();
    }

    @Override
    public boolean send(OFMessage message) {
        if (!channel.isActive()) {
            return false;
        }
        channel.writeAndFlush(message);
        return true;
    }

    @Override
    public boolean send(List<? extends OFMessage> messages) {
        if (!channel.isActive()) {
            return false;
        }
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop()) {
            writeBatch(messages);
        } else {
            List<? extends OFMessage> copy = List.copyOf(messages);
            loop.execute(() -> writeBatch(copy));
        }
        return true;
    }

    @Override
    public boolean sendEncoded(ByteBuf wire) {
        if (!channel.isActive()) {
            wire.release();
            return false;
        }
        channel.writeAndFlush(wire);
        return true;
    }

    /** Serialises straight into large buffers (the encoder lets them pass) and flushes once. */
    private void writeBatch(List<? extends OFMessage> messages) {
        ByteBuf buf = null;
        int written = 0;
        for (OFMessage m : messages) {
            if (buf == null) {
                buf = channel.alloc().ioBuffer(BATCH_BUFFER_BYTES);
            }
            int mark = buf.writerIndex();
            try {
                m.writeTo(buf);
                written++;
            } catch (RuntimeException e) {
                buf.writerIndex(mark);
                stats.increment(OfStats.Counter.ENCODE_ERRORS);
                log.debug("{}: cannot encode {} in batch: {}", channel, m.getType(), e.toString());
                continue;
            }
            if (buf.readableBytes() >= BATCH_BUFFER_BYTES) {
                channel.write(buf);
                buf = null;
            }
        }
        if (buf != null && buf.isReadable()) {
            channel.write(buf);
        } else if (buf != null) {
            buf.release();
        }
        stats.add(OfStats.Counter.MESSAGES_OUT, written);
        channel.flush();
    }

    @Override
    public <R extends OFMessage> CompletableFuture<R> request(OFMessage request, Class<R> replyType) {
        OFMessage toSend = withXid(request);
        CompletableFuture<R> future = pending.register(toSend.getXid(), replyType);
        return sendPending(toSend, future);
    }

    @Override
    public <R extends OFStatsReply> CompletableFuture<List<R>> multipart(OFStatsRequest<R> request) {
        OFMessage toSend = withXid(request);
        CompletableFuture<List<R>> future = pending.registerMultipart(toSend.getXid(), request.getStatsType());
        return sendPending(toSend, future);
    }

    @Override
    public CompletableFuture<OFBarrierReply> barrier() {
        return request(OF13.buildBarrierRequest().setXid(nextXid()).build(), OFBarrierReply.class);
    }

    private OFMessage withXid(OFMessage request) {
        return request.getXid() != 0
                ? request
                : request.createBuilder().setXid(nextXid()).build();
    }

    private <T> CompletableFuture<T> sendPending(OFMessage request, CompletableFuture<T> future) {
        if (future.isDone()) {
            return future;
        }
        long xid = request.getXid();
        try {
            var timer = channel.eventLoop()
                    .schedule(
                            () -> pending.timeout(xid, future, requestTimeoutMillis),
                            requestTimeoutMillis,
                            TimeUnit.MILLISECONDS);
            future.whenComplete((r, e) -> timer.cancel(false));
        } catch (RejectedExecutionException e) {
            // the event loop is shutting down: the connection is gone or about to be
            pending.failAll(new OfDisconnectedException("event loop shut down", e));
            return future;
        }
        channel.writeAndFlush(request);
        return future;
    }

    @Override
    public Optional<OfSwitchInfo> switchInfo() {
        return Optional.ofNullable(switchInfo);
    }

    private OfSwitchInfo requireSwitchInfo() {
        OfSwitchInfo info = switchInfo;
        if (info == null) {
            throw new IllegalStateException("no switch information: the local end of " + this + " is " + role);
        }
        return info;
    }

    @Override
    public OFFeaturesReply features() {
        return requireSwitchInfo().features();
    }

    @Override
    public OFDescStatsReply description() {
        return requireSwitchInfo().description();
    }

    @Override
    public List<OFPortDesc> ports() {
        return requireSwitchInfo().ports();
    }

    @Override
    public DatapathId datapathId() {
        return requireSwitchInfo().datapathId();
    }

    @Override
    public SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    @Override
    public Optional<X509Certificate> peerCertificate() {
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        if (tls == null) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = tls.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate own ? Optional.of(own) : Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty(); // no certificate presented, or the handshake has not finished
        }
    }

    @Override
    public SocketAddress localAddress() {
        return channel.localAddress();
    }

    @Override
    public boolean isActive() {
        return channel.isActive();
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public void setReadPaused(boolean paused) {
        channel.config().setAutoRead(!paused);
    }

    @Override
    public void close() {
        closedLocally = true;
        channel.close();
    }

    @Override
    public OfStats stats() {
        return stats;
    }

    @Override
    public Object attachment() {
        return attachment;
    }

    @Override
    public void attach(Object attachment) {
        this.attachment = attachment;
    }

    @Override
    public String toString() {
        return "OfConnection#" + id + "(" + role + " end, " + channel.localAddress() + " <-> " + channel.remoteAddress()
                + ")";
    }
}
