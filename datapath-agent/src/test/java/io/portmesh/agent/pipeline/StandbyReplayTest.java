package io.portmesh.agent.pipeline;

import static io.portmesh.agent.table.Of.add;
import static io.portmesh.agent.table.Of.apply;
import static io.portmesh.agent.table.Of.frame;
import static io.portmesh.agent.table.Of.inPort;
import static io.portmesh.agent.table.Of.match;
import static io.portmesh.agent.table.Of.output;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portmesh.agent.table.SwitchTables;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The standby replay's history with a fake clock (docs/architecture.md section 7.2): what a down trunk keeps, for how
 * long, in which order, how much, and that a trunk coming up gets it once.
 */
class StandbyReplayTest {
    static final long MS = 1_000_000L;
    static final long WINDOW = 200 * MS;

    final AtomicLong now = new AtomicLong(5_000 * MS);

    private StandbyReplay replay(long window) {
        return new StandbyReplay(window, now::get);
    }

    /** A frame that says which one it is in its first byte, {@code len} bytes long. */
    private static byte[] frameNo(int n, int len) {
        byte[] f = new byte[len];
        f[0] = (byte) n;
        return f;
    }

    private static List<Integer> numbers(List<byte[]> frames) {
        return frames.stream().map(f -> (int) f[0]).toList();
    }

    @Test
    void nothingIsKeptWhileTheTrunkIsUpThatIsBeforeKeepingStarts() {
        StandbyReplay r = replay(WINDOW);
        assertThat(r.isKeeping()).isFalse();
        assertThat(r.keepIngress(frameNo(1, 64), 0, 64)).isFalse();
        assertThat(r.keepEgress(frameNo(2, 64), 0, 64)).isFalse();
        assertThat(r.keptIngress()).isZero();
        assertThat(r.keptEgress()).isZero();
        assertThat(r.take().isEmpty()).isTrue();
    }

    @Test
    void framesKeptWhileDownAreHandedOutOldestFirstPerDirection() {
        StandbyReplay r = replay(WINDOW);
        r.startKeeping();
        for (int i = 1; i <= 5; i++) {
            now.addAndGet(MS);
            assertThat(r.keepIngress(frameNo(i, 64), 0, 64)).isTrue();
            assertThat(r.keepEgress(frameNo(10 + i, 80), 0, 80)).isTrue();
        }
        assertThat(r.keptIngress()).isEqualTo(5);
        assertThat(r.keptEgress()).isEqualTo(5);

        StandbyReplay.Frames taken = r.take();

        assertThat(numbers(taken.ingress())).containsExactly(1, 2, 3, 4, 5);
        assertThat(numbers(taken.egress())).containsExactly(11, 12, 13, 14, 15);
        assertThat(taken.egress()).allSatisfy(f -> assertThat(f).hasSize(80));
    }

    @Test
    void onlyFramesYoungerThanTheWindowWhenTheTrunkComesUpAreReplayed() {
        StandbyReplay r = replay(WINDOW);
        r.startKeeping();
        r.keepIngress(frameNo(1, 64), 0, 64); // t = 0
        now.addAndGet(50 * MS);
        r.keepIngress(frameNo(2, 64), 0, 64); // t = 50
        now.addAndGet(100 * MS);
        r.keepIngress(frameNo(3, 64), 0, 64); // t = 150
        now.addAndGet(100 * MS);
        r.keepEgress(frameNo(4, 64), 0, 64); // t = 250

        now.addAndGet(MS); // up at t = 251: frame 1 is 251 ms old, 2 is 201, 3 is 101, 4 is 1

        StandbyReplay.Frames taken = r.take();
        assertThat(numbers(taken.ingress())).containsExactly(3);
        assertThat(numbers(taken.egress())).containsExactly(4);
    }

    @Test
    void aFrameExactlyAsOldAsTheWindowIsNotReplayed() {
        StandbyReplay r = replay(WINDOW);
        r.startKeeping();
        r.keepIngress(frameNo(1, 64), 0, 64);
        now.addAndGet(WINDOW);
        assertThat(r.take().ingress()).isEmpty();
    }

