package io.portmesh.openflow;

import io.netty.buffer.ByteBuf;
import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.projectfloodlight.openflow.protocol.OFBarrierReply;
import org.projectfloodlight.openflow.protocol.OFDescStatsReply;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFeaturesReply;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPortDesc;
import org.projectfloodlight.openflow.protocol.OFStatsReply;
import org.projectfloodlight.openflow.protocol.OFStatsRequest;
import org.projectfloodlight.openflow.types.DatapathId;

/**
 * One OpenFlow 1.3 connection after its handshake. Thread-safe: any thread may send. Futures complete on the
 * connection's event loop (use the {@code *Async} stages for blocking work); they fail with
 * {@link OfErrorException} when the peer answers with OFPT_ERROR, with {@link OfDisconnectedException} when the
 * connection closes first and with {@link java.util.concurrent.TimeoutException} after
 * {@link OfConfig#requestTimeout()}.
 */
public interface OfConnection {
    /** A number unique in this process, for logs. */
    long id();

    /** The role of the local end. */
    OfRole localRole();

    /** The OpenFlow 1.3 Loxi factory to build messages with. */
    OFFactory factory();

    /**
     * A fresh transaction id, never 0. Taken from Loxi's process-wide generator, the one factory builders use
     * when no xid is set, so a message built without an explicit xid cannot collide with a pending request.
     */
    long nextXid();

    /** Queues one message and flushes. Returns false (and drops it) when the connection is closed. */
    boolean send(OFMessage message);

    /**
     * Serialises the messages into as few buffers as possible and flushes once: the way to send large batches
     * of flow-mods. Messages that fail to serialise are dropped and counted. Returns false when closed.
     */
    boolean send(List<? extends OFMessage> messages);

    /**
     * Writes messages that are already serialised (one or more whole OpenFlow 1.3 messages back to back) and
     * flushes; takes ownership of {@code wire}. For bulk senders that encode ahead of time. Returns false (and
     * releases the buffer) when the connection is closed.
     */
    boolean sendEncoded(ByteBuf wire);

    /**
     * Sends {@code request} and completes with the first message of type {@code replyType} carrying its xid
     * (an xid of 0 is replaced by a fresh one). An OFPT_ERROR with that xid fails the future.
     */
    <R extends OFMessage> CompletableFuture<R> request(OFMessage request, Class<R> replyType);

    /** Sends a multipart request and completes with all reply parts once one arrives without the MORE flag. */
    <R extends OFStatsReply> CompletableFuture<List<R>> multipart(OFStatsRequest<R> request);

    /** Sends BARRIER_REQUEST; completes when its reply arrives, i.e. every earlier message was processed. */
    CompletableFuture<OFBarrierReply> barrier();

    /** Present on a controller end (the switch phase ran); empty on a switch end. */
    Optional<OfSwitchInfo> switchInfo();

    /**
     * The switch's FEATURES_REPLY.
     *
     * @throws IllegalStateException on a switch end
     */
    OFFeaturesReply features();

    /**
     * The switch's DESC reply.
     *
     * @throws IllegalStateException on a switch end
     */
    OFDescStatsReply description();

    /**
     * The switch's ports from PORT_DESC at handshake time.
     *
     * @throws IllegalStateException on a switch end
     */
    List<OFPortDesc> ports();

    /**
     * The switch's datapath id.
     *
     * @throws IllegalStateException on a switch end
     */
    DatapathId datapathId();

    SocketAddress remoteAddress();

    /**
     * The certificate the peer presented in the TLS handshake, verified against the CA this end trusts; empty over
     * plain TCP or when the peer presented none (a server that does not require one). The chain's first entry: the
     * peer's own.
     */
    Optional<X509Certificate> peerCertificate();

    SocketAddress localAddress();

    boolean isActive();

    /** False while the outbound buffer is above Netty's high water mark: slow down bulk senders. */
    boolean isWritable();

    /**
     * Stops (true) or resumes (false) reading the peer's messages: its further requests wait in the sockets' buffers,
     * and TCP slows the peer down, instead of this end queueing work and replies for it without bound. Messages
     * already read are still delivered. Thread-safe. A connection without a transport to pause (a test's fake)
     * ignores it.
     */
    default void setReadPaused(boolean paused) {}

    /** Closes the connection; the listener then gets {@code onDisconnected(this, null)}. */
    void close();

    /** Counters of this connection. */
    OfStats stats();

    /** Whatever the owner attached (e.g. its session), or null. */
    Object attachment();

    void attach(Object attachment);
}
