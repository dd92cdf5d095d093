package io.portmesh.agent.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.Mac;
import io.portmesh.sim.Await;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the trunk tells its {@link StandbyTap} (the frames it would drop while administratively down; that it came up)
 * and its {@link AdminStateObserver} (every admin change, with a time on the safe side), and that an up trunk calls
 * neither on its data path.
 */
class TrunkAdminHooksTest {
    private static final Mac HW = Mac.parse("02:00:00:00:01:01");
    private final CollectingSink sink = new CollectingSink();
    private final RecordingTap tap = new RecordingTap();
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
    void anUpTrunkNeverCallsItsTapOnTheDataPath() throws Exception {
        open(true);
        trunk.setStandbyTap(tap);
        trunk.start(sink);
        byte[] in = TestFrames.tagged(10, 1);
        vm.send(in, trunk.localAddress());
        assertThat(sink.next().frame()).isEqualTo(in);
        byte[] out = TestFrames.tagged(10, 2);
        trunk.send(out, 0, out.length, 0, 0);
        assertThat(vm.receive()).isEqualTo(out);

        assertThat(tap.calls).isEmpty();
    }

    @Test
    void aTapSetOnADownTrunkStartsKeepingAndGetsTheFramesTheTrunkDoesNotDeliverOrSend() throws Exception {
        open(false);
        trunk.setStandbyTap(tap);
        assertThat(tap.calls).containsExactly("goingDown");
        trunk.start(sink);

        byte[] in = TestFrames.tagged(10, 1);
        vm.send(in, trunk.localAddress());
        Await.until(() -> trunk.stats().rxDropped() == 1, () -> "rx: " + trunk.stats());
        byte[] out = TestFrames.tagged(10, 2);
        trunk.send(out, 0, out.length, 0, 0);

        assertThat(tap.received).containsExactly(in);
        assertThat(tap.sent).containsExactly(out);
        assertThat(sink.isEmpty()).isTrue();
        assertThat(trunk.stats().txDropped()).isEqualTo(1);
        assertThat(trunk.stats().rxPackets()).isZero();
        assertThat(trunk.stats().txPackets()).isZero();
    }

    @Test
    void theTapHearsOfGoingDownWhileTheTrunkStillForwardsAndOfComingUpOnceItDoes() throws Exception {
        open(true);
        trunk.setStandbyTap(tap);
        tap.onGoingDown = trunk::isAdminUp;
        tap.onCameUp = trunk::isAdminUp;

        assertThat(trunk.setAdminUp(false)).isTrue();
        assertThat(trunk.setAdminUp(false)).isFalse();
        assertThat(trunk.setAdminUp(true)).isTrue();

        assertThat(tap.calls).containsExactly("goingDown:up", "cameUp:up");
    }

    @Test
    void aFrameTheTapNoLongerKeepsBecauseTheTrunkCameUpMeanwhileIsForwardedLive() throws Exception {
        open(false);
        trunk.setStandbyTap(tap);
        trunk.start(sink);
        trunk.bindVlan(10, vm.address());
        // the race the trunk closes: it saw itself down, and came up (and its history was taken) before the tap
        // could keep the frame
        tap.refuseAfter = () -> trunk.setAdminUp(true);

        byte[] in = TestFrames.tagged(10, 1);
        vm.send(in, trunk.localAddress());
        assertThat(sink.next().frame()).isEqualTo(in);

        trunk.setAdminUp(false);
        byte[] out = TestFrames.tagged(10, 2);
        trunk.send(out, 0, out.length, 0, 0);
        assertThat(vm.receive()).isEqualTo(out);

        assertThat(trunk.stats().rxDropped()).isZero();
        assertThat(trunk.stats().txDropped()).isZero();
    }

    @Test
    void aFrameTheTapDoesNotKeepWhileTheTrunkStaysDownIsDropped() throws Exception {
        open(false);
        trunk.setStandbyTap(StandbyTap.NONE); // replay off
        trunk.start(sink);
        trunk.bindVlan(10, vm.address());

        vm.send(TestFrames.tagged(10, 1), trunk.localAddress());
        Await.until(() -> trunk.stats().rxDropped() == 1, () -> "rx: " + trunk.stats());
        trunk.send(TestFrames.tagged(10, 2), 0, 64, 0, 0);

        assertThat(trunk.stats().txDropped()).isEqualTo(1);
        assertThat(sink.isEmpty()).isTrue();
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

    /** Keeps what it is given; can instead refuse after running something (to stage a race). */
    private static final class RecordingTap implements StandbyTap {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<byte[]> received = new CopyOnWriteArrayList<>();
        final List<byte[]> sent = new CopyOnWriteArrayList<>();
        volatile BooleanSupplier onGoingDown;
        volatile BooleanSupplier onCameUp;
        volatile BooleanSupplier refuseAfter;

        @Override
        public void goingDown() {
            calls.add(onGoingDown == null ? "goingDown" : "goingDown:" + (onGoingDown.getAsBoolean() ? "up" : "down"));
        }

        @Override
        public void cameUp() {
            calls.add(onCameUp == null ? "cameUp" : "cameUp:" + (onCameUp.getAsBoolean() ? "up" : "down"));
        }

        @Override
        public boolean keepReceived(byte[] frame, int off, int len) {
            return keep(received, frame, off, len);
        }

        @Override
        public boolean keepSent(byte[] frame, int off, int len) {
            return keep(sent, frame, off, len);
        }

        private boolean keep(List<byte[]> into, byte[] frame, int off, int len) {
            calls.add("keep");
            BooleanSupplier r = refuseAfter;
            if (r != null) {
                r.getAsBoolean();
                return false;
            }
            into.add(Arrays.copyOfRange(frame, off, off + len));
            return true;
        }
    }
}
