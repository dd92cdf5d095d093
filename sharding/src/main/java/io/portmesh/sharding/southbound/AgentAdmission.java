package io.portmesh.sharding.southbound;

import io.portmesh.openflow.tls.CertifiedAgent;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * Who an agent connection is, or why it is refused, once its OpenFlow handshake is done. Over plain TCP the agent is
 * who its datapath description says ({@link AgentIdentity}): anything that reaches the port can claim any host. With
 * TLS the identity is its certificate's ({@link CertifiedAgent}), which the handshake checked against the deployment
 * CA; the description may still say it (and gives the tunnel endpoint), but naming another host or slot than the
 * certificate refuses the connection.
 */
public final class AgentAdmission {
    /** Why a connection is refused; {@link #label()} is the metric label and the log's word. */
    public enum Refusal {
        /** Plain TCP and a description without {@code portmesh host=<id> slot=<a|b>}. */
        NO_DESCRIPTION("no-description"),
        /** TLS and no client certificate (only when the server did not require one). */
        NO_CERTIFICATE("no-certificate"),
        /** A certificate of the CA that names no agent (a controller node's, or one with two identities). */
        NO_IDENTITY("no-identity"),
        /** The description names another host or slot than the certificate. */
        IDENTITY_MISMATCH("identity-mismatch"),
        /** The host pins its slot's agent key and this certificate's is another (or there is none). */
        PINNED_KEY_MISMATCH("pinned-key-mismatch"),
        /** The host pins its slot's datapath id and this connection is from another datapath. */
        DPID_MISMATCH("dpid-mismatch"),
        /** The host pins agents, but not this connection's slot: a pinned host has agents in its pinned slots only. */
        SLOT_NOT_PINNED("slot-not-pinned");

        private final String label;

        Refusal(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** Either an identity or a refusal with a sentence for the log. */
    public record Verdict(Optional<AgentIdentity> identity, Refusal refusal, String why) {
        static Verdict admit(AgentIdentity identity) {
            return new Verdict(Optional.of(identity), null, null);
        }

        static Verdict refuse(Refusal refusal, String why) {
            return new Verdict(Optional.empty(), refusal, why);
        }
    }

    private final boolean certificatesRequired;

    /** @param certificatesRequired TLS is on: the identity is the certificate's */
    public AgentAdmission(boolean certificatesRequired) {
        this.certificatesRequired = certificatesRequired;
    }

    public Verdict admit(String dpDesc, Optional<X509Certificate> certificate) {
        if (!certificatesRequired) {
            return AgentIdentity.parse(dpDesc)
                    .map(Verdict::admit)
                    .orElseGet(() -> Verdict.refuse(
                            Refusal.NO_DESCRIPTION,
                            "its dp_desc '" + dpDesc + "' does not say 'portmesh host=<id> slot=<a|b>'"));
        }
        if (certificate.isEmpty()) {
            return Verdict.refuse(Refusal.NO_CERTIFICATE, "it presented no certificate");
        }
        return certified(
                dpDesc,
                CertifiedAgent.of(certificate.get()),
                certificate.get().getSubjectX500Principal().getName());
    }

    /** The TLS case once the certificate is read: {@code certified} is what it names, {@code subject} its subject. */
    static Verdict certified(String dpDesc, Optional<CertifiedAgent> certified, String subject) {
        if (certified.isEmpty()) {
            return Verdict.refuse(
                    Refusal.NO_IDENTITY,
                    "its certificate (" + subject + ") names no agent (no URI " + CertifiedAgent.URI_PREFIX
                            + "<host>:<slot>)");
        }
        CertifiedAgent agent = certified.get();
        Optional<AgentIdentity> claimed = AgentIdentity.parse(dpDesc);
        if (claimed.isEmpty()) {
            if (dpDesc != null && dpDesc.contains("portmesh host=")) {
                // a Portmesh claim that does not parse (another host with a bad tep, say): refused like a wrong one,
                // not admitted under the certificate's name as if it said nothing
                return Verdict.refuse(
                        Refusal.IDENTITY_MISMATCH,
                        "its certificate is " + agent + " but its dp_desc '" + dpDesc + "' is a claim that does not"
                                + " parse");
            }
            // not a Portmesh agent's description (a stock Open vSwitch with a certificate): the certificate says who
            return Verdict.admit(new AgentIdentity(agent.host(), agent.slot()));
        }
        AgentIdentity said = claimed.get();
        if (!said.host().equals(agent.host()) || !said.slot().equals(agent.slot())) {
            return Verdict.refuse(
                    Refusal.IDENTITY_MISMATCH,
                    "its certificate is " + agent + " but its dp_desc claims host=" + said.host() + " slot="
                            + said.slot());
        }
        return Verdict.admit(said);
    }
}
