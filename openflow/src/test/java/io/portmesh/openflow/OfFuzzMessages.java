package io.portmesh.openflow;

import io.portmesh.model.flow.Cookies;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPacketInReason;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/**
 * Seeded generator of hostile OpenFlow input for the fuzz tests over TCP (the controller's server here, the agent in
 * datapath-agent through this module's test-jar): mutations of real Loxi-encoded 1.3 messages, and byte strings that
 * break the framing. Same seed, same sequence.
 *
 * <p>{@link #framed} keeps the header's length equal to the bytes that follow, so the stream stays framed and one
 * connection can carry many of them; {@link #breaker} does not (a length below 8, above the bytes sent, random
 * bytes, a cut message), so it can only end a stream.
 */
public final class OfFuzzMessages {
    /** What was done to a seed message. */
    public enum Kind {
        /** The real message with a new xid: valid. */
        XID,
        /** A few body bytes replaced: valid or not. */
        BODY_FLIP,
        /** Header kept, body replaced by as many random bytes. */
        BODY_GARBAGE,
        /** Body cut short, length field following it. */
        TRUNCATED_BODY,
        /** Random bytes appended, length field following them. */
        EXTENDED_BODY,
        /** Another message type byte (some unknown to 1.3). */
        OTHER_TYPE,
        /** Another version byte than 1.3's. */
        OTHER_VERSION,
        /** A header of version 1.3 with a random type and a random body of random length. */
        GARBAGE_FRAME,
        // framing breakers
        /** A length field below the 8-byte header. */
        SHORT_LENGTH,
        /** A length field larger than the bytes that follow. */
        LONG_LENGTH,
        /** A length field of 65535 with a few bytes. */
        HUGE_LENGTH,
        /** A real message cut anywhere, header included. */
        CUT_STREAM,
        /** Random bytes. */
        RANDOM_BYTES
    }

    /**
     * One generated input.
     *
     * @param certainlyBad whether any decoder must refuse it whatever its body is (version not 1.3 after the
     *     handshake, or a type above 1.3's last): an OFPT_ERROR with {@link #xid} is owed for it
     * @param xid the xid in its header (meaningless for breakers)
     */
    public record Frame(byte[] bytes, Kind kind, boolean certainlyBad, long xid) {
        /**
         * Whether this is malformed or truncated input (every kind but {@link Kind#XID}, a real message with a new
         * xid): what the fuzz tests count toward their quota. A body flip may still decode; it is counted all the
         * same, as the mutation it is.
         */
        public boolean malformed() {
            return kind != Kind.XID;
        }
    }

    /** How many of {@code frames} are {@link Frame#malformed()}. */
    public static int malformed(List<Frame> frames) {
        return (int) frames.stream().filter(Frame::malformed).count();
    }

    /** Xids whose top 16 bits are this are never generated: {@link OfFuzzPeer}'s markers use them. */
    static final int MARKER_XID_PREFIX = 0xFEED;

    private static final int OF13 = 4;
    private static final int MAX_OF13_TYPE = 29;
    private static final Kind[] FRAMED_MALFORMED = {
        Kind.BODY_FLIP,
        Kind.BODY_GARBAGE,
        Kind.TRUNCATED_BODY,
        Kind.EXTENDED_BODY,
        Kind.OTHER_TYPE,
        Kind.OTHER_VERSION,
        Kind.GARBAGE_FRAME
    };
    private static final Kind[] BREAKERS = {
        Kind.SHORT_LENGTH, Kind.LONG_LENGTH, Kind.HUGE_LENGTH, Kind.CUT_STREAM, Kind.RANDOM_BYTES
    };

    private final Random random;
    private final List<byte[]> seeds;
    private final List<String> seedNames;

    public OfFuzzMessages(long seed) {
        this.random = new Random(seed);
        this.seeds = new ArrayList<>();
        this.seedNames = new ArrayList<>();
        var all = new LinkedHashMap<>(SampleMessages.all());
        all.put("PACKET_IN activation ARP", activationPacketIn());
        for (var e : all.entrySet()) {
            seedNames.add(e.getKey());
            seeds.add(SampleMessages.encode(e.getValue()));
        }
    }

    /** The names of the real messages mutated (every message the agent and the controller exchange). */
    public List<String> seedNames() {
        return List.copyOf(seedNames);
    }

    public Random random() {
        return random;
    }

    /**
     * A mutation that keeps the stream framed: with probability {@code validShare} a real message with a new xid
     * (so that a connection closed at its first malformed message still carries many), else one of the malformed
     * kinds.
     */
    public Frame framed(double validShare) {
        if (random.nextDouble() < validShare) {
            return mutate(Kind.XID);
        }
        return mutate(FRAMED_MALFORMED[random.nextInt(FRAMED_MALFORMED.length)]);
    }

    /** Input that breaks the framing; nothing sent after it on that stream can be read as framed. */
    public Frame breaker() {
        return mutate(BREAKERS[random.nextInt(BREAKERS.length)]);
    }

