package io.portmesh.agent.control;

import io.portmesh.openflow.OfConnection;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.projectfloodlight.openflow.protocol.OFControllerRole;

/**
 * Who may do what on the agent's OpenFlow connections.
 *
 * <p><b>Controller connections</b> (the agent dials its configured controllers) follow the OpenFlow 1.3 roles (spec
 * 6.3.7): each starts EQUAL; at most one is MASTER, and a new master turns the previous one into SLAVE; MASTER and
 * SLAVE requests carry a generation id that must not go backwards (compared as a signed 64-bit distance), so a stale
 * master that comes back is refused. <b>An EQUAL connection whose role request is refused as stale becomes SLAVE</b>
 * until one of its role requests succeeds: the spec leaves its role unchanged, but a controller that has lost track of
 * the generation must not write as EQUAL. A MASTER or SLAVE keeps its role, as the spec says: a MASTER that is
 * refused is still the newest master granted (a newer one would have made it SLAVE already), and its refused request
 * is only an older one overtaken on the way; demoting it made the current master's pushes fail with IS_SLAVE under
 * load (bind benchmark, 2026-12-06). A refused controller reads the current generation from the reply to a NOCHANGE
 * request (every role reply carries the largest generation id seen) and may then ask again with a newer one.
 *
 * <p><b>Listen-port connections</b> (ovs-ofctl, a lab controller) are EQUAL and stay out of mastership: their MASTER and
 * SLAVE requests are refused ({@link Outcome#UNSUPPORTED}), so they never move the generation id, never demote the
 * master and cannot lock the controllers out. Whether they may change state is their {@link ListenAccess}.
 *
 * <p>Called on the agent's control thread; the map is concurrent only so that other threads may iterate it.
 */
final class RoleTable {
    /** The answer to a role request. */
    enum Outcome {
        GRANTED,
        /** The generation id is older than one already seen: ROLE_REQUEST_FAILED/STALE. */
        STALE,
        /** A listen-port connection asked for MASTER or SLAVE: ROLE_REQUEST_FAILED/UNSUP. */
        UNSUPPORTED
    }

    /** MASTER grants kept for {@link #masterGrants()}: the newest this many. */
    static final int GRANTS_KEPT = 256;

    /**
     * A connection's standing; {@code access} is null for controller connections; {@code generation} is the generation
     * id of its last granted MASTER or SLAVE request (-1 before any); {@code mastership} its last MASTER grant (null
     * before any).
     */
    private record Member(OFControllerRole role, ListenAccess access, long generation, MasterGrant mastership) {
        Member withRole(OFControllerRole newRole) {
            return new Member(newRole, access, generation, mastership);
        }

        Member withRole(OFControllerRole newRole, long newGeneration) {
            return new Member(newRole, access, newGeneration, mastership);
        }
    }

    /** What each controller address did on this agent, over all its connections (bounded: one per controller). */
    private static final class Counts {
        long applied;
        long appliedBehind;
        long appliedAsEqual;
        long refusedAsSlave;
        long staleRequests;
        long masterGrants;
    }

    private final Map<OfConnection, Member> members = new ConcurrentHashMap<>();
    private final Deque<MasterGrant> grants = new ArrayDeque<>();
    private final Map<SocketAddress, Counts> counts = new ConcurrentHashMap<>();
    private boolean generationSeen;
    private long maxGeneration;

    /** Registers a connection the agent opened to a controller, as EQUAL. */
    void addController(OfConnection c) {
        members.put(c, new Member(OFControllerRole.ROLE_EQUAL, null, -1, null));
        counts.computeIfAbsent(c.remoteAddress(), a -> new Counts());
    }

    /** Registers a connection accepted on the listen port, as EQUAL with {@code access}. */
    void addListener(OfConnection c, ListenAccess access) {
        members.put(c, new Member(OFControllerRole.ROLE_EQUAL, access, -1, null));
    }

    void remove(OfConnection c) {
        members.remove(c);
    }

    /** A connection not (or no longer) registered reads as SLAVE: it gets nothing it should not. */
    OFControllerRole roleOf(OfConnection c) {
        Member m = members.get(c);
        return m == null ? OFControllerRole.ROLE_SLAVE : m.role();
    }

    /** May this connection change the switch's state (flow-mods, group-mods, port-mods, packet-outs)? */
    boolean mayModify(OfConnection c) {
        Member m = members.get(c);
        return m != null && m.role() != OFControllerRole.ROLE_SLAVE && m.access() != ListenAccess.READ_ONLY;
    }

    /** A read-only listen-port connection (refused with EPERM, where a slave is refused with IS_SLAVE). */
    boolean isReadOnly(OfConnection c) {
        Member m = members.get(c);
        return m != null && m.access() == ListenAccess.READ_ONLY;
    }

