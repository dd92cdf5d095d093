package io.portmesh.openflow;

import java.util.Objects;
import org.projectfloodlight.openflow.protocol.OFControllerRole;
import org.projectfloodlight.openflow.protocol.OFControllerRoleReason;

/**
 * A switch telling this controller that its role changed without being asked: the ONF extension ROLE_STATUS of
 * OpenFlow 1.3 (experimenter {@code 0x4F4E4600}, exp_type 1911, the body of OpenFlow 1.4's OFPT_ROLE_STATUS), which
 * Open vSwitch sends to the old master when another connection becomes master. Delivered through {@link
 * OfMessageListener#onRoleStatus}.
 *
 * @param role the role this connection has now (EQUAL, MASTER or SLAVE)
 * @param reason why it changed: another controller's role request, the switch's configuration, or an experimenter
 * @param generationId the generation id of the request that caused it (unsigned; the switch's largest seen so far)
 */
public record OfRoleStatus(OFControllerRole role, OFControllerRoleReason reason, long generationId) {
    public OfRoleStatus {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(reason, "reason");
    }
}
