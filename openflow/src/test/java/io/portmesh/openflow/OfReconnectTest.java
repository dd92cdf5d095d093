package io.portmesh.openflow;

import static io.portmesh.openflow.TestConfigs.loopback;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OfReconnectTest {
    private static final OfConfig CONFIG =
            TestConfigs.relaxed().withReconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(400));
    private final Closer closer = new Closer();

    @AfterEach
    void tearDown() throws Exception {
        closer.close();
    }

    @Test
    void theClientReconnectsWhenTheServerComesBackOnTheSamePort() throws Exception {
        RecordingListener controller = new RecordingListener();
        OfServer first =
                OfServer.builder(OfRole.CONTROLLER, controller).config(CONFIG).bind(loopback(0));
        int port = first.port();
        RecordingListener agent = new RecordingListener(new FakeSwitch(3, "host-r/a", 2));
        OfClient client =
                closer.add(OfClient.builder(OfRole.SWITCH, agent).config(CONFIG).connect(loopback(port)));
        OfConnection firstConnection = agent.awaitConnected();
        controller.awaitConnected();
        assertThat(client.connection()).contains(firstConnection);

        first.close();
        RecordingListener.Disconnect lost = agent.awaitDisconnected();
        assertThat(lost.connection()).isSameAs(firstConnection);
        assertThat(lost.cause()).as("lost, not closed locally").isNotNull();
        assertThat(controller.awaitDisconnected().cause())
                .as("server closed it itself")
                .isNull();

        // let a few attempts fail against the closed port, then come back
        Thread.sleep(300);
        assertThat(client.isConnected()).isFalse();
        RecordingListener controller2 = new RecordingListener();
        closer.add(
                OfServer.builder(OfRole.CONTROLLER, controller2).config(CONFIG).bind(loopback(port)));

        OfConnection second = agent.awaitConnected();
        assertThat(second).isNotSameAs(firstConnection);
        OfConnection toSwitch = controller2.awaitConnected();
        assertThat(toSwitch.datapathId().getLong()).isEqualTo(3);
        assertThat(client.connection()).contains(second);
        assertThat(toSwitch.barrier().get(10, TimeUnit.SECONDS)).isNotNull(); // the fake switch answers
    }

    @Test
    void aClosedClientStopsReconnecting() throws Exception {
        RecordingListener controller = new RecordingListener();
        OfServer server = closer.add(
                OfServer.builder(OfRole.CONTROLLER, controller).config(CONFIG).bind(loopback(0)));
        RecordingListener agent = new RecordingListener(new FakeSwitch(4, "host-c/a", 1));
        OfClient client = OfClient.builder(OfRole.SWITCH, agent).config(CONFIG).connect(loopback(server.port()));
        agent.awaitConnected();
        controller.awaitConnected();

        client.close();
        assertThat(agent.awaitDisconnected().cause()).isNull();
        controller.awaitDisconnected();
        Thread.sleep(500); // several backoff periods
        assertThat(controller.connected).isEmpty();
        assertThat(server.connections()).isEmpty();
    }
}
