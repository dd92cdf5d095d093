package io.portmesh.sharding.service;

import io.portmesh.model.CborSerializable;
import java.util.List;

/**
 * A host as the API shows it: its agents (which one is master and which controller node holds its connection),
 * the access VLANs in use, the number of flows installed on the master agent and the flow-mods this controller
 * incarnation of the host has sent (zero after a restart that found every flow right).
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
        long flowModsSent)
        implements CborSerializable {

    /** One OpenFlow connection from an agent slot to a controller node. */
    public record AgentInfo(String slot, String dpid, String node, String role, String remoteAddress)
            implements CborSerializable {}
}
