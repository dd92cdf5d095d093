package io.portmesh.sim;

import java.time.Duration;
import java.util.BitSet;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One-way sequenced traffic from one simulated VM to another's MAC, counted by sequence number at the receiver
 * ({@link StreamStats}): how many frames were lost, received twice or out of order, and when the first frame after a
 * given instant arrived. Both directions between two VMs are two streams; any number may run at once.
 *
 * <p>{@link Builder#start()} starts a sender thread that sends frames 1, 2, 3, ... paced by {@link System#nanoTime()}
 * at the given rate (frame {@code n} is due at {@code start + (n - 1) / rate}; after a stall the sender catches up
 * at once, so the average rate holds), and ends after {@code count} frames, after {@code maxDuration}, or at
 * {@link #stop()}, whichever comes first. {@link Builder#open()} starts no thread: the test sends numbers by hand
 * with {@link #send(long)}, e.g. one number twice.
 *
 * <p>Frames leave from the sender VM's attachment at the moment of each send, so a stream keeps going across a
 * {@link SimulatedVm#moveTo move} of either VM. The frames are {@link StreamFrames}; the receiver counts them per
 * stream (source MAC and stream id), whatever the rest of its traffic.
 */
public final class FrameStream implements AutoCloseable {
    /** The highest sequence number a stream may use (the receiver keeps one bit per number). */
    public static final long MAX_SEQ = Integer.MAX_VALUE;

    private static final AtomicInteger IDS = new AtomicInteger();

    /** One frame's arrival at the receiver: its sequence number and {@link System#nanoTime()} when it was handled. */
    public record Arrival(long seq, long receivedNanos) {}

    private final int id;
    private final SimulatedVm sender;
    private final SimulatedVm receiver;
    private final StreamReceiver counts;
    private final int frameSize;
    private final BitSet sentSeqs = new BitSet();
    /** When each of the first {@link #MAX_TIMED} numbers was first sent (guarded by {@link #sentSeqs}). */
    private long[] sentNanos = new long[1024];

    private static final int MAX_TIMED = 1 << 21;
    private final CountDownLatch finished = new CountDownLatch(1);
    private long sent;
    private volatile boolean stopped;
    private volatile Thread thread;

    private FrameStream(SimulatedVm sender, SimulatedVm receiver, int frameSize) {
        this.id = IDS.incrementAndGet();
        this.sender = sender;
        this.receiver = receiver;
        this.frameSize = frameSize;
        this.counts = receiver.streamReceiver(sender.mac(), id);
    }

    /** A stream sent by {@code sender}; say where to with {@link Builder#to}. */
    public static Builder from(SimulatedVm sender) {
        return new Builder(Objects.requireNonNull(sender, "sender"));
    }

    public static final class Builder {
        private final SimulatedVm sender;
        private SimulatedVm receiver;
        private int rate = 1_000;
        private long count = 1_000;
        private Duration maxDuration = Duration.ofSeconds(60);
        private int frameSize = EtherFrames.MIN_TAGGED_FRAME;

        private Builder(SimulatedVm sender) {
            this.sender = sender;
        }

        /** The VM whose MAC the frames go to and that counts them. */
        public Builder to(SimulatedVm receiver) {
            this.receiver = Objects.requireNonNull(receiver, "receiver");
            return this;
        }

        /** Frames per second (default 1,000). */
        public Builder rate(int framesPerSecond) {
            if (framesPerSecond < 1 || framesPerSecond > 1_000_000) {
                throw new IllegalArgumentException("rate " + framesPerSecond + " is outside 1..1000000 frames/s");
            }
            this.rate = framesPerSecond;
            return this;
        }

        /** How many frames the sender thread sends at most (default 1,000). */
        public Builder count(long frames) {
            if (frames < 1 || frames > MAX_SEQ) {
                throw new IllegalArgumentException("count " + frames + " is outside 1.." + MAX_SEQ);
            }
            this.count = frames;
            return this;
        }

        /** How long the sender thread sends at most (default 60 s). */
        public Builder maxDuration(Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("max duration must be positive, got " + d);
            }
            this.maxDuration = d;
            return this;
        }

        /** Bytes per frame as sent, tag included (default and minimum 64). */
        public Builder frameSize(int bytes) {
            if (bytes < EtherFrames.MIN_TAGGED_FRAME || bytes > 9_000) {
                throw new IllegalArgumentException("frame size " + bytes + " is outside 64..9000");
            }
            this.frameSize = bytes;
            return this;
        }

        /** Starts the paced sender thread. */
        public FrameStream start() {
            FrameStream s = open();
            long periodNanos = 1_000_000_000L / rate;
            long limitNanos = maxDuration.toNanos();
            long frames = count;
            Thread t = new Thread(() -> s.run(frames, periodNanos, limitNanos), "pm-sim-stream-" + s.id);
            t.setDaemon(true);
            s.thread = t;
            t.start();
            return s;
        }

        /** A stream without a sender thread: send numbers by hand with {@link #send(long)}. */
        public FrameStream open() {
            if (receiver == null) {
                throw new IllegalStateException("no receiver: call to(...)");
            }
            return new FrameStream(sender, receiver, frameSize);
        }
    }

    private void run(long frames, long periodNanos, long limitNanos) {
        try {
            long start = System.nanoTime();
            long deadline = start + limitNanos;
            for (long seq = 1; seq <= frames && !stopped; seq++) {
                long due = start + (seq - 1) * periodNanos;
                if (due - deadline >= 0) {
                    break;
                }
                for (long now = System.nanoTime(); due - now > 0 && !stopped; now = System.nanoTime()) {
                    LockSupport.parkNanos(this, due - now);
                }
                if (stopped) {
                    break;
                }
                send(seq);
            }
        } finally {
            finished.countDown();
        }
    }

    /** Sends frame {@code seq} now (again, if it was sent before) from the sender's current attachment. */
    public void send(long seq) {
        if (seq < 1 || seq > MAX_SEQ) {
            throw new IllegalArgumentException("sequence number " + seq + " is outside 1.." + MAX_SEQ);
        }
        synchronized (sentSeqs) {
            // counted before it leaves, so that received never runs ahead of sent
            if (!sentSeqs.get((int) seq)) {
                sentSeqs.set((int) seq);
                sent++;
                if (seq < MAX_TIMED) {
                    if (seq >= sentNanos.length) {
                        sentNanos = java.util.Arrays.copyOf(sentNanos, (int) Math.min(MAX_TIMED, seq * 2));
                    }
                    sentNanos[(int) seq] = System.nanoTime();
                }
            }
        }
        sender.sendStreamFrame(receiver.mac(), id, seq, frameSize);
    }

    /** This stream's id, unique in the process; it is in every frame. */
    public int id() {
        return id;
    }

    public SimulatedVm sender() {
        return sender;
    }

    public SimulatedVm receiver() {
        return receiver;
    }

    /** Distinct sequence numbers sent so far. */
    public long sent() {
        synchronized (sentSeqs) {
            return sent;
        }
    }

    /** The counts so far; {@code lost} includes what is still in flight. */
    public StreamStats stats() {
        return counts.stats(sent());
    }

    /** Whether the sender thread has ended (count reached, time up or stopped); a stream without one never ends. */
    public boolean isFinished() {
        return thread != null && finished.getCount() == 0;
    }

    /** Waits up to {@code timeout} for the sender thread to end; true if it did. */
    public boolean awaitFinished(Duration timeout) throws InterruptedException {
        return thread != null && finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * The settle wait: waits until the sender thread (if any) has ended and every number sent has been received, or
     * until {@code maxWait} has passed, and returns the counts then. With loss it always waits {@code maxWait}.
     */
    public StreamStats awaitReceived(Duration maxWait) throws InterruptedException {
        long deadline = System.nanoTime() + maxWait.toNanos();
        while (System.nanoTime() - deadline < 0) {
            boolean senderDone = thread == null || finished.getCount() == 0;
            if (senderDone && counts.received() >= sent()) {
                break;
            }
            Thread.sleep(2);
        }
        return stats();
    }

    /**
     * The first frame the receiver handled at or after {@code nanoTime} (a {@link System#nanoTime()} value), counting
     * duplicates: e.g. the first frame delivered after a move or a RARP. Empty if none has arrived since.
     */
    public Optional<Arrival> firstArrivalAfter(long nanoTime) {
        return counts.firstArrivalAfter(nanoTime);
    }

    /**
     * The first sequence number this stream sent at or after {@code nanoTime} (a {@link System#nanoTime()} value),
     * e.g. the first frame a VM sent from its new host; empty if none was sent since (or its time was not kept).
     */
    public java.util.OptionalLong firstSentAfter(long nanoTime) {
        synchronized (sentSeqs) {
            for (int seq = sentSeqs.nextSetBit(0);
                    seq >= 0 && seq < sentNanos.length;
                    seq = sentSeqs.nextSetBit(seq + 1)) {
                if (sentNanos[seq] - nanoTime >= 0) {
                    return java.util.OptionalLong.of(seq);
                }
            }
        }
        return java.util.OptionalLong.empty();
    }

    /** When the receiver first handled frame {@code seq}, if it did (and still logged arrivals then). */
    public Optional<Arrival> arrivalOf(long seq) {
        return counts.arrivalOf(seq);
    }

    /**
     * The runs of sequence numbers sent and not received so far, in order: {@code [first, last, sentNanos of first,
     * sentNanos of last]} ({@link System#nanoTime()} when each left), at most {@code max} runs. What a test prints to
     * place a loss in time against the logs.
     */
    public java.util.List<long[]> missingRuns(int max) {
        Missing m = missing();
        BitSet sent = m.seqs();
        long[] times = m.sentNanos();
        java.util.List<long[]> runs = new java.util.ArrayList<>();
        for (int from = sent.nextSetBit(0); from >= 0 && runs.size() < max; ) {
            int to = sent.nextClearBit(from) - 1;
            runs.add(new long[] {from, to, sentAt(times, from), sentAt(times, to)});
            from = to == Integer.MAX_VALUE ? -1 : sent.nextSetBit(to + 1);
        }
        return runs;
    }

    /**
     * How many of the numbers first sent from {@code fromNanos} to {@code toNanos} ({@link System#nanoTime()} values,
     * both included) have not been received so far: this stream's loss in a window of time, e.g. a lossy link's. Only
     * the numbers whose send time is kept (the first {@code 2^21}) are counted.
     */
    public long lostSentBetween(long fromNanos, long toNanos) {
        return java.util.Arrays.stream(lostSentNanos())
                .filter(t -> t != Long.MIN_VALUE && t - fromNanos >= 0 && toNanos - t >= 0)
                .count();
    }

    /**
     * When each number sent and not received so far was sent ({@link System#nanoTime()}), in number order; {@code
     * Long.MIN_VALUE} for a number whose send time is not kept (past the first {@code 2^21}). What a check attributes
     * the stream's loss to the faults on its path with.
     */
    public long[] lostSentNanos() {
        Missing m = missing();
        BitSet missing = m.seqs();
        long[] times = m.sentNanos();
        long[] out = new long[missing.cardinality()];
        int i = 0;
        for (int seq = missing.nextSetBit(0); seq >= 0; seq = missing.nextSetBit(seq + 1)) {
            out[i++] = seq < times.length ? times[seq] : Long.MIN_VALUE;
        }
        return out;
    }

    /** The numbers sent and not received so far, and the send times of the numbers (by number, as far as kept). */
    private record Missing(BitSet seqs, long[] sentNanos) {}

    private Missing missing() {
        BitSet sent;
        long[] times;
        synchronized (sentSeqs) {
            sent = (BitSet) sentSeqs.clone();
            times = sentNanos;
        }
        sent.andNot(counts.seen());
        return new Missing(sent, times);
    }

    private static long sentAt(long[] times, int seq) {
        return seq < times.length ? times[seq] : 0;
    }

    /** Makes the sender thread stop before its next frame; returns at once. */
    public void stop() {
        stopped = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Stops the sender thread and waits (up to 2 s) for it to end. */
    @Override
    public void close() {
        stop();
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "FrameStream[" + id + " " + sender.mac() + " -> " + receiver.mac() + "]";
    }
}
