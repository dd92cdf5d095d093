package io.portmesh.sharding.service;

import io.portmesh.model.AgentPin;
import io.portmesh.model.CborSerializable;
import java.util.List;
import java.util.Map;

/**
 * A host as the API shows it: its agents (which one is master and which controller node holds its connection),
 * the access VLANs in use, the number of flows installed on the master agent and the flow-mods this controller
 * incarnation of the host has sent (zero after a restart that found every flow right), and what its registration
 * pins of its agents.
 */
public record HostInfo(
        String id,
        String tunnelIp,
        List<AgentInfo> agents,
        int vlansUsed,
        int flowsDesired,
        int flowsInstalled,
        long masterGeneration,
        boolean realized,
        long flowModsSent,
        String activeSlot,
        List<SlotInfo> slots,
        Map<String, AgentPin> pins)
        implements CborSerializable {

    /** @param pins what the registration pins of each slot's agent (docs/architecture.md section 13.1) */
    public HostInfo {
        slots = slots == null ? List.of() : List.copyOf(slots);
        pins = pins == null ? Map.of() : Map.copyOf(pins);
    }

    /** A host as the read side lists it, with nothing of its runtime state. */
    public HostInfo(
            String id,
            String tunnelIp,
            List<AgentInfo> agents,
            int vlansUsed,
            int flowsDesired,
            int flowsInstalled,
            long masterGeneration,
            boolean realized,
            long flowModsSent) {
        this(
                id,
                tunnelIp,
                agents,
                vlansUsed,
                flowsDesired,
                flowsInstalled,
                masterGeneration,
                realized,
                flowModsSent,
                "a",
                List.of(),
                Map.of());
    }

    /**
     * One switch VM of the host (docs/architecture.md section 7.2): its tunnel endpoint (null while it never said),
     * whether it is the active one, its trunk as the agent confirmed it ({@code up}, {@code down}, {@code unknown}),
     * how many controller nodes it is connected to, and whether it holds the plan.
     */
    public record SlotInfo(
            String slot, String tunnelIp, boolean active, String trunk, int connections, boolean holdsPlan)
            implements CborSerializable {}

    /** One OpenFlow connection from an agent slot to a controller node. */
    public record AgentInfo(String slot, String dpid, String node, String role, String remoteAddress)
            implements CborSerializable {}
}
