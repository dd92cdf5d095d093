package io.portmesh.loadtest.harness;

import io.portmesh.loadtest.bind.Sleep;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.sim.SimulatedVm;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The broadcast workload: every VM of the run sends ARP requests (broadcast frames the datapath floods to every host
 * of its switch) at {@code rate} per second each, on a thread of its own, open loop, until stopped; and every VM of its
 * switch counts them where they arrive. Each request asks for an address no VM has, 10.128.0.0/9 plus the sender's
 * sequence number (so no VM answers, the VM traffic's own counts stay as they were, and a receiver tells a request from
 * a copy of it): each VM of the switch but the sender must receive each request once. {@link #received} counts the
 * requests received at least once over every receiver, {@link #duplicates} the further copies (a pair's standby
 * replays what it held at a failover), and {@link #expected} what a lossless fabric delivers.
 */
final class BroadcastLoad implements AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(BroadcastLoad.class);
    private static final int BASE = Ipv4.parse("10.128.0.0").value();
    private static final int SEQ_MASK = 0x7F_FFFF;
    private static final long DRAIN_MS = 3_000;

    private final List<List<SimulatedVm>> switches;
    private final Map<SimulatedVm, AtomicLong> sentBy = new HashMap<>();
    /** Per receiver and sender (MAC), the sequence numbers seen. */
    private final Map<SimulatedVm, Map<Mac, BitSet>> seen = new HashMap<>();

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final Thread sender;
    private volatile boolean stopped;

    private BroadcastLoad(List<List<SimulatedVm>> switches, double rate) {
        this.switches = switches;
        List<SimulatedVm> vms = switches.stream().flatMap(List::stream).toList();
        for (SimulatedVm vm : vms) {
            sentBy.put(vm, new AtomicLong());
            Map<Mac, BitSet> mine = new HashMap<>();
            seen.put(vm, mine);
            vm.setArpRequestHook((from, target) -> onRequest(mine, from, target));
        }
        long period = (long) (1e9 / rate);
        sender = new Thread(
                () -> {
                    long next = System.nanoTime();
                    while (!stopped) {
                        for (SimulatedVm vm : vms) {
                            AtomicLong sent = sentBy.get(vm);
                            try {
                                vm.sendArpRequest(new Ipv4(BASE | (int) (sent.get() & SEQ_MASK)));
                                sent.incrementAndGet(); // counted once sent: an unsent request is not "lost"
                            } catch (RuntimeException e) {
                                // one VM's failed send must not end the load of every VM (its wire may be moving)
                                log.debug("{}: broadcast not sent: {}", vm, e.toString());
                            }
                        }
                        next += period;
                        long wait;
                        while ((wait = next - System.nanoTime()) > 0 && !stopped) {
                            LockSupport.parkNanos(Math.min(wait, 50_000_000L));
                        }
                    }
                },
                "broadcast-load");
        sender.setDaemon(true);
    }

    private void onRequest(Map<Mac, BitSet> mine, Mac from, Ipv4 target) {
        if ((target.value() & ~SEQ_MASK) != BASE) {
            return; // not the load's (a VM's own ARP)
        }
        boolean first;
        synchronized (mine) {
            BitSet s = mine.computeIfAbsent(from, k -> new BitSet());
            int seq = target.value() & SEQ_MASK;
            first = !s.get(seq);
            s.set(seq);
        }
        (first ? received : duplicates).incrementAndGet();
    }

    /**
     * Started at {@code rate} ARP requests per second per VM, {@code switches} the VMs grouped by their logical switch
     * (each request is flooded to the others of its group); null when the rate is 0 (off).
     */
    static BroadcastLoad start(List<List<SimulatedVm>> switches, double rate) {
        if (rate <= 0 || switches.stream().allMatch(List::isEmpty)) {
            return null;
        }
        BroadcastLoad b = new BroadcastLoad(switches, rate);
        b.sender.start();
        return b;
    }

    long sent() {
        return sentBy.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** What a lossless fabric delivers: each request once to every other VM of its switch. */
    long expected() {
        long n = 0;
        for (List<SimulatedVm> sw : switches) {
            for (SimulatedVm vm : sw) {
                n += sentBy.get(vm).get() * (sw.size() - 1);
            }
        }
        return n;
    }

    long received() {
        return received.get();
    }

    long duplicates() {
        return duplicates.get();
    }

    /**
     * Stops sending (within 50 ms), waits for the sender thread, then for the requests in flight: until every
     * expected one arrived, at most 3 s, so that the counts are final.
     */
    @Override
    public void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            sender.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long deadline = System.nanoTime() + DRAIN_MS * 1_000_000;
        while (received() < expected() && System.nanoTime() - deadline < 0) {
            Sleep.millis(50);
        }
    }
}
