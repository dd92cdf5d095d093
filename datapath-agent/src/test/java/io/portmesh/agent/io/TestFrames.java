package io.portmesh.agent.io;

import java.nio.ByteBuffer;

/** Small frames for port tests. */
final class TestFrames {
    private TestFrames() {}

    /** A 64-byte 802.1Q frame on {@code vlan} whose payload starts with {@code marker}. */
    static byte[] tagged(int vlan, int marker) {
        ByteBuffer b = ByteBuffer.allocate(64);
        b.put(new byte[] {0x02, 0, 0, 0, 0, 0x02}).put(new byte[] {0x02, 0, 0, 0, 0, 0x01});
        b.putShort((short) 0x8100)
                .putShort((short) vlan)
                .putShort((short) 0x88B5)
                .putInt(marker);
        return b.array();
    }

    /** A 60-byte untagged frame whose payload starts with {@code marker}. */
    static byte[] untagged(int marker) {
        ByteBuffer b = ByteBuffer.allocate(60);
        b.put(new byte[] {0x02, 0, 0, 0, 0, 0x02}).put(new byte[] {0x02, 0, 0, 0, 0, 0x01});
        b.putShort((short) 0x88B5).putInt(marker);
        return b.array();
    }
}
