package io.portmesh.agent.control;

import io.portmesh.openflow.OfConnection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.projectfloodlight.openflow.protocol.OFControllerRole;

/**
 * OpenFlow 1.3 controller roles (spec 6.3.7): every connection starts EQUAL; at most one MASTER, whose promotion turns
 * the previous MASTER into SLAVE; MASTER and SLAVE requests carry a generation id that must not go backwards (compared
 * as a signed 64-bit distance), so a stale master that comes back is refused.
 */
final class RoleTable {
    private final Map<OfConnection, OFControllerRole> roles = new ConcurrentHashMap<>();
    private boolean generationSeen;
    private long maxGeneration;

    /** Registers a new connection as EQUAL. */
    void add(OfConnection c) {
        roles.put(c, OFControllerRole.ROLE_EQUAL);
    }

    void remove(OfConnection c) {
        roles.remove(c);
    }

    OFControllerRole roleOf(OfConnection c) {
        return roles.getOrDefault(c, OFControllerRole.ROLE_EQUAL);
    }

    /** May this connection change the switch's state (flow-mods, group-mods, packet-outs)? */
    boolean mayModify(OfConnection c) {
        return roleOf(c) != OFControllerRole.ROLE_SLAVE;
    }

    /** Receives asynchronous messages such as packet-in and flow-removed (port-status goes to everyone). */
    boolean receivesAsync(OfConnection c) {
        return roleOf(c) != OFControllerRole.ROLE_SLAVE;
    }

    Iterable<OfConnection> connections() {
        return roles.keySet();
    }

    /**
     * Applies a role request. Returns false when the generation id is stale (the caller answers
     * ROLE_REQUEST_FAILED/STALE and nothing changes).
     */
    synchronized boolean request(OfConnection c, OFControllerRole role, long generation) {
        if (role == OFControllerRole.ROLE_MASTER || role == OFControllerRole.ROLE_SLAVE) {
            if (generationSeen && generation - maxGeneration < 0) {
                return false;
            }
            generationSeen = true;
            maxGeneration = generation;
        }
        if (role == OFControllerRole.ROLE_NOCHANGE) {
            return true;
        }
        if (role == OFControllerRole.ROLE_MASTER) {
            roles.replaceAll(
                    (other, r) -> other != c && r == OFControllerRole.ROLE_MASTER ? OFControllerRole.ROLE_SLAVE : r);
        }
        roles.put(c, role);
        return true;
    }

    synchronized long generation() {
        return maxGeneration;
    }
}
