package io.portmesh.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.loadtest.faults.LoopbackPartition;
import io.portmesh.loadtest.faults.Required;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A partition fault is undone whatever the node does meanwhile: its rules are removed at the heal (a connect to the cut
 * port goes through again), and a node that downed itself while cut off is started again, once.
 */
class PartitionFaultsTest {
    private static final int GROUP = 64_992;

    @Test
    void theCutIsHealedAfterItsTimeAndANodeThatExitedIsStartedAgain() throws Exception {
        Required.machine(LoopbackPartition.unavailableReason());
        Scenario s = Scenario.parse("faults = [ { kind = partition, at = 1s, target = 1, heal-after = 300ms } ]");
        InjectedFault f = new InjectedFault(FaultSchedule.plan(s).get(0));
        try (ServerSocket node = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                ServerSocket peer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            AtomicBoolean alive = new AtomicBoolean(true);
            AtomicInteger restarts = new AtomicInteger();
            List<Boolean> connectsWhileCut = new ArrayList<>();
            PartitionFaults.Victims nodes = new PartitionFaults.Victims() {
                @Override
                public LoopbackPartition partition(int i) {
                    LoopbackPartition p =
                            LoopbackPartition.isolate(node.getLocalPort(), GROUP, List.of(peer.getLocalPort()));
                    connectsWhileCut.add(connects(node.getLocalPort()));
                    alive.set(false); // cut off, the node downs itself and exits
                    return p;
                }

                @Override
                public boolean isAlive(int i) {
                    return alive.get();
                }

                @Override
                public void restart(int i) {
                    restarts.incrementAndGet();
                    alive.set(true);
                }

                @Override
                public long awaitUp(Duration timeout) {
                    return System.nanoTime();
                }

                @Override
                public boolean allUp() {
                    return alive.get();
                }
            };
            f.atNanos = System.nanoTime();
            new PartitionFaults(s, nodes, (fmt, args) -> {}, n -> n).cutHealRestart(f);

            assertThat(connectsWhileCut)
                    .as("a connect to the node's port while cut")
                    .containsExactly(false);
            assertThat(f.healedNanos - f.atNanos).as("healed after heal-after").isGreaterThanOrEqualTo(300_000_000L);
            assertThat(connects(node.getLocalPort()))
                    .as("a connect once healed")
                    .isTrue();
            assertThat(restarts).as("the node that exited, started again once").hasValue(1);
            assertThat(f.upAgainNanos).isGreaterThanOrEqualTo(f.restartedNanos).isPositive();
            assertThat(f.restartFailure).isNull();
        }
    }

    private static boolean connects(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
