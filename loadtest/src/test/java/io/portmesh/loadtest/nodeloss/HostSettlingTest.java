package io.portmesh.loadtest.nodeloss;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** What a settled host is, from {@code GET /v1/hosts/{id}}: a single agent, and an HA pair. */
class HostSettlingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode pair(String active, String trunkA, boolean planA, String trunkB, boolean planB, int connB)
            throws Exception {
        StringBuilder agents = new StringBuilder();
        for (int i = 0; i < 2; i++) {
            agents.append("{\"slot\":\"a\",\"role\":\"")
                    .append(i == 0 ? "MASTER" : "SLAVE")
                    .append("\"},");
        }
        for (int i = 0; i < connB; i++) {
            agents.append("{\"slot\":\"b\",\"role\":\"")
                    .append(i == 0 ? "MASTER" : "SLAVE")
                    .append("\"},");
        }
        return JSON.readTree(
                """
                {"activeSlot":"%s","realized":true,"flowsInstalled":12,"flowsDesired":12,
                 "slots":[{"slot":"a","trunk":"%s","holdsPlan":%s,"connections":2},
                          {"slot":"b","trunk":"%s","holdsPlan":%s,"connections":%d}],
                 "agents":[%s]}""".formatted(active, trunkA, planA, trunkB, planB, connB, agents.substring(0, agents.length() - 1)));
    }

    @Test
    void aPairIsSettledWithOneSlotActiveAndUpAndTheOtherAReadyStandby() throws Exception {
        assertThat(HostSettling.pair(pair("a", "up", true, "down", true, 2), 2)).isEmpty();
        assertThat(HostSettling.pair(pair("b", "down", true, "up", true, 2), 2))
                .as("after a failover")
                .isEmpty();
    }

    @Test
    void aPairIsNotSettledWhileTheRestartedAgentIsNoReadyStandbyOrMissesANode() throws Exception {
        assertThat(HostSettling.pair(pair("b", "down", false, "up", true, 2), 2))
                .hasValueSatisfying(why -> assertThat(why).contains("slot a not a ready standby"));
        assertThat(HostSettling.pair(pair("a", "up", true, "down", true, 1), 2))
                .hasValueSatisfying(why -> assertThat(why).contains("slot b: 1 connections, 1 master(s)"));
        assertThat(HostSettling.pair(pair("a", "down", true, "down", true, 2), 2))
                .hasValueSatisfying(why -> assertThat(why).contains("active slot a not up with the plan"));
    }

    @Test
    void aSingleAgentNeedsOneMasterAndAConnectionToEachRunningNode() throws Exception {
        JsonNode h = JSON.readTree("""
                {"realized":true,"flowsInstalled":3,"flowsDesired":3,
                 "agents":[{"slot":"a","role":"MASTER"},{"slot":"a","role":"SLAVE"}]}""");
        assertThat(HostSettling.single(h, 2)).isEmpty();
        assertThat(HostSettling.single(h, 3))
                .hasValueSatisfying(why -> assertThat(why).contains("2 connections"));
    }
}
