package io.portmesh.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portmesh.model.CborSerializable;
import java.io.NotSerializableException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CborSerializationTest {

    enum Kind {
        ACCESS,
        TRUNK
    }

    record Nested(String name, Kind kind) implements CborSerializable {}

    record PortBound(String portId, int vlan, List<Nested> members, Map<String, Long> counters, Optional<String> note)
            implements CborSerializable {}

    record NotMarked(String value) {}

    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create("cbor");
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void aMarkedRecordRoundTripsThroughJacksonCbor() {
        PortBound event = new PortBound(
                "port-1",
                42,
                List.of(new Nested("a", Kind.ACCESS), new Nested("b", Kind.TRUNK)),
                Map.of("rx", 7L, "tx", 9L),
                Optional.of("moved"));

        PortBound back = new SerializationTestKit(testKit.system()).verifySerialization(event, true);

        assertThat(back).isEqualTo(event).isNotSameAs(event);
        assertThat(serializerFor(event)).isInstanceOf(JacksonCborSerializer.class);
    }

    @Test
    void theBytesAreCborAndTheManifestIsTheClassName() throws Exception {
        PortBound event = new PortBound("p", 1, List.of(), Map.of(), Optional.empty());
        Serialization serialization = serialization();

        byte[] bytes = serialization.serialize(event).get();
        Serializer serializer = serializerFor(event);

        // a CBOR map header (major type 5), not JSON's '{'
        assertThat(bytes[0] & 0xE0).isEqualTo(0xA0);
        assertThat(org.apache.pekko.serialization.Serializers.manifestFor(serializer, event))
                .isEqualTo(PortBound.class.getName());
        assertThat(serialization
                        .deserialize(bytes, serializer.identifier(), PortBound.class.getName())
                        .get())
                .isEqualTo(event);
    }

    @Test
    void aClassWithoutTheMarkerHasNoSerializer() {
        assertThatThrownBy(() -> serialization().serialize(new NotMarked("x")).get())
                .isInstanceOf(NotSerializableException.class);
    }

    private static Serialization serialization() {
        return SerializationExtension.get(Adapter.toClassic(testKit.system()));
    }

    private static Serializer serializerFor(Object o) {
        return serialization().findSerializerFor(o);
    }
}
