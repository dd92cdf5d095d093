package io.portmesh.agent.control;

import java.net.InetSocketAddress;
import java.util.List;
import org.projectfloodlight.openflow.protocol.OFControllerRole;

/**
 * The agent's controller connections as its role table holds them at one instant, and what each controller address
 * did since the agent started (over all its connections): for tests that watch mastership, and for diagnostics.
 *
 * @param generation the largest generation id granted so far (-1 before any)
 * @param controllers one per controller address the agent ever connected to
 */
public record ControllerRoles(long generation, List<Controller> controllers) {
    /**
     * @param address the controller's OpenFlow address
     * @param role the connection's role now; null while not connected
     * @param roleGeneration the generation id its role was granted with (-1: none yet, or not connected)
     * @param changesApplied flow-mods, group-mods, port-mods and packet-outs applied from it
     * @param changesAppliedBehind of those, applied while its role had been granted with a generation older than the
     *     newest the agent had seen (OpenFlow 1.3 orders role requests only: a MASTER stays MASTER until another
     *     connection's MASTER request arrives, even after a newer SLAVE request raised the generation)
     * @param changesAppliedAsEqual of those, applied while the connection was EQUAL (no role requested yet)
     * @param refusedAsSlave changes refused with IS_SLAVE
     * @param staleRoleRequests MASTER/SLAVE requests refused as stale (an older generation than one seen)
     * @param masterGrants MASTER requests granted
     */
    public record Controller(
            InetSocketAddress address,
            OFControllerRole role,
            long roleGeneration,
            long changesApplied,
            long changesAppliedBehind,
            long changesAppliedAsEqual,
            long refusedAsSlave,
            long staleRoleRequests,
            long masterGrants) {
        public boolean isMaster() {
            return role == OFControllerRole.ROLE_MASTER;
        }
    }

    /** How many connections are MASTER (the role table allows at most one). */
    public long masters() {
        return controllers.stream().filter(Controller::isMaster).count();
    }
}
