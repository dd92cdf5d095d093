package io.portmesh.agent.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The short history a standby agent keeps while its trunk is administratively down, replayed once when the trunk is
 * brought up (docs/architecture.md section 7.2, "standby replay").
 *
 * <p>Both agents of a host get every frame: the port group sends each VM frame to both trunks, and both hold the same
 * flows. Only the active agent's trunk is up; the standby's drops. A switch-over is not instantaneous: between the
 * moment the old active's trunk goes down and the new one's comes up (a PORT_MOD, a barrier and another PORT_MOD on a
 * planned switch-over; the detection time after a crash), frames reach no up trunk and are lost; so are the frames
 * peers already send to the new active's tunnel endpoint, which the pipeline outputs to its trunk before it is up. So
 * while its trunk is down the agent keeps, per direction, the last frames with their time: the <b>ingress</b> ring has
 * the frames the VMs sent to the trunk, the <b>egress</b> ring the frames the pipeline output to it. When the trunk
 * comes up, {@link #take} hands out the kept frames younger than the <b>replay start</b>, oldest first, and stops keeping;
 * the pipeline runs the ingress ones as if they had just arrived on the trunk and sends the egress ones out of it.
 * Frames the old active also forwarded come twice; receivers count duplicates, nothing hides them.
 *
 * <p>The replay start is one window before the last instant the other agent of the host was known to forward: its
 * last heartbeat saying its trunk was up ({@link #countFromOtherTrunk}, fed by the pair fence), or now when there is
 * none or it is still up. So after a crash the replay reaches back to the crash, however long the controllers took to
 * bring this trunk up (a failover's write and PORT_MOD took 350 ms and more on a loaded 2-core machine, and a fixed
 * 200 ms window then lost the frames of the first 150 ms: 77 at 500 frames/s in the demo), and the window only covers
 * what the dead agent may have received but not forwarded before its last heartbeat. Never further back than
 * {@link #MAX_AGE_NANOS} (or the window, if longer): an older frame only duplicates what TCP retransmitted meanwhile.
 *
 * <p>Bounded: each ring holds at most {@link #RING_CAPACITY} frames and {@link #RING_BYTES} bytes (the oldest go
 * first), and frames already before the replay start are let go as new ones come, so a standby that waits for hours
 * beside a live active holds at most one window's worth, and one whose other agent died at most the age bound's.
 * Frames are copied (the trunk's buffers are reused).
 *
 * <p>Threads: ingress frames are kept on the trunk's receive thread, egress ones on every thread that runs the
 * pipeline, {@link #startKeeping} and {@link #take} run on the thread that changes the trunk's admin state; each ring
 * takes its own lock. An up trunk never calls this class (it only calls while down), so the active agent's data path
 * neither allocates nor locks for it.
 */
public final class StandbyReplay {
    /** Frames kept per direction, at most. */
    public static final int RING_CAPACITY = 4096;
    /** Bytes kept per direction, at most: 4096 frames of 2 KiB, so full-size frames are bounded by the count. */
    public static final int RING_BYTES = 8 << 20;
    /** The default window: how far before the replay's reference instant (class comment) it reaches. */
    public static final long DEFAULT_WINDOW_NANOS = 200_000_000L;
    /** No frame older than this (or the window, if longer) is replayed, however long ago the other trunk went. */
    public static final long MAX_AGE_NANOS = 2_000_000_000L;
    /** From {@link #countFromOtherTrunk}'s supplier: the other trunk was never heard up (count from now). */
    public static final long NEVER = Long.MAX_VALUE;

    /** The frames to replay, each direction oldest first. */
    public record Frames(List<byte[]> ingress, List<byte[]> egress) {
        public static final Frames NONE = new Frames(List.of(), List.of());

        public boolean isEmpty() {
            return ingress.isEmpty() && egress.isEmpty();
        }
    }

    private final long windowNanos;
    private final LongSupplier clock;
    private volatile LongSupplier otherTrunkUpAt = () -> NEVER;
    private final Ring ingress;
    private final Ring egress;

    /** @param windowNanos how far before the other trunk's last up, or the trunk's own up, the replay reaches; 0: off */
    public StandbyReplay(long windowNanos, LongSupplier nanoClock) {
        this(windowNanos, nanoClock, RING_CAPACITY, RING_BYTES);
    }

    /** With other bounds, for tests. */
    StandbyReplay(long windowNanos, LongSupplier nanoClock, int capacity, int maxBytes) {
        if (windowNanos < 0) {
            throw new IllegalArgumentException("standby replay window must be >= 0: " + windowNanos);
        }
        if (capacity < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("ring bounds must be positive: " + capacity + ", " + maxBytes);
        }
        this.windowNanos = windowNanos;
        this.clock = nanoClock;
        this.ingress = new Ring(capacity, maxBytes);
        this.egress = new Ring(capacity, maxBytes);
    }

    public long windowNanos() {
        return windowNanos;
    }

    /**
     * Where to count the window back from: {@code upAt} gives the {@link System#nanoTime()} (this replay's clock) of
     * the last heartbeat in which the host's other agent said its trunk was up, or {@link #NEVER}. Set once by the
     * agent when it has a pair fence; without one the window counts back from the moment the trunk comes up.
     */
    public void countFromOtherTrunk(LongSupplier upAt) {
        this.otherTrunkUpAt = upAt;
    }

    /** A frame kept at or before this instant is not replayed at {@code now} (one kept after it is). */
    long replayStart(long now) {
        long from = Math.min(now, otherTrunkUpAt.getAsLong()) - windowNanos;
        return Math.max(from, now - Math.max(windowNanos, MAX_AGE_NANOS));
    }

    /** The trunk is going down: keep from now on (what was kept already stays). Nothing happens when replay is off. */
    public void startKeeping() {
        if (windowNanos > 0) {
            ingress.start();
            egress.start();
        }
    }

    /** Whether frames are being kept (the trunk is down and replay is on). */
    public boolean isKeeping() {
        return ingress.isKeeping();
    }

    /**
     * A frame the VMs sent that the down trunk did not deliver: kept (a copy). Returns false, keeping nothing, when not
     * keeping: replay is off, or the trunk has come up and its history was taken.
     */
    public boolean keepIngress(byte[] frame, int off, int len) {
        return ingress.add(frame, off, len, this);
    }

    /** A frame the pipeline output to the down trunk; as {@link #keepIngress}. */
    public boolean keepEgress(byte[] frame, int off, int len) {
        return egress.add(frame, off, len, this);
    }

    /** Frames kept now, per direction (for tests and diagnostics). */
    public int keptIngress() {
        return ingress.size();
    }

    public int keptEgress() {
        return egress.size();
    }

    /**
     * The trunk came up: stops keeping and returns the kept frames younger than the replay start (class comment), oldest
     * first, once; the history is empty afterwards. A frame kept by a thread that got in just before is in it; one that comes just
     * after is refused ({@link #keepIngress} is false) and the trunk, up by then, forwards it live.
     */
    public Frames take() {
        long start = replayStart(clock.getAsLong());
        List<byte[]> in = ingress.take(start);
        List<byte[]> out = egress.take(start);
        return in.isEmpty() && out.isEmpty() ? Frames.NONE : new Frames(in, out);
    }

    /** One direction's last frames, oldest at {@link #head}. */
    private static final class Ring {
        private final int capacity;
        private final long maxBytes;
        private final byte[][] frames;
        private final long[] times;
        private int head;
        private int size;
        private long bytes;
        private volatile boolean keeping;

        Ring(int capacity, long maxBytes) {
            this.capacity = capacity;
            this.maxBytes = maxBytes;
            this.frames = new byte[capacity][];
            this.times = new long[capacity];
        }

        synchronized void start() {
            keeping = true;
        }

        boolean isKeeping() {
            return keeping;
        }

        synchronized int size() {
            return size;
        }

        synchronized boolean add(byte[] frame, int off, int len, StandbyReplay replay) {
            if (!keeping) {
                return false;
            }
            long now = replay.clock.getAsLong();
            long start = replay.replayStart(now);
            // what is already too old to be replayed goes now: memory follows one window's traffic (the age bound's
            // once the other trunk went), not the history
            while (size > 0 && times[head] <= start) {
                dropOldest();
            }
            if (len > maxBytes) {
                return true; // cannot be kept whole; the trunk counts it dropped, as it would without replay
            }
            while (size == capacity || bytes + len > maxBytes) {
                dropOldest();
            }
            int slot = (head + size) % capacity;
            frames[slot] = Arrays.copyOfRange(frame, off, off + len);
            times[slot] = now;
            size++;
            bytes += len;
            return true;
        }

        synchronized List<byte[]> take(long start) {
            keeping = false;
            List<byte[]> out = new ArrayList<>(size);
            while (size > 0) {
                if (times[head] > start) {
                    out.add(frames[head]); // the ring's own copy: it lets go of it right away
                }
                dropOldest();
            }
            return out;
        }

        private void dropOldest() {
            bytes -= frames[head].length;
            frames[head] = null;
            head = (head + 1) % capacity;
            size--;
        }
    }
}
