package io.portmesh.agent.control;

import static io.portmesh.agent.control.ScriptedController.barrier;
import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.agent.io.PortStats;
import io.portmesh.agent.pipeline.Pipeline;
import io.portmesh.sim.SimulatedVm;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Agents on threads shared by the JVM ({@link SharedAgentThreads}, the scale run's two thousand agents): they connect,
 * take flows and forward frames across the tunnel on the shared loops with no thread of their own, and closing one
 * leaves the threads, and the other agents on them, running.
 */
class SharedAgentThreadsTest {
    private static final int PINGS = 20;

    @Test
    void agentsOnSharedThreadsForwardWithNoThreadOfTheirOwn() throws Exception {
        Set<String> before = threadNames();
        try (SharedAgentThreads shared = SharedAgentThreads.start(1, 1, 1);
                TwoHostNetwork net = TwoHostNetwork.running(new TwoHostNetwork(shared))) {
            net.pingAllPairs(PINGS);

            for (SimulatedVm vm : net.all()) {
                assertThat(vm.pingStats().answered()).as("%s answered", vm).isEqualTo(PINGS);
                assertThat(vm.pingStats().duplicates()).as("%s duplicates", vm).isZero();
            }
            PortStats vxlanB = net.agentB.ports().get(Pipeline.TUNNEL_PORT).stats();
            assertThat(vxlanB.rxPackets())
                    .as("every request and reply crossed the tunnel")
                    .isEqualTo(4L * PINGS);
            Set<String> agentThreads = threadNames().stream()
                    .filter(n -> !before.contains(n))
                    .filter(n -> n.startsWith("pm-rx-") || n.startsWith("agent-control-"))
                    .collect(Collectors.toSet());
            assertThat(agentThreads)
                    .as("no receive or control thread of an agent's own")
                    .isEmpty();
        }
    }

    @Test
    void closingOneAgentLeavesTheSharedThreadsAndTheOtherAgentRunning() throws Exception {
        try (SharedAgentThreads shared = SharedAgentThreads.start(1, 1, 1);
                TwoHostNetwork net = TwoHostNetwork.running(new TwoHostNetwork(shared))) {
            net.pingAllPairs(1);
            net.agentA.close();

            assertThat(barrier(net.toB))
                    .as("the other agent still answers on the shared I/O loop")
                    .isNotNull();
            assertThat(net.agentB.controlState().flowCount())
                    .as("and on the shared control thread")
                    .isPositive();
            long rx = net.agentB.ports().get(Pipeline.TRUNK_PORT).stats().rxPackets();
            for (int i = 0; i < 3; i++) {
                net.vm2.sendPing(TwoHostNetwork.M1, TwoHostNetwork.BLUE_PING);
            }
            io.portmesh.sim.Await.until(
                    () -> net.agentB.ports().get(Pipeline.TRUNK_PORT).stats().rxPackets() >= rx + 3,
                    () -> "host-b's trunk received nothing on the shared UDP loop after host-a closed");
        }
    }

    private static Set<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).collect(Collectors.toSet());
    }
}
