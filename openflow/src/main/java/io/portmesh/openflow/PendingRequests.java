package io.portmesh.openflow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFStatsReply;
import org.projectfloodlight.openflow.protocol.OFStatsReplyFlags;
import org.projectfloodlight.openflow.protocol.OFStatsType;

/**
 * Requests waiting for their reply, by xid. A message settles a request only if its xid matches and it is the
 * expected reply type (or an OFPT_ERROR), so an unsolicited message that happens to reuse an xid still reaches
 * the listener. Multipart replies accumulate until a part arrives without the MORE flag.
 */
final class PendingRequests {
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private volatile Throwable closedCause;

    private static final class Pending {
        final Class<? extends OFMessage> replyType;
        final OFStatsType statsType; // non-null for multipart requests
        final CompletableFuture<Object> future = new CompletableFuture<>();
        final List<OFStatsReply> parts = new ArrayList<>();

        Pending(Class<? extends OFMessage> replyType, OFStatsType statsType) {
            this.replyType = replyType;
            this.statsType = statsType;
        }

        boolean accepts(OFMessage message) {
            if (!replyType.isInstance(message)) {
                return false;
            }
            return statsType == null || ((OFStatsReply) message).getStatsType() == statsType;
        }
    }

    /** Registers a request for a single reply; fails at once if the xid is taken or the connection is gone. */
    @SuppressWarnings("unchecked")
    <R extends OFMessage> CompletableFuture<R> register(long xid, Class<R> replyType) {
        return (CompletableFuture<R>) (CompletableFuture<?>) add(xid, new Pending(replyType, null));
    }

    /** Registers a multipart request; the future gets all parts. */
    @SuppressWarnings("unchecked")
    <R extends OFStatsReply> CompletableFuture<List<R>> registerMultipart(long xid, OFStatsType statsType) {
        return (CompletableFuture<List<R>>) (CompletableFuture<?>) add(xid, new Pending(OFStatsReply.class, statsType));
    }

    private CompletableFuture<Object> add(long xid, Pending p) {
        if (pending.putIfAbsent(xid, p) != null) {
            p.future.completeExceptionally(new IllegalStateException("xid " + xid + " already pending"));
            return p.future;
        }
        Throwable closed = closedCause;
        if (closed != null && pending.remove(xid, p)) {
            p.future.completeExceptionally(closed);
        }
        return p.future;
    }

    /** Settles the request {@code message} answers; false if it answers none (then it is unsolicited). */
    boolean complete(OFMessage message) {
        long xid = message.getXid();
        Pending p = pending.get(xid);
        if (p == null) {
            return false;
        }
        if (message instanceof OFErrorMsg error) {
            pending.remove(xid, p);
            p.future.completeExceptionally(new OfErrorException(error));
            return true;
        }
        if (!p.accepts(message)) {
            return false;
        }
        if (p.statsType == null) {
            pending.remove(xid, p);
            p.future.complete(message);
            return true;
        }
        OFStatsReply part = (OFStatsReply) message;
        p.parts.add(part);
        if (!part.getFlags().contains(OFStatsReplyFlags.REPLY_MORE)) {
            pending.remove(xid, p);
            p.future.complete(List.copyOf(p.parts));
        }
        return true;
    }

    /** Fails the request with {@code xid} with a timeout, if it is still pending. */
    void timeout(long xid, CompletableFuture<?> future, long millis) {
        Pending p = pending.get(xid);
        if (p != null && p.future == future && pending.remove(xid, p)) {
            p.future.completeExceptionally(
                    new TimeoutException("no reply to xid " + xid + " within " + millis + " ms"));
        }
    }

    /** Fails everything pending and every later registration with {@code cause}. */
    void failAll(Throwable cause) {
        closedCause = cause;
        for (Long xid : List.copyOf(pending.keySet())) {
            Pending p = pending.remove(xid);
            if (p != null) {
                p.future.completeExceptionally(cause);
            }
        }
    }

    int size() {
        return pending.size();
    }
}
