package io.portmesh.agent.pipeline;

import io.portmesh.agent.table.FlowInstallListener;
import io.portmesh.model.flow.Cookies;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;

/**
 * Replays, when a VM arriving in a live move announces itself, the frames this switch delivered to its port group
 * just before (docs/architecture.md section 7.1, "arrival replay").
 *
 * <p>During a move every peer sends each frame for the VM to both hosts; a frame whose copy reaches the destination's
 * port group just before the VM arrives there, and the source's just after it left, is lost. So while a Portmesh
 * {@code ACTIVATE} flow for VLAN V is installed in table 0 (V is "arriving"), every frame the pipeline outputs to the
 * trunk tagged V is also copied into V's ring (at most {@link #RING_CAPACITY} frames, with their time). When a frame
 * matches an {@code ACTIVATE} flow of V (the VM's RARP or gratuitous ARP), after that frame is processed the trunk
 * re-sends the ringed frames younger than the window, oldest first, once: the ring then records nothing more until
 * the activation flows are removed (the ring is dropped) and installed again (a new move). Frames the VM also got on
 * the source come twice; receivers count duplicates, nothing hides them.
 *
 * <p>Threads: the arriving set is changed by the flow-table writer (the control thread, under the tables' lock)
 * through {@link FlowInstallListener}; frames are recorded by every thread that runs the pipeline (the trunk's and the
 * tunnel's receive threads, packet-outs on the control thread), so each ring takes its own lock, which only frames of
 * arriving VLANs ever touch. A VLAN that is not arriving costs one volatile read per frame ({@link #armed}) while no
 * VLAN at all is arriving, and one array read per frame output to the trunk while some VLAN is.
 */
public final class ArrivalReplay implements FlowInstallListener {
    /** Frames kept per arriving VLAN, at most. */
    public static final int RING_CAPACITY = 256;
    /** The default window: frames older than this at the announcement are not replayed. */
    public static final long DEFAULT_WINDOW_NANOS = 50_000_000L;

    private static final int VLAN_COUNT = 4096;
    private static final long ID_MASK = 0xFF_FFFF_FFFFL;

    private final long windowNanos;
    private final LongSupplier clock;
    /** ACTIVATE flows installed per VLAN; only touched by the tables' writer, under their lock. */
    private final int[] activationFlows = new int[VLAN_COUNT];

    private final AtomicReferenceArray<Ring> rings = new AtomicReferenceArray<>(VLAN_COUNT);
    /** How many VLANs are arriving (writer only); {@link #armed} is its published "more than zero". */
    private int arriving;

    private volatile boolean armed;

    /** @param windowNanos how old a ringed frame may be at the announcement to be replayed; 0 turns replay off */
    public ArrivalReplay(long windowNanos, LongSupplier nanoClock) {
        if (windowNanos < 0) {
            throw new IllegalArgumentException("arrival replay window must be >= 0: " + windowNanos);
        }
        this.windowNanos = windowNanos;
        this.clock = nanoClock;
    }

    public long windowNanos() {
        return windowNanos;
    }

    /** Whether any VLAN is arriving: the one check the data path makes per frame. */
    boolean armed() {
        return armed;
    }

    /** The VLAN an {@code ACTIVATE} cookie names, or -1 if the cookie is not a Portmesh activation one. */
    static int activationVlan(long cookie) {
        if (!Cookies.isPortmesh(cookie) || Cookies.rule(cookie) != Cookies.ACTIVATE) {
            return -1;
        }
        long id = cookie & ID_MASK;
        return id >= 1 && id <= 4094 ? (int) id : -1;
    }

    @Override
    public void installed(int tableId, long cookie) {
        int vlan = tableId == 0 ? activationVlan(cookie) : -1;
        if (vlan < 0 || windowNanos == 0) {
            return;
        }
        if (activationFlows[vlan]++ == 0) {
            rings.set(vlan, new Ring());
            if (arriving++ == 0) {
                armed = true;
            }
        }
    }

    @Override
    public void removed(int tableId, long cookie) {
        int vlan = tableId == 0 ? activationVlan(cookie) : -1;
        if (vlan < 0 || windowNanos == 0 || activationFlows[vlan] == 0) {
            return;
        }
        if (--activationFlows[vlan] == 0) {
            rings.set(vlan, null);
            if (--arriving == 0) {
                armed = false;
            }
        }
    }

    /** Whether {@code vlan} is arriving (an ACTIVATE flow for it is installed), for tests and diagnostics. */
    public boolean isArriving(int vlan) {
        return vlan >= 0 && vlan < VLAN_COUNT && rings.get(vlan) != null;
    }

    /** Frames ringed for {@code vlan} now (0 when it is not arriving or was replayed). */
    public int ringed(int vlan) {
        Ring r = vlan >= 0 && vlan < VLAN_COUNT ? rings.get(vlan) : null;
        return r == null ? 0 : r.size();
    }

    /** Data path, only when {@link #armed}: a frame output to the trunk tagged {@code vlan}. */
    void record(int vlan, byte[] frame, int off, int len) {
        Ring r = rings.get(vlan & 0xFFF);
        if (r != null) {
            r.add(frame, off, len, clock.getAsLong());
        }
    }

    /**
     * Data path: the VM of {@code vlan} announced itself. Returns the frames to re-send, oldest first (empty when the
     * VLAN is not arriving, or was replayed already); from now on the VLAN's ring records nothing.
     */
    List<byte[]> take(int vlan) {
        Ring r = rings.get(vlan & 0xFFF);
        return r == null ? List.of() : r.take(clock.getAsLong(), windowNanos);
    }

    /** One arriving VLAN's last frames. Several threads record; the lock is uncontended but for bursts. */
    private static final class Ring {
        private final byte[][] frames = new byte[RING_CAPACITY][];
        private final int[] lengths = new int[RING_CAPACITY];
        private final long[] times = new long[RING_CAPACITY];
        /** The next slot to write. */
        private int next;

        private int size;
        private boolean replayed;

        synchronized void add(byte[] frame, int off, int len, long now) {
            if (replayed) {
                return;
            }
            byte[] slot = frames[next];
            if (slot == null || slot.length < len) {
                slot = new byte[Math.max(len, 128)];
                frames[next] = slot;
            }
            System.arraycopy(frame, off, slot, 0, len);
            lengths[next] = len;
            times[next] = now;
            next = (next + 1) % RING_CAPACITY;
            if (size < RING_CAPACITY) {
                size++;
            }
        }

        synchronized int size() {
            return size;
        }

        synchronized List<byte[]> take(long now, long window) {
            if (replayed) {
                return List.of();
            }
            replayed = true;
            List<byte[]> out = new ArrayList<>(size);
            for (int i = size; i > 0; i--) {
                int slot = Math.floorMod(next - i, RING_CAPACITY);
                if (now - times[slot] < window) {
                    out.add(Arrays.copyOf(frames[slot], lengths[slot]));
                }
                frames[slot] = null;
            }
            size = 0;
            return out;
        }
    }
}
