package io.portmesh.agent.io;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one port. Receive-side counters have a single writer (the receive thread), but transmit happens from
 * every thread that runs the pipeline or a packet-out, so all counters are adders: uncontended they cost one CAS.
 */
public final class PortCounters {
    private final LongAdder rxPackets = new LongAdder();
    private final LongAdder txPackets = new LongAdder();
    private final LongAdder rxBytes = new LongAdder();
    private final LongAdder txBytes = new LongAdder();
    private final LongAdder rxDropped = new LongAdder();
    private final LongAdder txDropped = new LongAdder();
    private final LongAdder rxErrors = new LongAdder();
    private final LongAdder txErrors = new LongAdder();

    public void received(int bytes) {
        rxPackets.increment();
        rxBytes.add(bytes);
    }

    public void transmitted(int bytes) {
        txPackets.increment();
        txBytes.add(bytes);
    }

    public void rxDropped() {
        rxDropped.increment();
    }

    public void txDropped() {
        txDropped.increment();
    }

    public void rxError() {
        rxErrors.increment();
    }

    public void txError() {
        txErrors.increment();
    }

    public PortStats snapshot() {
        return new PortStats(
                rxPackets.sum(),
                txPackets.sum(),
                rxBytes.sum(),
                txBytes.sum(),
                rxDropped.sum(),
                txDropped.sum(),
                rxErrors.sum(),
                txErrors.sum());
    }
}
