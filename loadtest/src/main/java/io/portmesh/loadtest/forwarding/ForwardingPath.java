package io.portmesh.loadtest.forwarding;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * One thing to measure, set up and kept for all rounds of a case: a sender aimed at a forwarder (the agent's trunk or
 * VXLAN port, or the relay), the forwarder's own count of what it read, and the counter at the far end.
 */
final class ForwardingPath implements AutoCloseable {
    private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

    final String forwarder;
    final Blaster sender;
    final UdpCounter counter;
    final LongSupplier forwarderIn;
    private final List<AutoCloseable> resources;

    private ForwardingPath(
            String forwarder,
            Blaster sender,
            UdpCounter counter,
            LongSupplier forwarderIn,
            List<AutoCloseable> resources) {
        this.forwarder = forwarder;
        this.sender = sender;
        this.counter = counter;
        this.forwarderIn = forwarderIn;
        this.resources = resources;
    }

    /** A fresh agent with the benchmark's flows; the sender plays a VM on the trunk or a remote VTEP. */
    static ForwardingPath agent(ForwardingBenchmark.Direction d) throws IOException {
        List<AutoCloseable> open = new ArrayList<>();
        try {
            UdpCounter remoteVtep = add(open, new UdpCounter(ANY_LOOPBACK));
            UdpCounter receiverVm = add(open, new UdpCounter(ANY_LOOPBACK));
            BenchAgent agent = add(open, new BenchAgent(remoteVtep.address(), receiverVm.address()));
            boolean fromTrunk = d == ForwardingBenchmark.Direction.TRUNK_TO_VXLAN;
            Blaster sender =
                    add(open, new Blaster(ANY_LOOPBACK, fromTrunk ? agent.trunkAddress() : agent.vxlanAddress()));
            LongSupplier in = fromTrunk
                    ? () -> agent.trunkStats().rxPackets()
                    : () -> agent.vxlanStats().rxPackets();
            return new ForwardingPath("agent", sender, fromTrunk ? remoteVtep : receiverVm, in, open);
        } catch (IOException | RuntimeException e) {
            closeAll(open);
            throw e;
        }
    }

    /** The bare relay between a sender and a counter. */
    static ForwardingPath relay() throws IOException {
        List<AutoCloseable> open = new ArrayList<>();
        try {
            UdpCounter counter = add(open, new UdpCounter(ANY_LOOPBACK));
            UdpRelay relay = add(open, new UdpRelay(ANY_LOOPBACK, counter.address()));
            Blaster sender = add(open, new Blaster(ANY_LOOPBACK, relay.address()));
            return new ForwardingPath("relay", sender, counter, relay::relayed, open);
        } catch (IOException | RuntimeException e) {
            closeAll(open);
            throw e;
        }
    }

    private static <T extends AutoCloseable> T add(List<AutoCloseable> open, T resource) {
        open.add(resource);
        return resource;
    }

    private static void closeAll(List<AutoCloseable> open) {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                // closing the rest matters more
            }
        }
    }

    @Override
    public void close() {
        closeAll(resources);
    }
}
