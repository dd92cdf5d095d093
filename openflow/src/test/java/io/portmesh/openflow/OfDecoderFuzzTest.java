package io.portmesh.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFMessage;

/**
 * Feeds 100,000+ mutated encodings (flipped bytes, truncations, bad lengths, random garbage, concatenations)
 * into the real decoders. Nothing may escape the pipeline, and every channel must end in a defined state:
 * open with every complete frame either decoded or counted as an error, or closed for a recorded reason.
 */
class OfDecoderFuzzTest {
    private static final int CASES = 100_000;

    @Test
    void mutatedMessagesNeverEscapeAndLeaveADefinedState() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        for (OFMessage m : SampleMessages.all().values()) {
            seeds.add(Codec.encode(m));
        }
        Random random = new Random(20261125L);
        int closed = 0;
        int errors = 0;
        int decoded = 0;
        for (int i = 0; i < CASES; i++) {
            byte[] input = mutate(seeds.get(random.nextInt(seeds.size())), random, seeds);
            boolean closePolicy = random.nextBoolean();
            boolean negotiated = random.nextInt(4) != 0;
            Codec codec = new Codec(closePolicy, negotiated);
            List<Object> out = codec.feed(input);
            codec.replies(); // drains (and parses) the error replies; they must be valid messages too
            codec.channel.runPendingTasks();
            codec.channel.checkException(); // rethrows anything that reached the tail of the pipeline

            OfStats s = codec.stats;
            long failures = s.decodeErrors() + s.get(OfStats.Counter.HANDSHAKE_FAILURES);
            if (codec.channel.isOpen()) {
                assertThat(s.framingErrors()).as("case %d", i).isZero();
                assertThat(closePolicy && s.decodeErrors() > 0).as("case %d", i).isFalse();
                assertThat(s.get(OfStats.Counter.HANDSHAKE_FAILURES))
                        .as("case %d", i)
                        .isZero();
                assertThat(s.messagesIn()).as("case %d", i).isEqualTo(out.size());
            } else {
                assertThat(s.framingErrors() + failures)
                        .as("case %d closed without a reason", i)
                        .isPositive();
                assertThat(OfChannels.closeCause(codec.channel))
                        .as("case %d", i)
                        .isNotNull();
                closed++;
            }
            errors += (int) failures;
            decoded += out.size();
            codec.release();
        }
        // the mutations must actually exercise all three outcomes
        assertThat(closed).isGreaterThan(CASES / 20);
        assertThat(errors).isGreaterThan(CASES / 20);
        assertThat(decoded).isGreaterThan(CASES / 20);
    }

    private static byte[] mutate(byte[] seed, Random random, List<byte[]> seeds) {
        byte[] b = seed.clone();
        switch (random.nextInt(8)) {
            case 0 -> { // flip a few bytes anywhere
                int flips = 1 + random.nextInt(4);
                for (int k = 0; k < flips; k++) {
                    b[random.nextInt(b.length)] ^= (byte) (1 + random.nextInt(255));
                }
            }
            case 1 -> { // flip bytes in the body only: header intact, structure broken
                if (b.length > 8) {
                    for (int k = 0; k < 1 + random.nextInt(6); k++) {
                        b[8 + random.nextInt(b.length - 8)] = (byte) random.nextInt(256);
                    }
                }
            }
            case 2 -> b = Arrays.copyOf(b, random.nextInt(b.length + 1)); // truncate the stream
            case 3 -> { // a consistent but wrong length: truncated body, or garbage appended
                int len = random.nextBoolean() ? 8 + random.nextInt(b.length) : b.length + random.nextInt(64);
                b = Arrays.copyOf(b, len);
                b[2] = (byte) (len >> 8);
                b[3] = (byte) len;
            }
            case 4 -> { // a length field that lies about the bytes that follow
                int len = random.nextInt(65536);
                b[2] = (byte) (len >> 8);
                b[3] = (byte) len;
            }
            case 5 -> { // another version or an unknown type
                b[random.nextBoolean() ? 0 : 1] = (byte) random.nextInt(256);
            }
            case 6 -> { // pure garbage
                b = new byte[random.nextInt(200)];
                random.nextBytes(b);
            }
            default -> { // a valid message followed by a mutated one
                byte[] first = seeds.get(random.nextInt(seeds.size()));
                byte[] second = mutate(seeds.get(random.nextInt(seeds.size())), random, seeds);
                b = new byte[first.length + second.length];
                System.arraycopy(first, 0, b, 0, first.length);
                System.arraycopy(second, 0, b, first.length, second.length);
            }
        }
        return b;
    }
}