    /** Receives asynchronous messages such as packet-in and flow-removed (port-status goes to everyone). */
    boolean receivesAsync(OfConnection c) {
        return roleOf(c) != OFControllerRole.ROLE_SLAVE;
    }

    Iterable<OfConnection> connections() {
        return members.keySet();
    }

    /** Applies a role request; only a granted one changes anything but the requester's own role (see class doc). */
    Outcome request(OfConnection c, OFControllerRole role, long generation) {
        Member m = members.get(c);
        if (m == null) {
            return Outcome.UNSUPPORTED; // closed meanwhile
        }
        boolean mastership = role == OFControllerRole.ROLE_MASTER || role == OFControllerRole.ROLE_SLAVE;
        if (mastership && m.access() != null) {
            return Outcome.UNSUPPORTED;
        }
        if (mastership) {
            if (generationSeen && generation - maxGeneration < 0) {
                countsOf(m, c).ifPresent(k -> k.staleRequests++);
                if (m.role() == OFControllerRole.ROLE_EQUAL) {
                    members.put(c, m.withRole(OFControllerRole.ROLE_SLAVE));
                }
                return Outcome.STALE;
            }
            generationSeen = true;
            maxGeneration = generation;
        }
        if (role == OFControllerRole.ROLE_NOCHANGE) {
            return Outcome.GRANTED;
        }
        if (role == OFControllerRole.ROLE_MASTER) {
            members.replaceAll((other, o) -> other != c && o.role() == OFControllerRole.ROLE_MASTER
                    ? o.withRole(OFControllerRole.ROLE_SLAVE)
                    : o);
            countsOf(m, c).ifPresent(k -> k.masterGrants++);
            MasterGrant grant = new MasterGrant(address(c.remoteAddress()), generation, System.nanoTime());
            if (grants.size() == GRANTS_KEPT) {
                grants.removeFirst();
            }
            grants.addLast(grant);
            members.put(c, new Member(role, m.access(), generation, grant));
            return Outcome.GRANTED;
        }
        members.put(c, mastership ? m.withRole(role, generation) : m.withRole(role));
        return Outcome.GRANTED;
    }

    /** The MASTER connection's grant, if a connection is MASTER now. */
    Optional<MasterGrant> master() {
        return members.values().stream()
                .filter(m -> m.role() == OFControllerRole.ROLE_MASTER)
                .map(Member::mastership)
                .findFirst();
    }

    /** The MASTER grants so far, oldest first (the newest {@link #GRANTS_KEPT}). */
    List<MasterGrant> masterGrants() {
        return List.copyOf(grants);
    }

    private static String address(SocketAddress a) {
        return a instanceof InetSocketAddress i ? i.getHostString() + ":" + i.getPort() : String.valueOf(a);
    }

    /**
     * Counts a change (flow-mod, group-mod, port-mod, packet-out) applied from {@code c}: whether its role was granted
     * with a generation behind the newest seen (a MASTER that a newer SLAVE request overtook: OpenFlow orders role
     * requests only, so it still writes until the new master's request arrives), or it was EQUAL.
     */
    void applied(OfConnection c) {
        Member m = members.get(c);
        countsOf(m, c).ifPresent(k -> {
            k.applied++;
            if (m.role() == OFControllerRole.ROLE_EQUAL) {
                k.appliedAsEqual++;
            } else if (m.generation() - maxGeneration < 0) {
                k.appliedBehind++;
            }
        });
    }

    /** Counts a change refused from {@code c} because it is SLAVE (IS_SLAVE). */
    void refusedAsSlave(OfConnection c) {
        countsOf(members.get(c), c).ifPresent(k -> k.refusedAsSlave++);
    }

    private java.util.Optional<Counts> countsOf(Member m, OfConnection c) {
        return m == null || m.access() != null
                ? java.util.Optional.empty()
                : java.util.Optional.ofNullable(counts.get(c.remoteAddress()));
    }

    /** The controller connections as they stand, and what each controller address did (see {@link ControllerRoles}). */
    ControllerRoles controllerRoles() {
        Map<SocketAddress, Member> live = new java.util.HashMap<>();
        members.forEach((c, m) -> {
            if (m.access() == null) {
                live.put(c.remoteAddress(), m);
            }
        });
        List<ControllerRoles.Controller> out = new ArrayList<>();
        counts.forEach((address, k) -> {
            Member m = live.get(address);
            out.add(new ControllerRoles.Controller(
                    address instanceof InetSocketAddress a ? a : null,
                    m == null ? null : m.role(),
                    m == null ? -1 : m.generation(),
                    k.applied,
                    k.appliedBehind,
                    k.appliedAsEqual,
                    k.refusedAsSlave,
                    k.staleRequests,
                    k.masterGrants));
        });
        return new ControllerRoles(generationSeen ? maxGeneration : -1, List.copyOf(out));
    }

    /** The largest generation id granted so far (0 before any): what every role reply carries. */
    long generation() {
        return maxGeneration;
    }
}
