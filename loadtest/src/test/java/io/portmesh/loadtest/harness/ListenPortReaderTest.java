package io.portmesh.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.portmesh.agent.control.AgentSettings;
import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.model.flow.FlowPlan;
import io.portmesh.openflow.plan.PlanToOpenFlow;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFGroupMod;
import org.projectfloodlight.openflow.protocol.OFVersion;

/**
 * An agent's tables read over OpenFlow on its read-only listen port are what the agent holds, read as the in-JVM check
 * reads them: so flows-converge compares an agent of another JVM with the plan exactly as one of the runner's.
 */
class ListenPortReaderTest {
    @Test
    void readsTheFlowsAndGroupsTheAgentHolds() throws Exception {
        AgentSettings settings = AgentSettings.fromConfig(ConfigFactory.parseString("""
                        portmesh.agent {
                          host = "lp-h1", slot = "a", controllers = ["127.0.0.1:1"]
                          trunk.bind = "127.0.0.1:0", vxlan.bind = "127.0.0.1:0", listen = "127.0.0.1:0"
                        }""")
                .withFallback(ConfigFactory.load())
                .resolve());
        try (DatapathAgent agent = DatapathAgent.start(settings)) {
            FlowPlan plan = LiveState.desired("h1", InvariantsTest.PORTS, InvariantsTest.TEPS);
            PlanToOpenFlow of = new PlanToOpenFlow(OFFactories.getFactory(OFVersion.OF_13));
            plan.groups().values().forEach(g -> agent.tables().apply((OFGroupMod) of.groupAdd(g)));
            plan.flows().values().forEach(f -> agent.tables().apply((OFFlowMod) of.flowAdd(f)));

            FlowPlan read = ListenPortReader.installed(agent.listenAddress().orElseThrow(), Duration.ofSeconds(20));

            assertThat(read.flows())
                    .isNotEmpty()
                    .isEqualTo(LiveState.installed(agent).flows());
            assertThat(read.groups())
                    .isNotEmpty()
                    .isEqualTo(LiveState.installed(agent).groups());
            assertThat(Invariants.flows("h1", plan, read, 0)).isEmpty();
        }
    }
}
