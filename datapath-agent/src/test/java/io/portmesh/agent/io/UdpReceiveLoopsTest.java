package io.portmesh.agent.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.Mac;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * Many ports on one shared receive loop: nothing one port does ends the loop for the others, neither an Error thrown in
 * its pipeline nor its close while its frames are being read.
 */
class UdpReceiveLoopsTest {
    private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Test
    void anErrorInOnePortsPipelineLeavesTheLoopReceivingForTheOthers() throws Exception {
        CollectingSink good = new CollectingSink();
        try (UdpReceiveLoops loops = UdpReceiveLoops.start(1, "test-udp");
                TrunkPort failing = TrunkPort.open(1, "failing", Mac.parse("02:00:00:00:01:01"), ANY_LOOPBACK, true);
                TrunkPort healthy = TrunkPort.open(1, "healthy", Mac.parse("02:00:00:00:01:02"), ANY_LOOPBACK, true);
                UdpPeer vm = new UdpPeer()) {
            failing.receiveOn(loops);
            healthy.receiveOn(loops);
            failing.start((inPort, tunnelId, tunnelSrcIp, frame, off, len) -> {
                throw new AssertionError("a pipeline that throws an Error");
            });
            healthy.start(good);

            vm.send(TestFrames.tagged(10, 1), failing.localAddress());
            vm.send(TestFrames.tagged(10, 2), failing.localAddress());
            vm.send(TestFrames.tagged(10, 3), healthy.localAddress());

            assertThat(good.next().frame()).isEqualTo(TestFrames.tagged(10, 3));
        }
    }

    @Test
    void aPortClosedOnTheLoopLeavesTheLoopReceivingForTheOthers() throws Exception {
        CollectingSink good = new CollectingSink();
        try (UdpReceiveLoops loops = UdpReceiveLoops.start(1, "test-udp");
                TrunkPort healthy = TrunkPort.open(1, "healthy", Mac.parse("02:00:00:00:01:02"), ANY_LOOPBACK, true);
                UdpPeer vm = new UdpPeer()) {
            healthy.receiveOn(loops);
            healthy.start(good);
            for (int i = 0; i < 50; i++) {
                TrunkPort gone = TrunkPort.open(1, "gone", Mac.parse("02:00:00:00:01:01"), ANY_LOOPBACK, true);
                gone.receiveOn(loops);
                gone.start(new CollectingSink());
                vm.send(TestFrames.tagged(10, i), gone.localAddress());
                gone.close(); // while its datagram may be selected: its key cancelled under the loop
            }
            vm.send(TestFrames.tagged(10, 99), healthy.localAddress());

            assertThat(good.next().frame()).isEqualTo(TestFrames.tagged(10, 99));
        }
    }
}
