package io.portmesh.openflow;

import static io.portmesh.openflow.TestConfigs.loopback;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFEchoReply;
import org.projectfloodlight.openflow.protocol.OFEchoRequest;
import org.projectfloodlight.openflow.protocol.OFMessage;

class OfKeepaliveTest {
    private final Closer closer = new Closer();

    @AfterEach
    void tearDown() throws Exception {
        closer.close();
    }

    @Test
    void aPeerThatStopsAnsweringEchoesIsDetected() throws Exception {
        Duration interval = Duration.ofMillis(100);
        RecordingListener agent = new RecordingListener();
        OfServer server = closer.add(OfServer.builder(OfRole.SWITCH, agent)
                .config(OfConfig.defaults().withEcho(interval, 3))
                .bind(loopback(0)));
        try (RawOfPeer silentController = new RawOfPeer(server.port())) {
            silentController.helloExchange();
            OfConnection c = agent.awaitConnected();
            long start = System.nanoTime();

            // the peer reads but never answers; it must see our echo requests before we give up
            int echoes = 0;
            for (int i = 0; i < 3; i++) {
                if (silentController.read() instanceof OFEchoRequest) {
                    echoes++;
                }
            }
            RecordingListener.Disconnect d = agent.awaitDisconnected();
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(echoes).isEqualTo(3);
            assertThat(d.connection()).isSameAs(c);
            assertThat(d.cause()).isInstanceOf(KeepaliveTimeoutException.class);
            assertThat(((KeepaliveTimeoutException) d.cause()).missedEchoes()).isEqualTo(3);
            assertThat(silentController.closedByPeer()).isTrue();
            assertThat(server.stats().get(OfStats.Counter.KEEPALIVE_TIMEOUTS)).isEqualTo(1);
            // detection is expected after about interval * (misses + 1) = 400 ms; only a loose bound here
            assertThat(elapsedMillis).isLessThan(10_000);
        }
    }

    @Test
    void echoRequestsAreAnsweredInThePipeline() throws Exception {
        RecordingListener agent = new RecordingListener();
        OfServer server = closer.add(OfServer.builder(OfRole.SWITCH, agent)
                .config(TestConfigs.relaxed())
                .bind(loopback(0)));
        try (RawOfPeer controller = new RawOfPeer(server.port())) {
            controller.helloExchange();
            agent.awaitConnected();
            byte[] payload = {9, 8, 7};
            controller.send(FakeSwitch.F
                    .buildEchoRequest()
                    .setXid(1234)
                    .setData(payload)
                    .build());
            OFMessage reply = controller.read();
            assertThat(reply).isInstanceOf(OFEchoReply.class);
            assertThat(reply.getXid()).isEqualTo(1234);
            assertThat(((OFEchoReply) reply).getData()).isEqualTo(payload);
            assertThat(agent.messages).as("echo never reaches the listener").isEmpty();
        }
    }

    @Test
    void twoLiveEndsKeepEachOtherAliveWhileIdle() throws Exception {
        // short interval, generous miss count: this checks the echo round trip, not the scheduler's punctuality
        OfConfig config = OfConfig.defaults().withEcho(Duration.ofMillis(100), 20);
        RecordingListener controller = new RecordingListener();
        OfServer server = closer.add(
                OfServer.builder(OfRole.CONTROLLER, controller).config(config).bind(loopback(0)));
        RecordingListener agent = new RecordingListener(new FakeSwitch(1, "idle", 2));
        closer.add(OfClient.builder(OfRole.SWITCH, agent).config(config).connect(loopback(server.port())));
        OfConnection c = controller.awaitConnected();
        agent.awaitConnected();
        long before = c.stats().messagesIn();

        Thread.sleep(1500); // idle: only echoes travel

        assertThat(c.stats().messagesIn()).as("echo replies arrived").isGreaterThan(before);
        assertThat(c.isActive()).isTrue();
        assertThat(controller.disconnected).isEmpty();
        assertThat(agent.disconnected).isEmpty();
    }
}
