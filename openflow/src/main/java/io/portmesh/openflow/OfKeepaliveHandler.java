package io.portmesh.openflow;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.LongSupplier;
import org.projectfloodlight.openflow.protocol.OFEchoReply;
import org.projectfloodlight.openflow.protocol.OFEchoRequest;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Echo keepalive. Answers every ECHO_REQUEST. Once the handshake is done, each reader-idle event from the
 * {@link OfHandler#IDLE} handler (one per echo interval without input) sends an ECHO_REQUEST; any input from the
 * peer resets the count, and when {@code missLimit} echoes are outstanding at the next idle event the connection
 * is closed with a {@link KeepaliveTimeoutException}: a silent peer is detected {@code interval * (missLimit + 1)}
 * after its last input.
 *
 * <p>Only misses this side was there to see are counted. An idle event that comes more than {@link #LATE_FACTOR}
 * intervals after the previous one means this side did not run in between (its JVM stalled, its event loop was
 * starved): the peer's answer may be waiting unread, so the count restarts instead of counting that gap as misses
 * (counted in {@link OfStats.Counter#KEEPALIVE_LATE_RESTARTS}). At most {@code missLimit} restarts in a row without
 * input: a side that is late at every tick is running, only slowly, and then late ticks count again, so a dead peer
 * is still detected, later.
 */
final class OfKeepaliveHandler extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(OfKeepaliveHandler.class);
    private static final OFFactory OF13 = OFFactories.getFactory(OFVersion.OF_13);
    private static final byte[] NO_DATA = new byte[0];
    /** An idle event later than this many intervals after the previous one restarts the count. */
    static final int LATE_FACTOR = 2;

    private final Duration interval;
    private final int missLimit;
    private final OfStats stats;
    private final long lateNanos;
    private final LongSupplier clock;
    private final long[] echoXids;
    private boolean active;
    private int outstanding;
    private int lateRestarts;
    private long lastIdleNanos;
    private int nextSlot;

    OfKeepaliveHandler(Duration interval, int missLimit, OfStats stats) {
        this(interval, missLimit, stats, System::nanoTime);
    }

    /** @param clock {@link System#nanoTime()}, or a test's */
    OfKeepaliveHandler(Duration interval, int missLimit, OfStats stats, LongSupplier clock) {
        this.interval = interval;
        this.missLimit = missLimit;
        this.stats = stats;
        this.clock = clock;
        this.lateNanos = interval.toNanos() * LATE_FACTOR;
        // remembers the xids of our latest echoes so that their replies are consumed here
        this.echoXids = new long[missLimit + 1];
        Arrays.fill(echoXids, -1L);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        outstanding = 0;
        lateRestarts = 0;
        if (msg instanceof OFEchoRequest request) {
            if (!OfChannels.mayQueueReply(ctx.channel(), stats)) {
                return;
            }
            ctx.writeAndFlush(OF13.buildEchoReply()
                    .setXid(request.getXid())
                    .setData(request.getData())
                    .build());
            return;
        }
        if (msg instanceof OFEchoReply reply && isOurs(reply.getXid())) {
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == OfPipelineEvent.CONNECTED) {
            active = true;
        } else if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
            onReaderIdle(ctx);
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void onReaderIdle(ChannelHandlerContext ctx) {
        if (!active) {
            return; // until the handshake is done, the handshake timeout guards the connection
        }
        long now = clock.getAsLong();
        // outstanding > 0: no input since the previous idle event, which was this tick's reference
        if (outstanding > 0 && now - lastIdleNanos > lateNanos && lateRestarts < missLimit) {
            lateRestarts++;
            stats.increment(OfStats.Counter.KEEPALIVE_LATE_RESTARTS);
            log.debug(
                    "{}: idle tick {} ms late, {} unanswered echoes not counted",
                    ctx.channel(),
                    (now - lastIdleNanos - interval.toNanos()) / 1_000_000,
                    outstanding);
            outstanding = 0;
        }
        lastIdleNanos = now;
        if (outstanding >= missLimit) {
            stats.increment(OfStats.Counter.KEEPALIVE_TIMEOUTS);
            log.debug("{}: {} echoes unanswered, closing", ctx.channel(), outstanding);
            OfChannels.closeWithCause(ctx.channel(), new KeepaliveTimeoutException(outstanding, interval));
            return;
        }
        OFMessage echo =
                OF13.buildEchoRequest().setXid(OF13.nextXid()).setData(NO_DATA).build();
        echoXids[nextSlot] = echo.getXid();
        nextSlot = (nextSlot + 1) % echoXids.length;
        outstanding++;
        ctx.writeAndFlush(echo);
    }

    private boolean isOurs(long xid) {
        for (long x : echoXids) {
            if (x == xid) {
                return true;
            }
        }
        return false;
    }
}
