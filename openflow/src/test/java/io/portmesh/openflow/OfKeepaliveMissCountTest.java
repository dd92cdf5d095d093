package io.portmesh.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFEchoRequest;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFVersion;

/**
 * The keepalive's miss counting against a fake clock, idle events fired by hand: misses are counted on ticks that come
 * on time; a tick that comes late (this side did not run: a stall) restarts the count instead; a side late at every
 * tick still closes a silent connection.
 */
class OfKeepaliveMissCountTest {
    private static final Duration INTERVAL = Duration.ofMillis(20);
    private static final int MISSES = 3;

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final OfStats stats = new OfStats();
    private final EmbeddedChannel channel =
            new EmbeddedChannel(new OfKeepaliveHandler(INTERVAL, MISSES, stats, now::get));

    OfKeepaliveMissCountTest() {
        channel.pipeline().fireUserEventTriggered(OfPipelineEvent.CONNECTED);
    }

    /** One reader-idle tick {@code afterMillis} after the previous one; true if the connection is still open. */
    private boolean tick(long afterMillis) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(afterMillis));
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
        channel.runPendingTasks();
        return channel.isOpen();
    }

    private int echoesSent() {
        int n = 0;
        for (Object o = channel.readOutbound(); o != null; o = channel.readOutbound()) {
            if (o instanceof OFEchoRequest) {
                n++;
            }
        }
        return n;
    }

    @Test
    void aSilentPeerIsClosedAtTheTickAfterTheThirdUnansweredEchoWhenTicksComeOnTime() {
        assertThat(tick(20)).isTrue();
        assertThat(tick(20)).isTrue();
        assertThat(tick(21)).isTrue(); // a millisecond of jitter is on time
        assertThat(echoesSent()).isEqualTo(3);
        assertThat(tick(20)).isFalse();
        assertThat(stats.get(OfStats.Counter.KEEPALIVE_TIMEOUTS)).isEqualTo(1);
        assertThat(stats.get(OfStats.Counter.KEEPALIVE_LATE_RESTARTS)).isZero();
    }

    @Test
    void aTickThatComesLateAfterAStallRestartsTheCountInsteadOfClosing() {
        assertThat(tick(20)).isTrue();
        assertThat(tick(20)).isTrue();
        assertThat(tick(20)).isTrue(); // three echoes unanswered: the next on-time tick would close
        assertThat(tick(500))
                .as("this side stalled 480 ms: the peer's answers may be unread")
                .isTrue();
        assertThat(stats.get(OfStats.Counter.KEEPALIVE_LATE_RESTARTS)).isEqualTo(1);
        assertThat(tick(20)).isTrue();
        assertThat(tick(20)).isTrue();
        assertThat(tick(20)).as("three more on-time misses after the restart").isFalse();
        assertThat(stats.get(OfStats.Counter.KEEPALIVE_TIMEOUTS)).isEqualTo(1);
    }

    @Test
    void aTickJustBeyondTwiceTheIntervalIsLateAndOneAtTwiceIsNot() {
        tick(20);
        tick(40); // exactly 2 intervals: on time (counted)
        assertThat(stats.get(OfStats.Counter.KEEPALIVE_LATE_RESTARTS)).isZero();
        tick(41);
        assertThat(stats.get(OfStats.Counter.KEEPALIVE_LATE_RESTARTS)).isEqualTo(1);
    }

    @Test
    void inputResetsTheCountAndTheLateRestarts() {
        tick(20);
        tick(20);
        tick(20);
        channel.writeInbound(OFFactories.getFactory(OFVersion.OF_13)
                .buildBarrierReply()
                .setXid(7)
                .build());
        assertThat(tick(20)).isTrue();
        assertThat(tick(20)).isTrue();
        assertThat(tick(20)).isTrue();
        assertThat(tick(20)).isFalse();
    }

    @Test
    void aSideLateAtEveryTickStillClosesASilentConnectionAfterAtMostMissLimitRestarts() {
        int ticks = 0;
        while (channel.isOpen() && ticks < 100) {
            tick(100);
            ticks++;
        }
        assertThat(channel.isOpen()).isFalse();
        // the first tick has no reference; then each late tick restarts once (3 in a row), then 3 late misses count
        assertThat(stats.get(OfStats.Counter.KEEPALIVE_LATE_RESTARTS)).isEqualTo(MISSES);
        assertThat(ticks).isEqualTo(1 + MISSES + MISSES);
    }
}
