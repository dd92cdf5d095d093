package io.portmesh.sim;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A slow or lossy link, for the {@link PseudoWire}s it is {@linkplain PseudoWire#setImpairment set on}: each frame a
 * wire sends to its trunks, and each it receives before handing it to a VM, passes here.
 *
 * <ul>
 *   <li>{@code loss}: the fraction of frames dropped, drawn per frame from a {@link SplittableRandom} of the given seed:
 *       the n-th frame passed is dropped or not as the n-th draw says, so the same seed drops the same frame indexes.
 *   <li>{@code delay}: a fixed time added to every frame, which waits in one FIFO delay line for the whole impairment
 *       (every wire, both directions) and is handed on by one thread of its own, in the order it came: a link that
 *       delays never reorders. The line holds at most {@code bound} frames; a frame over the bound is dropped and
 *       counted apart ({@link #overflowed()}).
 * </ul>
 *
 * <p>{@link #heal()} ends the impairment at once: nothing is dropped or delayed from then on. Frames in the delay line
 * are still handed on at their time, in order, and a frame passed while the line still holds some goes behind them,
 * with no delay of its own, so the heal does not reorder either; once the line is empty, frames pass on the caller's
 * thread as on a wire without impairment. Detach it from its wires ({@code setImpairment(null)}) once {@link
 * #awaitDrained} says the line is empty, then {@link #close} it.
 */
public final class LinkImpairment implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LinkImpairment.class);
    /** Frames the delay line holds at most by default: 50 ms at 1.3 million frames/s, far above a harness's load. */
    public static final int DEFAULT_BOUND = 65_536;

    private static final long CLOSE_WAIT_MS = 2_000;

    /** Where a frame goes once it passed: the wire's send to its trunks, or its hand-over to a VM. */
    @FunctionalInterface
    interface Sink {
        /** {@code frame} is valid from {@code off} for {@code len} bytes, only during the call. */
        void accept(byte[] frame, int off, int len);
    }

    private record Delayed(long dueNanos, Runnable handOn) {}

    private final double loss;
    private final long delayNanos;
    private final int bound;
    /** Guarded by itself: one draw per frame, in the order the frames pass. */
    private final SplittableRandom random;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when the line gets its first frame, and at close. */
    private final Condition added = lock.newCondition();
    /** Signalled when the line is empty. */
    private final Condition emptied = lock.newCondition();
    /** Guarded by {@link #lock}; a frame leaves it only once handed on, so empty means everything was. */
    private final ArrayDeque<Delayed> line = new ArrayDeque<>();

    private final LongAdder passed = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder delayed = new LongAdder();
    private final LongAdder overflowed = new LongAdder();
    private volatile boolean healed;
    private volatile boolean closed;
    /** The delay line's thread; null without delay. */
    private final Thread thread;

    /** An impairment dropping {@code loss} (0..1) of the frames and delaying each by {@code delay}. */
    public LinkImpairment(double loss, Duration delay, long seed) {
        this(loss, delay, seed, DEFAULT_BOUND);
    }

    /** As above, the delay line holding at most {@code bound} frames. */
    public LinkImpairment(double loss, Duration delay, long seed, int bound) {
        if (!(loss >= 0 && loss <= 1)) {
            throw new IllegalArgumentException("loss " + loss + " is outside 0..1");
        }
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay " + delay + " is negative");
        }
        if (bound < 1) {
            throw new IllegalArgumentException("bound " + bound + " is below 1");
        }
        this.loss = loss;
        this.delayNanos = delay.toNanos();
        this.bound = bound;
        this.random = new SplittableRandom(seed);
        if (delayNanos > 0) {
            thread = new Thread(this::handOnLoop, "pm-sim-link-delay");
            thread.setDaemon(true);
            thread.start();
        } else {
            thread = null;
        }
    }

    public double loss() {
        return loss;
    }

    public Duration delay() {
        return Duration.ofNanos(delayNanos);
    }

    /** Frames that came here (both directions, every wire), dropped or not. */
    public long passed() {
        return passed.sum();
    }

    /** Frames dropped by {@code loss}. */
    public long dropped() {
        return dropped.sum();
    }

    /** Frames put into the delay line with the delay (not those that only queued behind it after the heal). */
    public long delayed() {
        return delayed.sum();
    }

    /** Frames dropped because the delay line held {@code bound} frames already. */
    public long overflowed() {
        return overflowed.sum();
    }

    /** Whether {@link #heal} was called. */
    public boolean healed() {
        return healed;
    }

    /** Ends the impairment now (see the class comment): nothing dropped or delayed from here on. */
    public void heal() {
        healed = true;
    }

    /** Frames in the delay line now. */
    public int inLine() {
        lock.lock();
        try {
            return line.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits up to {@code timeout} for the delay line to be empty (every delayed frame handed on); true if it is. After
     * {@link #heal}, it empties within the delay.
     */
    public boolean awaitDrained(Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (!line.isEmpty() && left > 0 && !closed) {
                left = emptied.awaitNanos(left);
            }
            return line.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** One frame: dropped, delayed, or handed to {@code sink} now on the caller's thread. */
    void pass(byte[] frame, int off, int len, Sink sink) {
        passed.increment();
        if (!healed && loss > 0 && drawDrop()) {
            dropped.increment();
            return;
        }
        if (thread != null) {
            lock.lock();
            try {
                if (!healed || !line.isEmpty()) {
                    if (line.size() >= bound) {
                        overflowed.increment();
                        return;
                    }
                    byte[] copy = Arrays.copyOfRange(frame, off, off + len);
                    enqueue(healed ? 0 : delayNanos, () -> sink.accept(copy, 0, len));
                    if (!healed) {
                        delayed.increment();
                    }
                    return;
                }
            } finally {
                lock.unlock();
            }
        }
        sink.accept(frame, off, len);
    }

    /**
     * Runs {@code action} once every frame in the delay line now has been handed on: at once on the caller's thread
     * when the line is empty, else on the line's thread right after them (never dropped, not counted). What a wire's
     * drain marker needs to stay behind the frames received before it.
     */
    void after(Runnable action) {
        if (thread != null) {
            lock.lock();
            try {
                if (!line.isEmpty()) {
                    enqueue(0, action);
                    return;
                }
            } finally {
                lock.unlock();
            }
        }
        action.run();
    }

    /** The caller holds the lock. Due times only grow along the line: a frame's own delay, or none behind others. */
    private void enqueue(long delay, Runnable handOn) {
        line.addLast(new Delayed(System.nanoTime() + delay, handOn));
        if (line.size() == 1) {
            added.signal();
        }
    }

    private boolean drawDrop() {
        synchronized (random) {
            return random.nextDouble() < loss;
        }
    }

    /** The delay line's thread: hands on the head once due, then takes it out. Ends at close. */
    private void handOnLoop() {
        try {
            while (true) {
                Delayed head;
                lock.lock();
                try {
                    while (true) {
                        if (closed) {
                            return;
                        }
                        head = line.peekFirst();
                        if (head == null) {
                            added.await();
                            continue;
                        }
                        long wait = head.dueNanos() - System.nanoTime();
                        if (wait <= 0) {
                            break;
                        }
                        added.awaitNanos(wait);
                    }
                } finally {
                    lock.unlock();
                }
                try {
                    head.handOn().run();
                } catch (RuntimeException e) {
                    log.debug("a delayed frame's hand-over failed", e);
                }
                lock.lock();
                try {
                    line.pollFirst();
                    if (line.isEmpty()) {
                        emptied.signalAll();
                    }
                } finally {
                    lock.unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the delay line's thread; frames still in it are not handed on (close once drained). */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            added.signalAll();
            emptied.signalAll();
        } finally {
            lock.unlock();
        }
        if (thread != null && thread != Thread.currentThread()) {
            try {
                thread.join(CLOSE_WAIT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return String.format(
                "LinkImpairment[loss %.3f, delay %d ms%s: %d passed, %d dropped, %d delayed, %d overflowed]",
                loss, delayNanos / 1_000_000, healed ? ", healed" : "", passed(), dropped(), delayed(), overflowed());
    }
}
