package io.portmesh.loadtest.harness;

import io.portmesh.model.Ipv4;
import io.portmesh.sim.SimulatedVm;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The broadcast workload: every VM of the run sends ARP requests (broadcast frames the datapath floods to every host
 * of its switch) at {@code rate} per second each, on a thread of its own, open loop, until stopped; the frames sent are
 * counted. The address asked for is one no VM has (10.19.255.254), so no VM answers and the VM traffic's own counts
 * stay as they were.
 */
final class BroadcastLoad implements AutoCloseable {
    private static final Ipv4 NOBODY = Ipv4.parse("10.19.255.254");

    private final AtomicLong sent = new AtomicLong();
    private final Thread sender;
    private volatile boolean stopped;

    private BroadcastLoad(List<SimulatedVm> vms, double rate) {
        long period = (long) (1e9 / rate);
        sender = new Thread(
                () -> {
                    long next = System.nanoTime();
                    while (!stopped) {
                        for (SimulatedVm vm : vms) {
                            vm.sendArpRequest(NOBODY);
                            sent.incrementAndGet();
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

    /** Started at {@code rate} ARP requests per second per VM; null when the rate is 0 (off). */
    static BroadcastLoad start(List<SimulatedVm> vms, double rate) {
        if (rate <= 0 || vms.isEmpty()) {
            return null;
        }
        BroadcastLoad b = new BroadcastLoad(vms, rate);
        b.sender.start();
        return b;
    }

    long sent() {
        return sent.get();
    }

    /** Stops sending (within 50 ms) and waits for the sender thread. */
    @Override
    public void close() {
        stopped = true;
        try {
            sender.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
