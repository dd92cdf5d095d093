package io.portmesh.agent.table;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import org.projectfloodlight.openflow.protocol.match.MatchField;

/**
 * The OXM fields the wire decoder reads itself, with their wire form. Any other field (or form) makes it decline
 * the message, and Loxi reads it as before.
 */
enum WireFields {
    IN_PORT(0x8000, 0, 4, MatchCompiler.Field.IN_PORT, MatchField.IN_PORT),
    METADATA(0x8000, 2, 8, MatchCompiler.Field.METADATA, MatchField.METADATA),
    ETH_DST(0x8000, 3, 6, MatchCompiler.Field.ETH_DST, MatchField.ETH_DST),
    ETH_SRC(0x8000, 4, 6, MatchCompiler.Field.ETH_SRC, MatchField.ETH_SRC),
    ETH_TYPE(0x8000, 5, 2, MatchCompiler.Field.ETH_TYPE, MatchField.ETH_TYPE),
    VLAN_VID(0x8000, 6, 2, MatchCompiler.Field.VLAN_VID, MatchField.VLAN_VID),
    ARP_OP(0x8000, 21, 2, MatchCompiler.Field.ARP_OP, MatchField.ARP_OP),
    ARP_SPA(0x8000, 22, 4, MatchCompiler.Field.ARP_SPA, MatchField.ARP_SPA),
    ARP_TPA(0x8000, 23, 4, MatchCompiler.Field.ARP_TPA, MatchField.ARP_TPA),
    TUNNEL_ID(0x8000, 38, 8, MatchCompiler.Field.TUNNEL_ID, MatchField.TUNNEL_ID),
    /** Nicira NXM_NX_TUN_IPV4_SRC / _DST. */
    TUN_IPV4_SRC(0x0001, 31, 4, MatchCompiler.Field.TUN_SRC, MatchField.TUNNEL_IPV4_SRC),

    TUN_IPV4_DST(0x0001, 32, 4, null, MatchField.TUNNEL_IPV4_DST);

    final int oxmClass;
    final int field;
    final int bytes;
    /** Where the field goes in a match; null for fields only set-field uses. */
    final MatchCompiler.Field match;
    /**
     * Loxi keeps a match's fields in this order and writes them back so: a match whose fields come in another
     * order would not re-encode to the bytes it came in, so the decoder declines it.
     */
    final int loxiOrder;

    WireFields(int oxmClass, int field, int bytes, MatchCompiler.Field match, MatchField<?> loxi) {
        this.oxmClass = oxmClass;
        this.field = field;
        this.bytes = bytes;
        this.match = match;
        this.loxiOrder = loxi.id.ordinal();
    }

    private static final WireFields[] VALUES = values();

    /** The fields a set-field action may write (ActionCompiler's set-field switch takes the same). */
    static final Set<WireFields> SETTABLE =
            Collections.unmodifiableSet(EnumSet.of(VLAN_VID, ETH_DST, ETH_SRC, TUNNEL_ID, TUN_IPV4_DST));

    /** The field of an OXM header's class and field number, or null. */
    static WireFields of(int oxmClass, int field) {
        for (WireFields f : VALUES) {
            if (f.oxmClass == oxmClass && f.field == field) {
                return f;
            }
        }
        return null;
    }

    long fullMask() {
        return bytes == 8 ? -1L : (1L << (8 * bytes)) - 1;
    }
}
