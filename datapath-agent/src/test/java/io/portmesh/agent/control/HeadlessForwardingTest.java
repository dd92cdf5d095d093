package io.portmesh.agent.control;

import static io.portmesh.agent.control.ScriptedController.WAIT_SECONDS;
import static io.portmesh.agent.control.TwoHostNetwork.M1;
import static io.portmesh.agent.control.TwoHostNetwork.M2;
import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.flow.FlowPlan;
import io.portmesh.sim.Await;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fail-secure: when every controller is gone the agents keep their flows and keep forwarding on them, unicast and
 * broadcast, for as long as it takes the controllers to come back.
 */
class HeadlessForwardingTest {
    private static final int PINGS = 20;

    private TwoHostNetwork net;

    @BeforeEach
    void start() throws Exception {
        net = TwoHostNetwork.running();
    }

    @AfterEach
    void stop() {
        if (net != null) {
            net.close();
        }
    }

    @Test
    void agentsForwardOnTheirLastFlowsWithNoControllerLeft() throws Exception {
        net.pingAllPairs(PINGS); // works with the controllers there
        FlowPlan flowsA = TwoHostNetwork.installedPlan(net.agentA);
        FlowPlan flowsB = TwoHostNetwork.installedPlan(net.agentB);
        assertThat(flowsA).isEqualTo(net.planA);
        assertThat(flowsB).isEqualTo(net.planB);
        long modsA = net.agentA.flowModsApplied();
        long modsB = net.agentB.flowModsApplied();

        net.ctl1.close();
        net.ctl2.close();
        Await.until(
                () -> net.agentA.connectedControllers() == 0 && net.agentB.connectedControllers() == 0,
                () -> "agents still see controllers: A " + net.agentA.connectedControllers() + ", B "
                        + net.agentB.connectedControllers());

        net.pingAllPairs(PINGS);
        assertThat(net.vm1.resolve(net.vm2.ip()).get(WAIT_SECONDS, TimeUnit.SECONDS))
                .isEqualTo(M2);
        assertThat(net.vm4.resolve(net.vm3.ip()).get(WAIT_SECONDS, TimeUnit.SECONDS))
                .isEqualTo(M1);

        // nothing was wiped or touched: the same flows and groups, and no flow-mod applied meanwhile
        assertThat(TwoHostNetwork.installedPlan(net.agentA)).isEqualTo(flowsA);
        assertThat(TwoHostNetwork.installedPlan(net.agentB)).isEqualTo(flowsB);
        assertThat(net.agentA.flowModsApplied()).isEqualTo(modsA);
        assertThat(net.agentB.flowModsApplied()).isEqualTo(modsB);
        assertThat(net.agentA.tables().flowCount()).isEqualTo(net.planA.flows().size());
        assertThat(net.agentB.tables().flowCount()).isEqualTo(net.planB.flows().size());
    }

    /** Every VM pings its peer across the tunnel {@link #PINGS} times; all of them are answered. */
}