    @Test
    void afterTheOtherTrunkWentTheReplayReachesOneWindowBeforeItsLastUpHoweverLateThisTrunkComesUp() {
        StandbyReplay r = replay(WINDOW);
        AtomicLong otherUp = new AtomicLong(StandbyReplay.NEVER);
        r.countFromOtherTrunk(otherUp::get);
        r.startKeeping();
        r.keepIngress(frameNo(1, 64), 0, 64); // t0: the other agent is up and forwards it
        now.addAndGet(300 * MS);
        r.keepIngress(frameNo(2, 64), 0, 64); // t0 + 300: the other one's last heartbeat said up 100 ms later
        otherUp.set(now.get() + 100 * MS);
        now.addAndGet(150 * MS);
        r.keepEgress(frameNo(3, 64), 0, 64); // t0 + 450: nobody forwards now
        now.addAndGet(1_000 * MS); // the controllers bring this trunk up a second later

        StandbyReplay.Frames taken = r.take();

        // from t0 + 200 (one window before the last up at t0 + 400) on: 2 and 3, not 1; with the window counted from
        // now (t0 + 1450) neither would come
        assertThat(numbers(taken.ingress())).containsExactly(2);
        assertThat(numbers(taken.egress())).containsExactly(3);
    }

    @Test
    void anOtherTrunkStillUpOrNeverHeardCountsTheWindowFromNow() {
        AtomicLong otherUp = new AtomicLong(StandbyReplay.NEVER);
        StandbyReplay r = replay(WINDOW);
        r.countFromOtherTrunk(otherUp::get);
        r.startKeeping();
        r.keepIngress(frameNo(1, 64), 0, 64);
        now.addAndGet(WINDOW);
        r.keepIngress(frameNo(2, 64), 0, 64);
        otherUp.set(now.get()); // heard up just now: a planned switch-over, the old active still up
        now.addAndGet(MS);
        assertThat(numbers(r.take().ingress())).containsExactly(2);
    }

    @Test
    void noFrameOlderThanTheAgeBoundIsReplayedAndNoneIsKeptPastIt() {
        StandbyReplay r = replay(WINDOW);
        long wentAt = now.get();
        r.countFromOtherTrunk(() -> wentAt);
        r.startKeeping();
        r.keepIngress(frameNo(1, 64), 0, 64);
        now.addAndGet(StandbyReplay.MAX_AGE_NANOS - MS);
        r.keepIngress(frameNo(2, 64), 0, 64);
        now.addAndGet(2 * MS); // frame 1 is now older than the bound: let go when the next comes
        r.keepIngress(frameNo(3, 64), 0, 64);
        assertThat(r.keptIngress()).isEqualTo(2);
        assertThat(numbers(r.take().ingress())).containsExactly(2, 3);
    }

    @Test
    void whatIsTakenIsNotReplayedTwiceAndNothingIsKeptAfterTheTrunkCameUp() {
        StandbyReplay r = replay(WINDOW);
        r.startKeeping();
        r.keepIngress(frameNo(1, 64), 0, 64);
        r.keepEgress(frameNo(2, 64), 0, 64);

        assertThat(numbers(r.take().ingress())).containsExactly(1);

        assertThat(r.isKeeping()).isFalse();
        assertThat(r.take().isEmpty()).as("taken again").isTrue();
        // the trunk is up now: a frame that comes late is refused, so the trunk forwards it live
        assertThat(r.keepIngress(frameNo(3, 64), 0, 64)).isFalse();
        assertThat(r.keepEgress(frameNo(4, 64), 0, 64)).isFalse();
        assertThat(r.keptIngress()).isZero();
        assertThat(r.keptEgress()).isZero();
        assertThat(r.take().isEmpty()).isTrue();
    }

    @Test
    void aTrunkThatGoesDownAgainKeepsAgainFromEmpty() {
        StandbyReplay r = replay(WINDOW);
        r.startKeeping();
        r.keepIngress(frameNo(1, 64), 0, 64);
        r.take();

        r.startKeeping();
        r.keepIngress(frameNo(2, 64), 0, 64);

        assertThat(numbers(r.take().ingress())).containsExactly(2);
    }

    @Test
    void theRingKeepsTheLastFramesUpToItsCapacityOldestOverwritten() {
        StandbyReplay r = new StandbyReplay(WINDOW, now::get, 4, 1 << 20);
        r.startKeeping();
        for (int i = 1; i <= 10; i++) {
            assertThat(r.keepIngress(frameNo(i, 64), 0, 64)).isTrue();
            assertThat(r.keptIngress()).isLessThanOrEqualTo(4);
        }
        assertThat(numbers(r.take().ingress())).containsExactly(7, 8, 9, 10);
    }

    @Test
    void theRingKeepsAtMostItsBytesOldestOverwritten() {
        StandbyReplay r = new StandbyReplay(WINDOW, now::get, 100, 1000);
        r.startKeeping();
        for (int i = 1; i <= 5; i++) {
            r.keepEgress(frameNo(i, 300), 0, 300);
        }
        // 3 x 300 fit in 1000 bytes, a fourth does not
        assertThat(numbers(r.take().egress())).containsExactly(3, 4, 5);
    }

