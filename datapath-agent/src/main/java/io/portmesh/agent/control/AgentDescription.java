package io.portmesh.agent.control;

import java.net.Inet4Address;
import java.net.InetAddress;

/** Who an agent says it is on OpenFlow: its datapath description, and its datapath id when none is configured. */
public final class AgentDescription {
    private AgentDescription() {}

    /**
     * The datapath description that tells the controller which host and slot this agent is, and which tunnel endpoint
     * it is: {@code portmesh host=<id> slot=<a|b> tep=<ipv4>}. The two agents of a host have one endpoint each, and
     * OpenFlow has no field for it; the controller must know it to point peers at the active one. {@code tep=} is left
     * out when there is no single IPv4 address to name (a wildcard bind, IPv6, or none).
     */
    public static String describe(String host, String slot, InetAddress tep) {
        String base = "portmesh host=" + host + " slot=" + slot;
        return tep instanceof Inet4Address v4 && !v4.isAnyLocalAddress() ? base + " tep=" + v4.getHostAddress() : base;
    }

    /** A datapath id of 48 bits from host and slot, stable across restarts (when {@code portmesh.agent.dpid} is 0). */
    static long derivedDpid(String host, String slot) {
        long h = 1125899906842597L;
        for (char ch : (host + "/" + slot).toCharArray()) {
            h = 31 * h + ch;
        }
        return h & 0x0000_FFFF_FFFF_FFFFL;
    }
}
