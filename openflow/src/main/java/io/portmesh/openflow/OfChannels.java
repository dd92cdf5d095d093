package io.portmesh.openflow;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.AttributeKey;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.projectfloodlight.openflow.protocol.OFMessage;

/** Closing a channel while remembering why, so that the dispatch handler can report the cause. */
final class OfChannels {
    private static final AttributeKey<Throwable> CLOSE_CAUSE = AttributeKey.valueOf("portmesh.openflow.closeCause");

    /** A peer that never reads must not keep a connection we decided to close half-open forever. */
    private static final long FORCED_CLOSE_MILLIS = 1000;

    /**
     * Unwritten bytes above which this end stops queueing the replies it makes on its own. Far above a normal burst
     * (the write buffer's high-water mark is 64 KiB), far below what fills a heap: before this limit a peer sending
     * echo requests without reading made the controller buffer every reply (190 MB of direct memory for 3,000 echo
     * requests of 60 KB), so one connection could exhaust the memory the node's other connections need.
     */
    static final long MAX_PENDING_REPLY_BYTES = 8L << 20;

    private OfChannels() {}

    /**
     * Whether a reply this end makes on its own (an echo reply, an error for undecodable input) may be queued: not
     * while the peer left more than {@link #MAX_PENDING_REPLY_BYTES} unread. A refused one is counted in {@link
     * OfStats.Counter#REPLIES_DROPPED}; a peer that does not read its replies cannot miss them.
     */
    static boolean mayQueueReply(Channel channel, OfStats stats) {
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        if (out == null || out.totalPendingWriteBytes() < MAX_PENDING_REPLY_BYTES) {
            return true;
        }
        stats.increment(OfStats.Counter.REPLIES_DROPPED);
        return false;
    }

    /** Records {@code cause} (the first recorded cause wins) and closes the channel. */
    static void closeWithCause(Channel channel, Throwable cause) {
        channel.attr(CLOSE_CAUSE).setIfAbsent(cause);
        channel.close();
    }

    /** Records {@code cause}, sends {@code last} (typically an OFPT_ERROR) and closes once it is written. */
    static void sendAndClose(Channel channel, OFMessage last, Throwable cause) {
        channel.attr(CLOSE_CAUSE).setIfAbsent(cause);
        channel.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
        try {
            channel.eventLoop().schedule(() -> channel.close(), FORCED_CLOSE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            channel.close(); // the event loop is shutting down: no time to wait for the write
        }
    }

    /** The cause recorded by {@link #closeWithCause} or {@link #sendAndClose}, or null. */
    static Throwable closeCause(Channel channel) {
        return channel.attr(CLOSE_CAUSE).get();
    }
}
