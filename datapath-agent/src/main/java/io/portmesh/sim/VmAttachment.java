package io.portmesh.sim;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntFunction;

/**
 * Where a {@link SimulatedVm} is plugged in (a wire, a host's trunk, and the access VLAN of its port group there), and
 * its moves from one port group to another: which port group it sends on, which ones deliver to it, and the hand-over
 * of a move (see {@link SimulatedVm#moveTo(PseudoWire, int, boolean)} for what a move guarantees).
 *
 * <p>Sending and receiving hold the read lock; a move swaps the port group under the write lock, so every frame is
 * sent and every received frame handled entirely before or entirely after it.
 */
final class VmAttachment {
    /** How long a move waits for the port group it leaves to hand over what reached it before the move. */
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(2);

    /** A port group: a wire and a VLAN on it. */
    private record Plug(PseudoWire wire, int vlan) {}

    private final SimulatedVm vm;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** One move at a time, drain included. */
    private final Object moving = new Object();

    /** Where the VM sends from, and receives once {@link #arrived}. */
    private volatile Plug current;
    /** Whether {@link #current}'s port group delivers: false from a move until the new wire passes its marker. */
    private volatile boolean arrived = true;
    /** The port group a move is leaving, until its wire passes its marker: it delivers what it queued before. */
    private volatile Plug leaving;
    /** Open while {@link #leaving} delivers; null when no move is under way. */
    private volatile CountDownLatch left;

    private volatile boolean closed;
    /** The last move to another port group, once it returned; null before. */
    private volatile SimulatedVm.MoveTrace lastMove;

    /** {@code vm} on the port group of {@code vlan} on {@code wire}, once {@link #plugIn} is called. */
    VmAttachment(SimulatedVm vm, PseudoWire wire, int vlan) {
        checkVlan(vlan);
        this.vm = vm;
        this.current = new Plug(Objects.requireNonNull(wire, "wire"), vlan);
    }

    /** The wire delivers to the VM from here on: the last step of the VM's constructor, once it can handle frames. */
    void plugIn() {
        current.wire().attach(vm, current.vlan());
    }

    private static void checkVlan(int vlan) {
        if (vlan < 1 || vlan > 4094) {
            throw new IllegalArgumentException("VLAN " + vlan + " is outside 1..4094");
        }
    }

    int vlan() {
        return current.vlan();
    }

    PseudoWire wire() {
        return current.wire();
    }

    /**
     * Moves to the port group of {@code vlan} on {@code wire}, sending {@code announcement} (if not null) as the first
     * frame after the move; returns once both wires passed their markers (each waited for up to {@link
     * #DRAIN_TIMEOUT}).
     */
    void moveTo(PseudoWire wire, int vlan, IntFunction<byte[]> announcement) {
        Objects.requireNonNull(wire, "wire");
        checkVlan(vlan);
        if (lock.getReadHoldCount() > 0) {
            throw new IllegalStateException("a VM cannot move while it handles a frame");
        }
        synchronized (moving) {
            long movedNanos;
            PseudoWire.Drain arrival;
            PseudoWire.Drain departure;
            lock.writeLock().lock();
            try {
                if (closed) {
                    throw new IllegalStateException(vm + " is closed");
                }
                Plug from = current;
                Plug to = new Plug(wire, vlan);
                if (to.equals(from)) {
                    if (announcement != null) {
                        send(to, announcement);
                    }
                    return;
                }
                wire.attach(vm, vlan);
                movedNanos = System.nanoTime();
                CountDownLatch latch = new CountDownLatch(1);
                current = to;
                arrived = false;
                leaving = from;
                left = latch;
                // The new wire's marker first: a copy that reaches the old wire after its marker was sent after it,
                // so its twin, sent to the new wire later still, comes after the new wire's marker.
                arrival = wire.drain(() -> arrive(to));
                departure = from.wire().drain(() -> leave(from, latch));
                if (announcement != null) {
                    send(to, announcement);
                }
            } finally {
                lock.writeLock().unlock();
            }
            boolean arrivedInOrder = arrival.await(DRAIN_TIMEOUT);
            boolean leftInOrder = departure.await(DRAIN_TIMEOUT);
            lastMove = new SimulatedVm.MoveTrace(movedNanos, arrivedInOrder, leftInOrder);
        }
    }