    @Test
    void theDefaultBoundsAre4096FramesAnd8MiBPerDirection() {
        StandbyReplay r = replay(WINDOW);
        r.startKeeping();
        for (int i = 0; i < StandbyReplay.RING_CAPACITY + 100; i++) {
            r.keepIngress(frameNo(i, 64), 0, 64);
        }
        assertThat(r.keptIngress()).isEqualTo(StandbyReplay.RING_CAPACITY);
        for (int i = 0; i < 200; i++) {
            r.keepEgress(frameNo(i, 65_000), 0, 65_000);
        }
        assertThat((long) r.keptEgress() * 65_000).isLessThanOrEqualTo(StandbyReplay.RING_BYTES);
        assertThat(r.keptEgress()).isEqualTo(StandbyReplay.RING_BYTES / 65_000);
    }

    @Test
    void framesOlderThanTheWindowAreLetGoAsNewOnesComeSoAnIdleStandbyHoldsOneWindowAtMost() {
        StandbyReplay r = replay(WINDOW);
        r.startKeeping();
        for (int i = 0; i < 100; i++) {
            r.keepIngress(frameNo(i, 64), 0, 64);
        }
        now.addAndGet(WINDOW + MS);
        r.keepIngress(frameNo(100, 64), 0, 64);
        assertThat(r.keptIngress()).isEqualTo(1);
    }

    @Test
    void theFrameIsCopiedTheCallerMayReuseItsBuffer() {
        StandbyReplay r = replay(WINDOW);
        r.startKeeping();
        byte[] buffer = new byte[100];
        buffer[10] = 7;
        buffer[11] = 8;
        r.keepIngress(buffer, 10, 2);
        buffer[10] = 0;
        assertThat(r.take().ingress()).containsExactly(new byte[] {7, 8});
    }

    @Test
    void windowZeroTurnsItOffNothingIsEverKept() {
        StandbyReplay r = replay(0);
        r.startKeeping();
        assertThat(r.isKeeping()).isFalse();
        assertThat(r.keepIngress(frameNo(1, 64), 0, 64)).isFalse();
        assertThat(r.keepEgress(frameNo(1, 64), 0, 64)).isFalse();
        assertThat(r.take().isEmpty()).isTrue();
    }

    @Test
    void aNegativeWindowIsRefused() {
        assertThatThrownBy(() -> replay(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void thePipelineRunsTheKeptTrunkFramesAsIfTheyHadJustArrivedAndSendsTheKeptOutputOutOfTheTrunkOnce() {
        SwitchTables tables = new SwitchTables(4, msg -> {});
        RecordingOutput out = new RecordingOutput();
        Pipeline p = new Pipeline(tables, out, 0, WINDOW, now::get);
        // trunk -> port 3, so that what the replay ran through the tables is told apart from what it sent to the trunk
        assertThat(tables.apply(add(0, 100, inPort(match(), 1).build(), apply(output(3)))
                        .build()))
                .isEmpty();
        byte[] fromVm = frame("02:00:00:00:00:02", "02:00:00:00:00:01", 10, 0x0800, 50);
        byte[] forVm = frame("02:00:00:00:00:01", "02:00:00:00:00:02", 10, 0x0800, 60);
        StandbyReplay history = p.standbyReplay();
        history.startKeeping();
        history.keepIngress(fromVm, 0, fromVm.length);
        history.keepEgress(forVm, 0, forVm.length);
        now.addAndGet(10 * MS);

        StandbyReplay.Frames replayed = p.replayStandby();

        assertThat(replayed.ingress()).hasSize(1);
        assertThat(replayed.egress()).hasSize(1);
        assertThat(out.sent).hasSize(2);
        assertThat(out.sent.get(0).port()).isEqualTo(3);
        assertThat(out.sent.get(0).frame()).isEqualTo(fromVm);
        assertThat(out.sent.get(1).port()).isEqualTo(Pipeline.TRUNK_PORT);
        assertThat(out.sent.get(1).frame()).isEqualTo(forVm);
        assertThat(p.counters().standbyReplayedIngress()).isEqualTo(1);
        assertThat(p.counters().standbyReplayedEgress()).isEqualTo(1);
        assertThat(p.counters().framesIn()).isEqualTo(1);
        assertThat(p.counters().replayedFrames()).as("the arrival replay's").isZero();

        assertThat(p.replayStandby().isEmpty()).isTrue();
        assertThat(out.sent).hasSize(2);
        assertThat(p.counters().standbyReplayedIngress()).isEqualTo(1);
        assertThat(p.counters().standbyReplayedEgress()).isEqualTo(1);
    }
}
