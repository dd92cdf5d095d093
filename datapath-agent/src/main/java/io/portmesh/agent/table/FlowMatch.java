package io.portmesh.agent.table;

import org.projectfloodlight.openflow.protocol.match.Match;

/**
 * A flow's match compiled to the {@link KeyLayout}: value bits only where the mask has ones. Keeps
 * where its Loxi match can be had, because stats and flow-removed messages must echo it unchanged.
 */
public final class FlowMatch {
    final long[] value;
    /** Writer-only; replaced by its mask group's equal array on insertion, so 400k flows hold one copy. */
    long[] mask;
    /** The Loxi match, or the {@link WireSource} it can be parsed from (stats and flow-removed echo it). */
    private final Object source;

    FlowMatch(long[] value, long[] mask, Object source) {
        this.value = value;
        this.mask = mask;
        this.source = source;
        for (int w = 0; w < KeyLayout.WORDS; w++) {
            value[w] &= mask[w];
        }
    }

    public Match source() {
        return source instanceof WireSource wire ? wire.parse().getMatch() : (Match) source;
    }

    /** Before publication: use {@code groupMask} (equal to this match's mask) instead of an own copy. */
    void shareMask(long[] groupMask) {
        mask = groupMask;
    }

    boolean isCatchAll() {
        for (long m : mask) {
            if (m != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * True when every packet {@code narrower} matches is also matched by this one: the non-strict
     * selection rule of modify, delete and stats requests.
     */
    boolean covers(FlowMatch narrower) {
        for (int w = 0; w < KeyLayout.WORDS; w++) {
            if ((narrower.mask[w] & mask[w]) != mask[w] || (narrower.value[w] & mask[w]) != value[w]) {
                return false;
            }
        }
        return true;
    }

    /** True when {@code groupMask} has every bit of this match's mask set. */
    boolean maskWithin(long[] groupMask) {
        for (int w = 0; w < KeyLayout.WORDS; w++) {
            if ((groupMask[w] & mask[w]) != mask[w]) {
                return false;
            }
        }
        return true;
    }

    /** True when some packet could match both (the CHECK_OVERLAP test). */
    boolean overlaps(FlowMatch other) {
        for (int w = 0; w < KeyLayout.WORDS; w++) {
            if (((value[w] ^ other.value[w]) & mask[w] & other.mask[w]) != 0) {
                return false;
            }
        }
        return true;
    }
}
