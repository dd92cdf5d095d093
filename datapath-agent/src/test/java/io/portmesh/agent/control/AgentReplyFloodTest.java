package io.portmesh.agent.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.portmesh.openflow.OfConnection;
import io.portmesh.openflow.OfFuzzPeer;
import io.portmesh.openflow.OfFuzzPeer.Marker;
import io.portmesh.openflow.OfFuzzPeer.Verdict;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFVersion;

/**
 * Found by review: a client of the agent's listen port that sends table-features requests and never reads made the
 * agent queue every reply (48 MB in 5 s from 20,000 requests) and every request on its control thread, without bound.
 * The agent now stops reading such a connection ({@link ReadGate}) until it caught up and the peer read its replies; a
 * peer that reads gets every reply, and the agent's controller connection is not disturbed.
 */
class AgentReplyFloodTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int REQUESTS = 20_000;
    private static final OFFactory F = OFFactories.getFactory(OFVersion.OF_13);

    private ScriptedController controller;
    private DatapathAgent agent;
    private OfFuzzPeer flooder;
    private Thread sender;

    @AfterEach
    void stop() throws Exception {
        if (flooder != null) {
            flooder.close();
        }
        if (sender != null) {
            sender.join(TimeUnit.SECONDS.toMillis(30));
        }
        if (agent != null) {
            agent.close();
        }
        if (controller != null) {
            controller.close();
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline)
                    .as(what + " within " + WAIT)
                    .isNegative();
            Thread.sleep(10);
        }
    }

    @Test
    void aListenPortClientThatNeverReadsIsNoLongerReadAndOneThatReadsGetsEveryReply() throws Exception {
        controller = new ScriptedController();
        agent = DatapathAgent.start(TestAgents.settings(
                "h1", 0x00AB_0001L, List.of(controller.hostPort()), "127.0.0.1", 0, 4789, "listen = \"127.0.0.1:0\""));
        OfConnection ctl = controller.awaitConnection();
        flooder = OfFuzzPeer.connect(agent.listenAddress().orElseThrow());
        flooder.helloAsController(WAIT);
        long framesBefore = flooder.framesReceived();
        long directBefore = usedDirectMemory();

        byte[] request = encode(F.buildTableFeaturesStatsRequest().setXid(7).build());
        // a thread of its own: once the agent stops reading, the sockets' buffers fill and the writes block
        sender = new Thread(
                () -> {
                    for (int i = 0; i < REQUESTS; i++) {
                        flooder.send(request);
                    }
                    flooder.flush();
                },
                "flooder");
        sender.start();

        await("the agent stops reading the flooder", () -> agent.readGate.pausedConnections() == 1);
        await("the control thread handled what it had read", () -> agent.readGate.queued() == 0);
        long grown = usedDirectMemory() - directBefore;
        assertThat(grown)
                .as("direct memory grown while %d table-features requests went unread", REQUESTS)
                .isLessThan(16L << 20);
        assertThat(ScriptedController.barrier(ctl))
                .as("the controller's connection is served meanwhile")
                .isNotNull();

        // now it reads: the agent resumes, and every request is answered, in order, before the barrier
        assertThat(flooder.finish(Marker.BARRIER, Duration.ofSeconds(120))).isEqualTo(Verdict.ANSWERED);
        sender.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(sender.isAlive()).isFalse();
        assertThat(flooder.framesReceived() - framesBefore)
                .as("a table-features reply for every request, and the barrier's")
                .isGreaterThanOrEqualTo(REQUESTS + 1);
        assertThat(flooder.errors()).isZero();
        assertThat(agent.readGate.pausedConnections()).isZero();
    }

    private static byte[] encode(org.projectfloodlight.openflow.protocol.OFMessage m) {
        io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.buffer();
        m.writeTo(buf);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        return bytes;
    }

    private static long usedDirectMemory() {
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT)
                .metric()
                .usedDirectMemory();
    }
}
