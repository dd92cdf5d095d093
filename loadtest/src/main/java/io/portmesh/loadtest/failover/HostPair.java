package io.portmesh.loadtest.failover;

import io.portmesh.loadtest.demo.AgentProcess;
import io.portmesh.sim.FrameStream;
import io.portmesh.sim.SimulatedVm;
import java.net.InetSocketAddress;

/**
 * One host of {@link FailoverFabric} with an agent pair: its slots' VXLAN addresses and trunks, slot a's agent (the
 * one a failover kills and restarts), its VM and the VM's peer, their current streams, and what {@link Failovers} did
 * to it.
 */
final class HostPair {
    final String host;
    final String tepA;
    final InetSocketAddress trunkA;
    final String tepB;
    final InetSocketAddress trunkB;
    AgentProcess a;
    SimulatedVm vm;
    String port;
    SimulatedVm peer;
    FrameStream out;
    FrameStream in;
    boolean killed;
    boolean rejoined;

    HostPair(String host, String tepA, InetSocketAddress trunkA, String tepB, InetSocketAddress trunkB) {
        this.host = host;
        this.tepA = tepA;
        this.trunkA = trunkA;
        this.tepB = tepB;
        this.trunkB = trunkB;
    }
}
