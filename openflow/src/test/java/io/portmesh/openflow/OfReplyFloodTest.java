package io.portmesh.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.portmesh.openflow.OfFuzzPeer.Marker;
import io.portmesh.openflow.OfFuzzPeer.Verdict;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Found by fuzzing: a peer that sends requests the pipeline answers by itself (echo requests, undecodable messages)
 * and never reads made the server queue every reply, 190 MB of direct memory for 3,000 echo requests of 60 KB, without
 * limit. Replies now stop being queued past {@link OfChannels#MAX_PENDING_REPLY_BYTES} unread bytes.
 */
class OfReplyFloodTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int ECHOES = 3000;
    private static final int ECHO_DATA = 60_000;

    private final Closer closer = new Closer();

    @AfterEach
    void tearDown() throws Exception {
        closer.close();
    }

    @Test
    void aPeerThatNeverReadsItsEchoRepliesCannotMakeTheServerBufferThemAll() throws Exception {
        OfServer server = closer.add(OfServer.builder(OfRole.CONTROLLER, new RecordingListener())
                .config(TestConfigs.relaxed())
                .bind(TestConfigs.loopback(0)));
        OfFuzzPeer healthy = closer.add(OfFuzzPeer.connect(server.localAddress()));
        healthy.helloAsSwitch(1, "healthy", WAIT);
        OfFuzzPeer flooder = closer.add(OfFuzzPeer.connect(server.localAddress()));
        flooder.helloAsSwitch(2, "flooder", WAIT);
        long before = usedDirectMemory();
        long messagesBefore = server.stats().messagesIn();

        byte[] echo = SampleMessages.encode(FakeSwitch.F
                .buildEchoRequest()
                .setXid(3)
                .setData(new byte[ECHO_DATA])
                .build());
        for (int i = 0; i < ECHOES; i++) {
            flooder.send(echo); // and never reads
        }
        flooder.flush();
        // the server reads on (it does not stop reading a peer): wait until it has decoded every echo request
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (server.stats().messagesIn() < messagesBefore + ECHOES) {
            assertThat(System.nanoTime())
                    .as("the server read every echo request")
                    .isLessThan(deadline);
            Thread.sleep(10);
        }

        long grown = usedDirectMemory() - before;
        assertThat(grown)
                .as("direct memory grown while %d echo requests of %d bytes went unread", ECHOES, ECHO_DATA)
                .isLessThan(64L << 20);
        assertThat(server.stats().get(OfStats.Counter.REPLIES_DROPPED)).isPositive();
        // the flooder's connection still works once it has read what was queued for it (an echo it sends while more
        // than the limit is unread gets no reply), and the other connection never noticed
        OfConnection atServer = server.connections().stream()
                .filter(c -> ((InetSocketAddress) c.remoteAddress()).getPort() == flooder.localPort())
                .findFirst()
                .orElseThrow();
        flooder.readUntilFramesReceived(atServer.stats().messagesOut(), Duration.ofSeconds(30));
        assertThat(flooder.finish(Marker.ECHO, WAIT)).isEqualTo(Verdict.ANSWERED);
        assertThat(healthy.echoRoundTrip(WAIT)).isTrue();
    }

    private static long usedDirectMemory() {
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT)
                .metric()
                .usedDirectMemory();
    }
}
