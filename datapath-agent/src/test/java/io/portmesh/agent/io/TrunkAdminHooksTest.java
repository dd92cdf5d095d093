package io.portmesh.agent.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.Mac;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the trunk tells its {@link AdminStateObserver}: every admin change, with a time on the safe side. */
class TrunkAdminHooksTest {
    private static final Mac HW = Mac.parse("02:00:00:00:01:01");
    private final CollectingSink sink = new CollectingSink();
    private final List<String> observed = new CopyOnWriteArrayList<>();
    private TrunkPort trunk;
    private UdpPeer vm;

    private void open(boolean adminUp) throws Exception {
        trunk = TrunkPort.open(1, "trunk", HW, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), adminUp);
        vm = new UdpPeer();
    }

    @AfterEach
    void close() {
        if (trunk != null) {
            trunk.close();
        }
        if (vm != null) {
            vm.close();
        }
    }

    @Test
    void everyAdminChangeIsObservedInOrderWithATimeOnTheSafeSide() throws Exception {
        open(true);
        trunk.setAdminStateObserver(new Recorder());
        trunk.start(sink);

        long beforeDown = System.nanoTime();
        trunk.setAdminUp(false);
        long afterDown = System.nanoTime();
        trunk.setAdminUp(false); // no change
        long beforeUp = System.nanoTime();
        trunk.setAdminUp(true);
        long afterUp = System.nanoTime();

        assertThat(observed).hasSize(2);
        assertThat(observed.get(0)).startsWith("down@");
        assertThat(observed.get(1)).startsWith("up@");
        long downAt = Long.parseLong(observed.get(0).substring("down@".length()));
        long upAt = Long.parseLong(observed.get(1).substring("up@".length()));
        // down: taken after the port stopped forwarding; up: before it could start
        assertThat(downAt).isBetween(beforeDown, afterDown);
        assertThat(upAt).isBetween(beforeUp, afterUp);
    }

    @Test
    void closingAnUpTrunkIsObservedAndAClosedTrunksAdminStateNoLongerChanges() throws Exception {
        open(true);
        trunk.setAdminStateObserver(new Recorder());
        trunk.start(sink);
        long beforeClose = System.nanoTime();
        trunk.close();

        assertThat(observed).hasSize(1);
        assertThat(observed.get(0)).startsWith("closed@");
        assertThat(Long.parseLong(observed.get(0).substring("closed@".length())))
                .isGreaterThanOrEqualTo(beforeClose);
        assertThat(trunk.setAdminUp(false)).isFalse();
        assertThat(observed).hasSize(1);
    }

    @Test
    void closingADownTrunkIsNotObserved() throws Exception {
        open(false);
        trunk.setAdminStateObserver(new Recorder());
        trunk.start(sink);
        trunk.close();
        assertThat(trunk.setAdminUp(true)).isFalse();
        assertThat(observed).isEmpty();
    }

    private final class Recorder implements AdminStateObserver {
        @Override
        public void adminStateChanged(boolean up, long atNanos) {
            observed.add((up ? "up@" : "down@") + atNanos);
        }

        @Override
        public void portClosed(long atNanos) {
            observed.add("closed@" + atNanos);
        }
    }
}
