package io.portmesh.loadtest.forwarding;

import io.portmesh.agent.io.Vxlan;
import io.portmesh.model.Mac;
import java.nio.ByteBuffer;

/**
 * The datagrams the senders blast. A frame size is the Ethernet frame as the sender emits it (no FCS): the tagged
 * frame a VM puts on the trunk, or the inner frame a remote VTEP puts in a VXLAN datagram.
 */
final class BenchFrames {
    /** IEEE 802.1 local experimental ethertype: no stack on the way takes it for anything. */
    static final int ETHERTYPE = 0x88B5;

    static final int MIN_FRAME = 64;
    static final int MAX_FRAME = 9000;

    private BenchFrames() {}

    /** An 802.1Q-tagged frame of {@code size} bytes, as a VM sends it on its access VLAN. */
    static byte[] tagged(Mac dst, Mac src, int vlan, int size) {
        check(size);
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(dst.toBytes()).put(src.toBytes());
        b.putShort((short) 0x8100).putShort((short) vlan).putShort((short) ETHERTYPE);
        return b.array();
    }

    /** A VXLAN datagram for {@code vni} carrying an untagged inner frame of {@code size} bytes. */
    static byte[] vxlan(int vni, Mac dst, Mac src, int size) {
        check(size);
        ByteBuffer b = ByteBuffer.allocate(Vxlan.HEADER_LEN + size);
        Vxlan.writeHeader(b, vni);
        b.put(dst.toBytes()).put(src.toBytes()).putShort((short) ETHERTYPE);
        return b.array();
    }

    private static void check(int size) {
        if (size < MIN_FRAME || size > MAX_FRAME) {
            throw new IllegalArgumentException("frame size " + size + " is outside " + MIN_FRAME + ".." + MAX_FRAME);
        }
    }
}
