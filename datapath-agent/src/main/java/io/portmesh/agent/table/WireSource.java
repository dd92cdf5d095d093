package io.portmesh.agent.table;

import io.netty.buffer.Unpooled;
import org.projectfloodlight.openflow.exceptions.OFParseError;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFlowMod;

/**
 * The match and instructions of a wire-decoded flow-mod as the controller sent them (everything after the fixed
 * header). A flow keeps these bytes instead of Loxi objects: about a tenth of the memory, and stats replies, which
 * are rare, parse them back on demand.
 */
final class WireSource {
    /** Bytes of ofp_flow_mod before the match. */
    static final int HEADER = 48;

    private static final int OF13 = 4;
    private static final int FLOW_MOD = 14;

    final byte[] body;

    WireSource(byte[] body) {
        this.body = body;
    }

    /** A Loxi flow-mod (ADD, other header fields zero) with this match and these instructions. */
    OFFlowMod parse() {
        byte[] msg = new byte[HEADER + body.length];
        msg[0] = OF13;
        msg[1] = FLOW_MOD;
        msg[2] = (byte) (msg.length >>> 8);
        msg[3] = (byte) msg.length;
        System.arraycopy(body, 0, msg, HEADER, body.length);
        try {
            return (OFFlowMod) OFFactories.getGenericReader().readFrom(Unpooled.wrappedBuffer(msg));
        } catch (OFParseError e) {
            // The decoder only keeps what Loxi reads back (its tests prove it): this is a bug, not bad input.
            throw new IllegalStateException("stored flow-mod no longer parses", e);
        }
    }
}
