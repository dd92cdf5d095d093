package io.portmesh.agent.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portmesh.model.flow.DatapathPorts;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PortsTest {
    private record Event(int port, PortChange change) {}

    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final Ports ports = new Ports((p, c) -> events.add(new Event(p.number(), c)));
    private final RecordingPort trunk = new RecordingPort(DatapathPorts.TRUNK);
    private final RecordingPort tunnel = new RecordingPort(DatapathPorts.TUNNEL);
    private final byte[] frame = TestFrames.untagged(1);

    @BeforeEach
    void addPorts() {
        ports.add(trunk);
        ports.add(tunnel);
    }

    @Test
    void reportsAddedPortsAndListsThemByNumber() {
        assertThat(events).containsExactly(new Event(1, PortChange.ADDED), new Event(2, PortChange.ADDED));
        assertThat(ports.numbers()).containsExactly(1, 2);
        assertThat(ports.get(2)).isSameAs(tunnel);
        assertThat(ports.get(3)).isNull();
        assertThatThrownBy(() -> ports.add(new RecordingPort(1))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ports.add(new RecordingPort(0))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void dispatchesByPortNumberWithTheTunnelFields() {
        ports.output(2, frame, 0, frame.length, 42, 0x0A00_0001);
        assertThat(tunnel.sent).singleElement().satisfies(s -> {
            assertThat(s.frame()).isEqualTo(frame);
            assertThat(s.tunnelId()).isEqualTo(42);
            assertThat(s.tunnelDstIp()).isEqualTo(0x0A00_0001);
        });
        assertThat(trunk.sent).isEmpty();
    }

    @Test
    void countsFramesForPortsThatDoNotExist() {
        ports.output(7, frame, 0, frame.length, 0, 0);
        ports.output(DatapathPorts.CONTROLLER, 1, frame, 0, frame.length, 0, 0);
        assertThat(ports.unknownPortDrops()).isEqualTo(2);
        assertThat(trunk.sent).isEmpty();
        assertThat(tunnel.sent).isEmpty();
    }

    @Test
    void resolvesInPortAllAndFloodAgainstTheIngressPort() {
        ports.output(DatapathPorts.IN_PORT, 1, frame, 0, frame.length, 0, 0);
        assertThat(trunk.sent).hasSize(1);
        assertThat(tunnel.sent).isEmpty();

        ports.output(DatapathPorts.ALL, 1, frame, 0, frame.length, 0, 0);
        assertThat(trunk.sent).hasSize(1);
        assertThat(tunnel.sent).hasSize(1);

        ports.output(Ports.FLOOD, 2, frame, 0, frame.length, 0, 0);
        assertThat(trunk.sent).hasSize(2);
        assertThat(tunnel.sent).hasSize(1);

        ports.output(1, 2, frame, 0, frame.length, 0, 0);
        assertThat(trunk.sent).hasSize(3);
    }

    @Test
    void reportsAdminChangesAndRemovals() {
        events.clear();
        assertThat(ports.setAdminUp(1, false)).isTrue();
        assertThat(ports.setAdminUp(1, false)).isFalse();
        assertThat(ports.setAdminUp(9, false)).isFalse();
        assertThat(ports.remove(2)).isSameAs(tunnel);
        assertThat(ports.remove(2)).isNull();
        tunnel.setAdminUp(false); // no longer ours: not reported

        assertThat(events).containsExactly(new Event(1, PortChange.MODIFIED), new Event(2, PortChange.REMOVED));
        assertThat(tunnel.isClosed()).isTrue();
        assertThat(ports.numbers()).containsExactly(1);
    }
}
