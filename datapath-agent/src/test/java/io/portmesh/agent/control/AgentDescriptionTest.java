package io.portmesh.agent.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.openflow.OfConnection;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The datapath description names the agent's host, slot and tunnel endpoint ({@code tep=}), which the controller needs
 * to tell the two agents of a host apart and to point peers at the active one.
 */
class AgentDescriptionTest {
    @Test
    void describeNamesTheIpv4TunnelEndpoint() throws Exception {
        assertThat(AgentDescription.describe("esx-1", "b", InetAddress.getByName("127.0.1.2")))
                .isEqualTo("portmesh host=esx-1 slot=b tep=127.0.1.2");
    }

    @Test
    void describeLeavesTheEndpointOutForAWildcardAnIpv6OrNoAddress() throws Exception {
        assertThat(AgentDescription.describe("esx-1", "a", InetAddress.getByName("0.0.0.0")))
                .isEqualTo("portmesh host=esx-1 slot=a");
        assertThat(AgentDescription.describe("esx-1", "a", InetAddress.getByName("::1")))
                .isEqualTo("portmesh host=esx-1 slot=a");
        assertThat(AgentDescription.describe("esx-1", "a", null)).isEqualTo("portmesh host=esx-1 slot=a");
    }

    @Test
    void anAgentAnnouncesItsVxlanBindAddressInTheDescriptionItSendsTheController() throws Exception {
        try (ScriptedController ctl = new ScriptedController();
                DatapathAgent agent = DatapathAgent.start(
                        TestAgents.settings("esx-7", 0, List.of(ctl.hostPort()), "127.0.1.2", 0, 4789))) {
            OfConnection c = ctl.awaitConnection();
            assertThat(c.switchInfo().orElseThrow().dpDesc())
                    .isEqualTo("portmesh host=esx-7 slot=a tep=127.0.1.2")
                    .isEqualTo(agent.description());
        }
    }

    @Test
    void anAgentBoundToTheWildcardAddressAnnouncesNoEndpoint() throws Exception {
        try (ScriptedController ctl = new ScriptedController();
                DatapathAgent agent = DatapathAgent.start(
                        TestAgents.settings("esx-8", 0, List.of(ctl.hostPort()), "0.0.0.0", 0, 4789))) {
            OfConnection c = ctl.awaitConnection();
            assertThat(c.switchInfo().orElseThrow().dpDesc())
                    .isEqualTo("portmesh host=esx-8 slot=a")
                    .isEqualTo(agent.description());
        }
    }
}