    /** A HELLO-phase input: a mutated HELLO (some still valid), or anything else as the first message. */
    public Frame firstMessage() {
        return random.nextBoolean()
                ? mutateSeed(seeds.get(0), Kind.values()[random.nextInt(Kind.values().length)])
                : mutate(Kind.values()[random.nextInt(Kind.values().length)]);
    }

    Frame mutate(Kind kind) {
        return mutateSeed(seeds.get(random.nextInt(seeds.size())), kind);
    }

    private Frame mutateSeed(byte[] seed, Kind kind) {
        byte[] b = seed.clone();
        setXid(b, random.nextInt());
        switch (kind) {
            case XID -> {}
            case BODY_FLIP -> {
                if (b.length > 8) {
                    for (int k = 1 + random.nextInt(4); k > 0; k--) {
                        b[8 + random.nextInt(b.length - 8)] ^= (byte) (1 + random.nextInt(255));
                    }
                }
            }
            case BODY_GARBAGE -> {
                byte[] body = new byte[b.length - 8];
                random.nextBytes(body);
                System.arraycopy(body, 0, b, 8, body.length);
            }
            case TRUNCATED_BODY -> b = withLength(Arrays.copyOf(b, 8 + random.nextInt(Math.max(1, b.length - 8))));
            case EXTENDED_BODY -> {
                int extra = 1 + random.nextInt(64);
                byte[] longer = Arrays.copyOf(b, Math.min(65535, b.length + extra));
                for (int i = b.length; i < longer.length; i++) {
                    longer[i] = (byte) random.nextInt(256);
                }
                b = withLength(longer);
            }
            case OTHER_TYPE -> b[1] = (byte) random.nextInt(256);
            case OTHER_VERSION -> b[0] = (byte) (OF13 + 1 + random.nextInt(255)); // never 4 (wraps past 255)
            case GARBAGE_FRAME -> {
                byte[] g = new byte[8 + random.nextInt(1024)];
                random.nextBytes(g);
                g[0] = OF13;
                g[1] = (byte) random.nextInt(MAX_OF13_TYPE + 1);
                b = withLength(g);
            }
            case SHORT_LENGTH -> {
                b[2] = 0;
                b[3] = (byte) random.nextInt(8);
            }
            case LONG_LENGTH -> {
                int len = b.length + 1 + random.nextInt(65535 - b.length);
                b[2] = (byte) (len >> 8);
                b[3] = (byte) len;
            }
            case HUGE_LENGTH -> {
                b = Arrays.copyOf(b, 8 + random.nextInt(32));
                b[2] = (byte) 0xff;
                b[3] = (byte) 0xff;
            }
            case CUT_STREAM -> b = Arrays.copyOf(b, 1 + random.nextInt(b.length - 1));
            case RANDOM_BYTES -> {
                b = new byte[1 + random.nextInt(200)];
                random.nextBytes(b);
            }
        }
        if (b.length >= 8 && (((b[4] & 0xff) << 8) | (b[5] & 0xff)) == MARKER_XID_PREFIX) {
            b[4] = 0;
        }
        long xid = b.length >= 8 ? xid(b) : -1;
        boolean framedKind = kind.ordinal() <= Kind.GARBAGE_FRAME.ordinal();
        boolean certainlyBad = framedKind && ((b[0] & 0xff) != OF13 || (b[1] & 0xff) > MAX_OF13_TYPE);
        return new Frame(b, kind, certainlyBad, xid);
    }

    private static byte[] withLength(byte[] b) {
        b[2] = (byte) (b.length >> 8);
        b[3] = (byte) b.length;
        return b;
    }

    private static void setXid(byte[] b, int xid) {
        b[4] = (byte) (xid >> 24);
        b[5] = (byte) (xid >> 16);
        b[6] = (byte) (xid >> 8);
        b[7] = (byte) xid;
    }

    private static long xid(byte[] b) {
        return ((b[4] & 0xffL) << 24) | ((b[5] & 0xffL) << 16) | ((b[6] & 0xffL) << 8) | (b[7] & 0xffL);
    }

    /** A packet-in from an activation flow carrying a tagged ARP: the one packet-in the controller parses deeply. */
    private static OFMessage activationPacketIn() {
        byte[] frame = new byte[64];
        System.arraycopy(new byte[] {-1, -1, -1, -1, -1, -1, 2, 0, 0, 0, 0, 10}, 0, frame, 0, 12);
        frame[12] = (byte) 0x81; // 802.1Q
        frame[15] = 10; // VLAN 10
        frame[16] = 0x08;
        frame[17] = 0x06; // ARP
        return FakeSwitch.F
                .buildPacketIn()
                .setXid(7)
                .setBufferId(OFBufferId.NO_BUFFER)
                .setTotalLen(frame.length)
                .setReason(OFPacketInReason.ACTION)
                .setTableId(TableId.of(0))
                .setCookie(U64.of(Cookies.cookie(Cookies.ACTIVATE, 1)))
                .setMatch(FakeSwitch.F
                        .buildMatch()
                        .setExact(MatchField.IN_PORT, OFPort.of(1))
                        .build())
                .setData(frame)
                .build();
    }
}