    SimulatedVm.MoveTrace lastMove() {
        return lastMove;
    }

    /** The new wire passed its marker: its port group delivers from here on. */
    private void arrive(Plug to) {
        lock.writeLock().lock();
        try {
            if (current == to) {
                arrived = true;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The old wire passed its marker: {@code from} delivers nothing more. Idempotent. */
    private void leave(Plug from, CountDownLatch latch) {
        lock.writeLock().lock();
        try {
            if (leaving == from) {
                leaving = null;
            }
            if (left == latch) {
                left = null;
            }
            if (!from.equals(current)) {
                from.wire().detach(vm, from.vlan());
            }
        } finally {
            lock.writeLock().unlock();
            latch.countDown();
        }
    }

    /**
     * On the new wire's receive thread, before a frame of the port group the VM moved to: waits until the old port
     * group has handed over what it queued before the move, so that the VM gets those first. Not when both are on one
     * wire (one queue, already in order) or before the new wire's marker (the frame is not delivered anyway).
     * Bounded by {@link #DRAIN_TIMEOUT} (two VMs swapping wires at once can make two receive threads wait for each
     * other until then).
     */
    private void awaitDeparture(PseudoWire from, int vlan) {
        CountDownLatch latch = left;
        if (latch == null || !arrived) {
            return;
        }
        Plug c = current;
        Plug l = leaving;
        if (c.wire() != from || c.vlan() != vlan || l == null || l.wire() == from) {
            return;
        }
        try {
            latch.await(DRAIN_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends a frame on the current port group, built for its VLAN; no move can come between (see {@link #moveTo}). */
    void send(IntFunction<byte[]> frameForVlan) {
        lock.readLock().lock();
        try {
            send(current, frameForVlan);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Sends on the current port group from within {@link #enter}/{@link #exit} (the lock held): an answer goes out
     * from where the VM is now, even to a frame that came in on the port group it is leaving.
     */
    void answer(IntFunction<byte[]> frameForVlan) {
        send(current, frameForVlan);
    }

    /** The caller holds the lock (either one). */
    private static void send(Plug p, IntFunction<byte[]> frameForVlan) {
        byte[] f = frameForVlan.apply(p.vlan());
        p.wire().send(f, 0, f.length);
    }

    /**
     * On a wire's receive thread, before the VM handles a frame of {@code vlan} that {@code from} received: true when
     * that port group delivers to the VM, and then no move comes before {@link #exit}, which the caller must call;
     * false (nothing held) when the VM is not, or no longer, attached there.
     */
    boolean enter(PseudoWire from, int vlan) {
        awaitDeparture(from, vlan); // not under the lock: the departure takes the write lock
        lock.readLock().lock();
        if (attachedAt(from, vlan)) {
            return true;
        }
        lock.readLock().unlock();
        return false;
    }

    /** The frame {@link #enter} let in is handled. */
    void exit() {
        lock.readLock().unlock();
    }

    private boolean attachedAt(PseudoWire wire, int vlan) {
        if (closed) {
            return false;
        }
        Plug c = current;
        if (c.wire() == wire && c.vlan() == vlan) {
            return arrived;
        }
        Plug l = leaving;
        return l != null && l.wire() == wire && l.vlan() == vlan;
    }

    /**
     * Unplugs the VM from its port group and from the one a move is still leaving. True the first time, false once
     * closed already.
     */
    boolean close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            Plug c = current;
            c.wire().detach(vm, c.vlan());
            Plug l = leaving;
            if (l != null) {
                l.wire().detach(vm, l.vlan());
                leaving = null;
            }
            CountDownLatch latch = left;
            if (latch != null) {
                left = null;
                latch.countDown();
            }
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }
}
