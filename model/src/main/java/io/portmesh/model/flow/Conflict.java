package io.portmesh.model.flow;

import io.portmesh.model.PortId;
import io.portmesh.model.Vni;
import java.util.Comparator;

/**
 * An input that a host's plan leaves out because it conflicts with another, and which one it yielded to. The rules
 * that choose are in {@link FlowCompiler}'s description; {@link FlowCompiler#compileWithConflicts} and
 * {@link PlanSlice#conflicts} list the conflicts of the same inputs alike. A conflict is never thrown: the plan is
 * made without the input, and the Host entity counts and logs it.
 *
 * @param kind the rule that left the input out
 * @param vni the VNI of the input left out
 * @param port the port left out (a local port or a remote member); null for {@link Kind#FLOOD_LIMIT}
 * @param heldBy the port that keeps what {@code port} wanted (its VLAN, its MAC, its port id); null for
 *     {@link Kind#LOCAL_LIMIT}, {@link Kind#FLOOD_LIMIT} and {@link Kind#OTHER_VNI}
 */
public record Conflict(Kind kind, Vni vni, PortId port, PortId heldBy) {
    /** The order in which conflicts are listed: by VNI, kind, port, and the port that holds. */
    public static final Comparator<Conflict> ORDER = Comparator.comparing(Conflict::vni)
            .thenComparing(Conflict::kind)
            .thenComparing(Conflict::port, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(Conflict::heldBy, Comparator.nullsFirst(Comparator.naturalOrder()));

    public enum Kind {
        /** A local port whose VLAN a local port of the host with a smaller port id holds: left out whole. */
        LOCAL_VLAN,
        /** A local port whose MAC a local port of its VNI with a smaller port id holds: left out whole. */
        LOCAL_MAC,
        /**
         * A local port past the {@link FlowCompiler#MAX_LOCAL_PORTS_PER_SWITCH} first of its VNI (by port id): left out
         * whole.
         */
        LOCAL_LIMIT,
        /** A remote member whose MAC a local port of the VNI holds: no flow to it, and its host floods no more. */
        REMOTE_MAC_LOCAL,
        /** A remote member whose MAC a remote member of the VNI with a smaller port id holds: left out. */
        REMOTE_MAC,
        /** Another, different entry for a remote member already given (same VNI, same port id): left out. */
        REMOTE_PORT_TWICE,
        /**
         * More remote hosts in a VNI than its flood-to-tunnel groups can hold ({@link FlowCompiler#MAX_FLOOD_HOSTS}):
         * the hosts past the limit, by address, are left out of the flood (their members keep their unicast flows).
         */
        FLOOD_LIMIT,
        /** A port given to the {@link PlanSlice} of another VNI: ignored ({@code vni} is the port's own). */
        OTHER_VNI
    }

    @Override
    public String toString() {
        String what = switch (kind) {
            case LOCAL_VLAN -> "local port " + port + " left out: its VLAN is local port " + heldBy + "'s";
            case LOCAL_MAC -> "local port " + port + " left out: its MAC is local port " + heldBy + "'s";
            case LOCAL_LIMIT ->
                "local port " + port + " left out: more than " + FlowCompiler.MAX_LOCAL_PORTS_PER_SWITCH
                        + " local ports";
            case REMOTE_MAC_LOCAL -> "remote member " + port + " left out: its MAC is local port " + heldBy + "'s";
            case REMOTE_MAC -> "remote member " + port + " left out: its MAC is remote member " + heldBy + "'s";
            case REMOTE_PORT_TWICE -> "remote member " + port + " given twice: one entry left out";
            case FLOOD_LIMIT ->
                "more than " + FlowCompiler.MAX_FLOOD_HOSTS + " remote hosts: those past it left out of the flood";
            case OTHER_VNI -> "port " + port + " given to the plan of another VNI: ignored";
        };
        return "VNI " + vni + ": " + what;
    }
}
