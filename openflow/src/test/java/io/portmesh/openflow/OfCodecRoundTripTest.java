package io.portmesh.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.projectfloodlight.openflow.protocol.OFMessage;

class OfCodecRoundTripTest {
    static Stream<Arguments> messages() {
        return SampleMessages.all().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void encodeThenDecodeGivesTheSameMessage(String name, OFMessage message) {
        byte[] bytes = Codec.encode(message);
        assertThat(((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff))
                .as("length field")
                .isEqualTo(bytes.length);

        Codec codec = new Codec(true);
        List<Object> decoded = codec.feed(bytes);

        assertThat(decoded).containsExactly(message);
        assertThat(Codec.encode((OFMessage) decoded.get(0))).isEqualTo(bytes);
        assertThat(codec.stats.decodeErrors()).isZero();
        assertThat(codec.channel.isOpen()).isTrue();
        codec.release();
    }

    @Test
    void aStreamCutAtRandomPointsDecodesInOrder() {
        Map<String, OFMessage> all = SampleMessages.all();
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (OFMessage m : all.values()) {
            stream.writeBytes(Codec.encode(m));
        }
        byte[] bytes = stream.toByteArray();
        Random random = new Random(7);
        Codec codec = new Codec(true);
        List<Object> decoded = new ArrayList<>();
        int offset = 0;
        while (offset < bytes.length) {
            int chunk = Math.min(bytes.length - offset, 1 + random.nextInt(40));
            byte[] piece = new byte[chunk];
            System.arraycopy(bytes, offset, piece, 0, chunk);
            decoded.addAll(codec.feed(piece));
            offset += chunk;
        }
        assertThat(decoded).containsExactlyElementsOf(all.values());
        assertThat(codec.stats.messagesIn()).isEqualTo(all.size());
        codec.release();
    }
}
