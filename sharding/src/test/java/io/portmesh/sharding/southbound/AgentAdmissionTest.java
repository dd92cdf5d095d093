package io.portmesh.sharding.southbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.HostId;
import io.portmesh.openflow.tls.CertifiedAgent;
import io.portmesh.sharding.southbound.AgentAdmission.Refusal;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Whose word makes an agent's identity: its description over plain TCP, its certificate with TLS. */
class AgentAdmissionTest {
    private static final String SUBJECT = "CN=agent:h-1:a,O=Portmesh";
    private static final Optional<CertifiedAgent> H1_A = Optional.of(CertifiedAgent.of("h-1", "a"));

    @Test
    void plainTcpTakesTheDescriptionsWord() {
        AgentAdmission plain = new AgentAdmission(false);
        assertThat(plain.admit("portmesh host=h-1 slot=b tep=10.0.0.1", Optional.empty())
                        .identity())
                .contains(new AgentIdentity(HostId.of("h-1"), "b", "10.0.0.1"));
        AgentAdmission.Verdict none = plain.admit("Open vSwitch", Optional.empty());
        assertThat(none.identity()).isEmpty();
        assertThat(none.refusal()).isEqualTo(Refusal.NO_DESCRIPTION);
        assertThat(none.why()).contains("'Open vSwitch'");
    }

    @Test
    void withTlsADescriptionThatAgreesWithTheCertificateIsAdmittedWithItsTunnelEndpoint() {
        assertThat(AgentAdmission.certified("portmesh host=h-1 slot=a tep=10.0.0.1", H1_A, SUBJECT)
                        .identity())
                .contains(new AgentIdentity(HostId.of("h-1"), "a", "10.0.0.1"));
    }

    @Test
    void withTlsAnotherHostOrSlotThanTheCertificatesIsRefusedAsIdentityMismatch() {
        AgentAdmission.Verdict host = AgentAdmission.certified("portmesh host=h-2 slot=a", H1_A, SUBJECT);
        assertThat(host.identity()).isEmpty();
        assertThat(host.refusal()).isEqualTo(Refusal.IDENTITY_MISMATCH);
        assertThat(host.why()).contains("portmesh:agent:h-1:a").contains("host=h-2 slot=a");

        AgentAdmission.Verdict slot = AgentAdmission.certified("portmesh host=h-1 slot=b", H1_A, SUBJECT);
        assertThat(slot.refusal()).isEqualTo(Refusal.IDENTITY_MISMATCH);
    }

    @Test
    void withTlsAPortmeshClaimThatDoesNotParseIsRefusedNotTakenForSilence() {
        AgentAdmission.Verdict v = AgentAdmission.certified("portmesh host=h-2 slot=a tep=bad", H1_A, SUBJECT);
        assertThat(v.identity()).isEmpty();
        assertThat(v.refusal()).isEqualTo(Refusal.IDENTITY_MISMATCH);
        assertThat(v.why()).contains("does not parse");
    }

    @Test
    void withTlsACertificateNamingNoAgentIsRefusedWhateverTheDescriptionSays() {
        AgentAdmission.Verdict v =
                AgentAdmission.certified("portmesh host=h-1 slot=a", Optional.empty(), "CN=node-1,O=Portmesh");
        assertThat(v.identity()).isEmpty();
        assertThat(v.refusal()).isEqualTo(Refusal.NO_IDENTITY);
        assertThat(v.why()).contains("CN=node-1");
    }

    @Test
    void withTlsADescriptionWithoutIdentityTakesTheCertificatesWord() {
        // a stock Open vSwitch with an agent certificate: no tunnel endpoint known
        assertThat(AgentAdmission.certified("Open vSwitch", H1_A, SUBJECT).identity())
                .contains(new AgentIdentity(HostId.of("h-1"), "a"));
    }

    @Test
    void withTlsNoCertificateIsRefused() {
        AgentAdmission.Verdict v = new AgentAdmission(true).admit("portmesh host=h-1 slot=a", Optional.empty());
        assertThat(v.identity()).isEmpty();
        assertThat(v.refusal()).isEqualTo(Refusal.NO_CERTIFICATE);
    }
}
