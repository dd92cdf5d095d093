package io.portmesh.agent.io;

/**
 * A point-in-time copy of one port's counters, in the shape of OpenFlow 1.3 port stats.
 *
 * <p>Packets and bytes count Ethernet frames that crossed the port (the inner frame for VXLAN, without the outer
 * headers). Frames refused for a reason that is not the peer's fault (port administratively down, no endpoint for a
 * VLAN, no tunnel destination) are {@code dropped}; frames that could not be parsed (malformed VXLAN, untagged frame
 * on the trunk) or socket failures are {@code errors}.
 */
public record PortStats(
        long rxPackets,
        long txPackets,
        long rxBytes,
        long txBytes,
        long rxDropped,
        long txDropped,
        long rxErrors,
        long txErrors) {}
