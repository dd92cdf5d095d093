package io.portmesh.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** {@code one-master-per-host} on hosts read through the API: a master per slot, never two slots forwarding. */
class HostRolesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A host as {@code GET /v1/hosts/{id}} shows it: slot a's and b's trunk and connections, and each connection's role. */
    static JsonNode host(String trunkA, int connA, String trunkB, int connB, String... roles) throws Exception {
        StringBuilder agents = new StringBuilder();
        for (int i = 0; i < roles.length; i++) {
            String[] slotRole = roles[i].split(":");
            agents.append(i == 0 ? "" : ",")
                    .append("{\"slot\":\"%s\",\"role\":\"%s\"}".formatted(slotRole[0], slotRole[1]));
        }
        return JSON.readTree(("{\"activeSlot\":\"a\",\"slots\":[{\"slot\":\"a\",\"trunk\":\"%s\",\"connections\":%d},"
                        + "{\"slot\":\"b\",\"trunk\":\"%s\",\"connections\":%d}],\"agents\":[%s]}")
                .formatted(trunkA, connA, trunkB, connB, agents));
    }

    @Test
    void aPairWithAMasterPerSlotAndOneTrunkUpHoldsIt() throws Exception {
        JsonNode h = host("up", 3, "down", 3, "a:MASTER", "a:SLAVE", "a:SLAVE", "b:MASTER", "b:SLAVE", "b:SLAVE");
        assertThat(HostRoles.violations("h1", h, 10)).isEmpty();
    }

    @Test
    void twoMastersOfOneSlotOrTwoSlotsForwardingBreakIt() throws Exception {
        assertThat(HostRoles.violations("h1", host("up", 2, "down", 1, "a:MASTER", "a:MASTER", "b:MASTER"), 10))
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.invariant()).isEqualTo(Invariants.MASTERS);
                    assertThat(v.what()).isEqualTo("2 MASTER connections of slot a");
                    assertThat(v.where()).isEqualTo("host h1");
                });
        assertThat(HostRoles.violations("h1", host("up", 1, "up", 1, "a:MASTER", "b:MASTER"), 10))
                .singleElement()
                .satisfies(v -> assertThat(v.what()).startsWith("slots [a, b] both forwarding"));
    }

    @Test
    void aDeadAgentsLastConfirmedTrunkForwardsNothing() throws Exception {
        // slot a was killed: its trunk still reads up as last confirmed, but it has no connection left
        assertThat(HostRoles.violations("h1", host("up", 0, "up", 3, "b:MASTER", "b:SLAVE", "b:SLAVE"), 10))
                .isEmpty();
    }
}
