package io.portmesh.agent.table;

import org.projectfloodlight.openflow.protocol.OFBadMatchCode;
import org.projectfloodlight.openflow.protocol.OFMatchV3;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.oxm.OFOxm;
import org.projectfloodlight.openflow.types.ArpOpcode;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.IPv4Address;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFMetadata;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.OFValueType;
import org.projectfloodlight.openflow.types.OFVlanVidMatch;
import org.projectfloodlight.openflow.types.U64;

/** Compiles an OpenFlow 1.3 match into a {@link FlowMatch}, refusing what this switch cannot match. */
final class MatchCompiler {
    private static final int ETH_TYPE_ARP = 0x0806;

    private MatchCompiler() {}

    /**
     * @param checkPrerequisites true for add and modify; deletes and stats only select existing
     *     flows, which were checked when they were added
     */
    static FlowMatch compile(Match match, boolean checkPrerequisites) {
        if (!(match instanceof OFMatchV3 v3)) {
            throw Rejection.badMatch(OFBadMatchCode.BAD_TYPE);
        }
        Key key = new Key();
        for (OFOxm<?> oxm : v3.getOxmList()) {
            Field f = Field.of(oxm);
            long m = oxm.isMasked() ? f.bits(oxm.getMask()) : f.fullMask();
            key.add(f, f.bits(oxm.getValue()), m, oxm.isMasked());
        }
        if (checkPrerequisites) {
            key.checkPrerequisites();
        }
        return new FlowMatch(key.value, key.mask, match);
    }

    /**
     * A match being compiled, one field at a time: the checks every decoder (Loxi objects, wire bytes) shares, so
     * that both refuse the same matches with the same codes.
     */
    static final class Key {
        final long[] value = new long[KeyLayout.WORDS];
        final long[] mask = new long[KeyLayout.WORDS];
        boolean needsArp;

        /** @param v the field's value bits, {@code m} its mask bits (the full mask when not masked) */
        void add(Field f, long v, long m, boolean masked) {
            if (masked && !f.maskable && m != f.fullMask()) {
                throw Rejection.badMatch(OFBadMatchCode.BAD_MASK);
            }
            long placedMask = m << f.shift;
            if ((mask[f.word] & placedMask) != 0) {
                throw Rejection.badMatch(OFBadMatchCode.DUP_FIELD);
            }
            mask[f.word] |= placedMask;
            value[f.word] |= (v & m) << f.shift;
            needsArp |= f.arp;
        }

        void checkPrerequisites() {
            if (needsArp && !isExactArp(value, mask)) {
                throw Rejection.badMatch(OFBadMatchCode.BAD_PREREQ);
            }
        }
    }

    static boolean isExactArp(long[] value, long[] mask) {
        long typeMask = 0xFFFFL << 48;
        return (mask[KeyLayout.W_ETH_DST] & typeMask) == typeMask
                && (value[KeyLayout.W_ETH_DST] >>> 48) == ETH_TYPE_ARP;
    }

    /** Where each supported field lives in the key; everything else is BAD_FIELD. */
    enum Field {
        IN_PORT(KeyLayout.W_PORT, 0, 32, false, false),
        TUN_SRC(KeyLayout.W_PORT, 32, 32, true, false),
        METADATA(KeyLayout.W_METADATA, 0, 64, true, false),
        TUNNEL_ID(KeyLayout.W_TUNNEL_ID, 0, 64, true, false),
        ETH_DST(KeyLayout.W_ETH_DST, 0, 48, true, false),
        ETH_TYPE(KeyLayout.W_ETH_DST, 48, 16, false, false),
        ETH_SRC(KeyLayout.W_ETH_SRC, 0, 48, true, false),
        VLAN_VID(KeyLayout.W_ETH_SRC, 48, 13, true, false),
        ARP_TPA(KeyLayout.W_ARP, 0, 32, true, true),
        ARP_SPA(KeyLayout.W_ARP, 32, 32, true, true),
        ARP_OP(KeyLayout.W_ARP_OP, 0, 16, false, true);

        final int word;
        final int shift;
        final int width;
        final boolean maskable;
        final boolean arp;

        Field(int word, int shift, int width, boolean maskable, boolean arp) {
            this.word = word;
            this.shift = shift;
            this.width = width;
            this.maskable = maskable;
            this.arp = arp;
        }

        long fullMask() {
            return width == 64 ? -1L : (1L << width) - 1;
        }

        long bits(OFValueType<?> v) {
            long raw = switch (this) {
                case IN_PORT -> ((OFPort) v).getPortNumber() & 0xFFFF_FFFFL;
                case TUN_SRC, ARP_TPA, ARP_SPA -> ((IPv4Address) v).getInt() & 0xFFFF_FFFFL;
                case METADATA -> ((OFMetadata) v).getValue().getValue();
                case TUNNEL_ID -> ((U64) v).getValue();
                case ETH_DST, ETH_SRC -> ((MacAddress) v).getLong();
                case ETH_TYPE -> ((EthType) v).getValue();
                case VLAN_VID -> ((OFVlanVidMatch) v).getRawVid();
                case ARP_OP -> ((ArpOpcode) v).getOpcode();
            };
            return raw & fullMask();
        }

        static Field of(OFOxm<?> oxm) {
            return switch (oxm.getMatchField().id) {
                case IN_PORT -> IN_PORT;
                case TUNNEL_IPV4_SRC -> TUN_SRC;
                case METADATA -> METADATA;
                case TUNNEL_ID -> TUNNEL_ID;
                case ETH_DST -> ETH_DST;
                case ETH_TYPE -> ETH_TYPE;
                case ETH_SRC -> ETH_SRC;
                case VLAN_VID -> VLAN_VID;
                case ARP_TPA -> ARP_TPA;
                case ARP_SPA -> ARP_SPA;
                case ARP_OP -> ARP_OP;
                default -> throw Rejection.badMatch(OFBadMatchCode.BAD_FIELD);
            };
        }
    }
}
