package io.portmesh.agent.table;

/**
 * Packs the header fields a flow can match on into a fixed array of longs, so that a flow's match
 * becomes (mask words, value words) and a lookup is a masked hash probe instead of a field-by-field
 * comparison. The pipeline fills a key with {@link #encode}; flows are compiled to the same layout.
 */
public final class KeyLayout {
    public static final int WORDS = 7;

    static final int W_METADATA = 0;
    static final int W_TUNNEL_ID = 1;
    /** eth_dst in bits 0..47, eth_type in bits 48..63. */
    static final int W_ETH_DST = 2;
    /** eth_src in bits 0..47, vlan_vid (OF 1.3 form, with OFPVID_PRESENT) in bits 48..60. */
    static final int W_ETH_SRC = 3;
    /** in_port in bits 0..31, tun_ipv4_src in bits 32..63. */
    static final int W_PORT = 4;
    /** arp_tpa in bits 0..31, arp_spa in bits 32..63. */
    static final int W_ARP = 5;

    static final int W_ARP_OP = 6;

    private KeyLayout() {}

    /**
     * Fills {@code key} (length {@link #WORDS}) from the current header state of a frame.
     *
     * @param vlanVid OF 1.3 vlan_vid: {@code 0x1000 | vid} when tagged, 0 when untagged
     */
    public static void encode(
            long[] key,
            int inPort,
            long metadata,
            long tunnelId,
            int tunnelSrcIp,
            long ethDst,
            long ethSrc,
            int ethType,
            int vlanVid,
            int arpOp,
            int arpSpa,
            int arpTpa) {
        key[W_METADATA] = metadata;
        key[W_TUNNEL_ID] = tunnelId;
        key[W_ETH_DST] = (ethDst & 0xFFFF_FFFF_FFFFL) | ((long) (ethType & 0xFFFF) << 48);
        key[W_ETH_SRC] = (ethSrc & 0xFFFF_FFFF_FFFFL) | ((long) (vlanVid & 0x1FFF) << 48);
        key[W_PORT] = (inPort & 0xFFFF_FFFFL) | ((long) tunnelSrcIp << 32);
        key[W_ARP] = (arpTpa & 0xFFFF_FFFFL) | ((long) arpSpa << 32);
        key[W_ARP_OP] = arpOp & 0xFFFF;
    }

    /** Hash of {@code key} under {@code mask}, looking only at the words the mask uses. */
    static int hash(long[] key, long[] mask, int[] words) {
        long h = 0x9E37_79B9_7F4A_7C15L;
        for (int w : words) {
            h = (h ^ (key[w] & mask[w])) * 0xBF58_476D_1CE4_E5B9L;
            h ^= h >>> 31;
        }
        h ^= h >>> 29;
        return (int) (h ^ (h >>> 32));
    }
}
