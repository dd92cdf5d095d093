package io.portmesh.openflow.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portmesh.model.HostId;
import org.junit.jupiter.api.Test;

/** The one encoding of an agent's identity in its certificate, both ways. */
class CertifiedAgentTest {
    @Test
    void encodesAsAUriAndACommonNameAndParsesTheUriBack() {
        CertifiedAgent a = CertifiedAgent.of("host-1.rack_2", "b");
        assertThat(a.uri()).isEqualTo("portmesh:agent:host-1.rack_2:b");
        assertThat(a.commonName()).isEqualTo("agent:host-1.rack_2:b");
        assertThat(CertifiedAgent.parseUri(a.uri())).contains(new CertifiedAgent(HostId.of("host-1.rack_2"), "b"));
    }

    @Test
    void otherUrisNameNoAgent() {
        assertThat(CertifiedAgent.parseUri("https://host-1")).isEmpty();
        assertThat(CertifiedAgent.parseUri("portmesh:agent:host-1"))
                .as("no slot")
                .isEmpty();
        assertThat(CertifiedAgent.parseUri("portmesh:agent:host-1:c"))
                .as("no such slot")
                .isEmpty();
        assertThat(CertifiedAgent.parseUri("portmesh:agent::a")).as("no host").isEmpty();
        assertThat(CertifiedAgent.parseUri("portmesh:agent:h:st:a"))
                .as("':' is no host character")
                .isEmpty();
        assertThat(CertifiedAgent.parseUri(null)).isEmpty();
    }

    @Test
    void aBadHostOrSlotIsRefusedWhenIssuing() {
        assertThatThrownBy(() -> CertifiedAgent.of("host 1", "a"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("host 1");
        assertThatThrownBy(() -> CertifiedAgent.of("h", "c")).hasMessageContaining("slot must be a or b");
    }
}
