package io.portmesh.sim;

import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;

/**
 * Two VMs back to back on a {@link TestRelay} over loopback UDP, each on a wire of its own: A (VLAN 101,
 * 52:54:00:00:00:0a, 10.0.0.10) and B (VLAN 202, 52:54:00:00:00:0b, 10.0.0.11).
 */
final class RelayedVms implements AutoCloseable {
    final TestRelay relay;
    final SimulatedVm a;
    final SimulatedVm b;

    RelayedVms() throws Exception {
        relay = new TestRelay(101, 202);
        a = new SimulatedVm(Mac.parse("52:54:00:00:00:0a"), Ipv4.parse("10.0.0.10"), 101, relay.address());
        b = new SimulatedVm(Mac.parse("52:54:00:00:00:0b"), Ipv4.parse("10.0.0.11"), 202, relay.address());
        relay.connect(a.wire().localAddress(), b.wire().localAddress());
    }

    @Override
    public void close() throws Exception {
        a.close();
        b.close();
        relay.close();
    }
}
