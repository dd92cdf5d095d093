package io.portmesh.openflow.plan;

import io.portmesh.model.flow.DatapathPorts;
import io.portmesh.openflow.OpenFlowBytes;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFPortConfig;
import org.projectfloodlight.openflow.protocol.OFPortDesc;
import org.projectfloodlight.openflow.protocol.OFPortDescStatsReply;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFPort;

/**
 * The VM trunk's administrative state as bytes between a Host entity and its agents' sessions (docs/architecture.md
 * section 7.2): read from a port description reply, set by a PORT_MOD. Only the active agent of a host has its trunk
 * up; the standby holds the same flows with its trunk down.
 */
public final class TrunkWire {
    private static final OFFactory OF13 = OFFactories.getFactory(OFVersion.OF_13);

    /**
     * The trunk port as the agent described it. {@code hwAddr}: its hardware address, which a PORT_MOD must repeat
     * (Open vSwitch refuses one that does not match with BAD_HW_ADDR).
     */
    public record Trunk(boolean adminUp, long hwAddr) {}

    private TrunkWire() {}

    /**
     * The trunk ({@link DatapathPorts#TRUNK}) in port description reply bytes ({@link OpenFlowBytes#encode}), or empty
     * when the switch has no such port.
     *
     * @throws IllegalArgumentException when the bytes are not OpenFlow
     */
    public static Optional<Trunk> decode(byte[] portDesc) {
        if (portDesc == null) {
            return Optional.empty();
        }
        return OpenFlowBytes.decode(portDesc, OFPortDescStatsReply.class).stream()
                .flatMap(r -> r.getEntries().stream())
                .filter(p -> p.getPortNo().getPortNumber() == DatapathPorts.TRUNK)
                .findFirst()
                .map(TrunkWire::trunkOf);
    }

    private static Trunk trunkOf(OFPortDesc p) {
        return new Trunk(
                !p.getConfig().contains(OFPortConfig.PORT_DOWN), p.getHwAddr().getLong());
    }

    /** A PORT_MOD that brings the trunk up or down (only the PORT_DOWN bit is masked: nothing else changes). */
    public static byte[] portMod(long hwAddr, boolean up) {
        return OpenFlowBytes.encode(List.of(OF13.buildPortMod()
                .setXid(0)
                .setPortNo(OFPort.of(DatapathPorts.TRUNK))
                .setHwAddr(MacAddress.of(hwAddr))
                .setConfig(up ? Set.of() : Set.of(OFPortConfig.PORT_DOWN))
                .setMask(Set.of(OFPortConfig.PORT_DOWN))
                .setAdvertise(0L)
                .build()));
    }

    /** Whether these bytes are one of {@link #portMod}'s, and which way (tests, logs). Empty when they are not. */
    public static Optional<Boolean> readPortMod(byte[] bytes) {
        return OpenFlowBytes.decode(bytes, org.projectfloodlight.openflow.protocol.OFPortMod.class).stream()
                .filter(m -> m.getPortNo().getPortNumber() == DatapathPorts.TRUNK)
                .findFirst()
                .map(m -> !m.getConfig().contains(OFPortConfig.PORT_DOWN));
    }
}
