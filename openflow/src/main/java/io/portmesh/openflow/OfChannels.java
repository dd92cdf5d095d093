package io.portmesh.openflow;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.AttributeKey;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.projectfloodlight.openflow.protocol.OFMessage;

/** Closing a channel while remembering why, so that the dispatch handler can report the cause. */
final class OfChannels {
    private static final AttributeKey<Throwable> CLOSE_CAUSE = AttributeKey.valueOf("portmesh.openflow.closeCause");

    /** A peer that never reads must not keep a connection we decided to close half-open forever. */
    private static final long FORCED_CLOSE_MILLIS = 1000;

    private OfChannels() {}

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
