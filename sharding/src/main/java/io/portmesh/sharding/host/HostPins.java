package io.portmesh.sharding.host;

import io.portmesh.model.AgentPin;
import io.portmesh.sharding.southbound.AgentAdmission;
import io.portmesh.sharding.southbound.SessionCommand;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Whether a host's registration lets an agent connection in (docs/architecture.md section 13.1). The listener has
 * already admitted it by its certificate or description; here the host, which alone knows its pins, refuses a
 * connection of a pinned slot whose certificate key or datapath id is not the pinned one, and, once it pins any slot,
 * every connection of a slot it does not pin: pinning slot a alone must not leave slot b open to any certificate of
 * the CA, whose agent would get the plan and, never acknowledging, hold every {@code ?wait=realized} of the host. It
 * runs before the connection is known to the host, so a refused one never takes part in mastership.
 */
final class HostPins {
    private HostPins() {}

    /**
     * The refusal of a connection of {@code slot} presenting {@code keySha256} (null: no certificate) and
     * {@code dpid}, or empty when the host pins nothing at all or the slot's pin fits.
     */
    static Optional<SessionCommand.Refuse> refusal(HostState s, String slot, String keySha256, String dpid) {
        if (s.pins().isEmpty()) {
            return Optional.empty();
        }
        String agent = "agent of host " + s.id() + " slot " + slot;
        AgentPin pin = s.pins().get(slot);
        if (pin == null) {
            return Optional.of(new SessionCommand.Refuse(
                    AgentAdmission.Refusal.SLOT_NOT_PINNED.label(),
                    agent + ": the host pins only slot(s) "
                            + String.join(", ", new TreeSet<>(s.pins().keySet()))
                            + " (pin this slot too if it has an agent)"));
        }
        if (!pin.keyMatches(keySha256)) {
            return Optional.of(new SessionCommand.Refuse(
                    AgentAdmission.Refusal.PINNED_KEY_MISMATCH.label(),
                    agent + " presents "
                            + (keySha256 == null
                                    ? "no certificate"
                                    : "a certificate with public key SHA-256 " + keySha256)
                            + "; the host pins " + pin.publicKeySha256()));
        }
        if (!pin.dpidMatches(dpid)) {
            return Optional.of(new SessionCommand.Refuse(
                    AgentAdmission.Refusal.DPID_MISMATCH.label(),
                    agent + " is datapath " + dpid + "; the host pins " + pin.dpid()));
        }
        return Optional.empty();
    }
}
