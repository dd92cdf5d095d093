package io.portmesh.openflow.plan;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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
                .filter(TrunkWire::isTrunk)
                .findFirst()
                .map(TrunkWire::trunkOf);
    }

    /** Whether a port description is the trunk's ({@link DatapathPorts#TRUNK}). */
    public static boolean isTrunk(OFPortDesc p) {
        return p.getPortNo().getPortNumber() == DatapathPorts.TRUNK;
    }

    /** A port description (a reply's entry, or an OFPT_PORT_STATUS's) read as the trunk's state. */
    public static Trunk trunkOf(OFPortDesc p) {
        return new Trunk(
                !p.getConfig().contains(OFPortConfig.PORT_DOWN), p.getHwAddr().getLong());
    }

    /**
     * Experimenter id of Portmesh's own OFPT_EXPERIMENTER messages ("PMSH"; not an IEEE OUI, whose high byte is 0, so
     * it cannot collide with an assigned one).
     */
    public static final long PORTMESH_EXPERIMENTER = 0x504D5348L;
    /** exp_type of the activation: 8 bytes of data, the epoch the next trunk-up of this agent stands for. */
    public static final long EXP_ACTIVATION = 1;

    private static final int OFPT_EXPERIMENTER = 4;
    private static final int ACTIVATION_LENGTH = 8 + 8 + 8;

    /**
     * Tells an agent of an HA pair the epoch of its activation (HostState.endpointEpoch, persisted with every change of
     * the active slot), sent just before the PORT_MOD that brings its trunk up: the agent carries the epoch in its
     * heartbeats to the other agent of its host, and the one of the two that is up with the older epoch takes its
     * trunk down (docs/architecture.md section 7.2, the pair fence).
     */
    public record Activation(long epoch) {}

    /** The activation message's bytes (xid 0: the session assigns xids). */
    public static byte[] activation(long epoch) {
        ByteBuf buf = Unpooled.buffer(ACTIVATION_LENGTH);
        buf.writeByte(OFVersion.OF_13.getWireVersion())
                .writeByte(OFPT_EXPERIMENTER)
                .writeShort(ACTIVATION_LENGTH)
                .writeInt(0)
                .writeInt((int) PORTMESH_EXPERIMENTER)
                .writeInt((int) EXP_ACTIVATION)
                .writeLong(epoch);
        return buf.array();
    }

    /**
     * The activation in one whole message (reader index at its first byte, not moved), or null when it is another
     * message.
     */
    public static Activation readActivation(ByteBuf frame) {
        int s = frame.readerIndex();
        if (frame.readableBytes() < ACTIVATION_LENGTH
                || frame.getUnsignedByte(s) != OFVersion.OF_13.getWireVersion()
                || frame.getUnsignedByte(s + 1) != OFPT_EXPERIMENTER
                || frame.getUnsignedShort(s + 2) != ACTIVATION_LENGTH
                || frame.getUnsignedInt(s + 8) != PORTMESH_EXPERIMENTER
                || frame.getUnsignedInt(s + 12) != EXP_ACTIVATION) {
            return null;
        }
        return new Activation(frame.getLong(s + 16));
    }

    /**
     * The trunk change for an agent: a PORT_MOD ({@link #portMod(long, boolean)}), and before an up, when {@code
     * epoch} is not negative, the {@link #activation} that says which epoch it stands for (a pair's agents need it;
     * a host with one agent, which may be a stock Open vSwitch that would refuse the experimenter, gets -1).
     */
    public static byte[] trunkChange(long hwAddr, boolean up, long epoch) {
        byte[] mod = portMod(hwAddr, up);
        if (!up || epoch < 0) {
            return mod;
        }
        byte[] act = activation(epoch);
        byte[] out = java.util.Arrays.copyOf(act, act.length + mod.length);
        System.arraycopy(mod, 0, out, act.length, mod.length);
        return out;
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
