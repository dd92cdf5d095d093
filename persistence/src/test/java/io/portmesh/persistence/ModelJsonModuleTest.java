package io.portmesh.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portmesh.model.CborSerializable;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.model.VlanId;
import io.portmesh.model.Vni;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A field that changes from a String or an int to the model's type keeps its JSON: old bytes read as the new type. */
class ModelJsonModuleTest {
    /** The shape a message or event had when its fields were plain. */
    record Plain(
            String host,
            String switchId,
            String port,
            String mac,
            String tunnelIp,
            int vlan,
            int vni,
            List<String> hosts)
            implements CborSerializable {}

    /** The same fields as the model's types. */
    record Typed(
            HostId host,
            SwitchId switchId,
            PortId port,
            Mac mac,
            Ipv4 tunnelIp,
            VlanId vlan,
            Vni vni,
            List<HostId> hosts)
            implements CborSerializable {}

    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create("model-json");
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static final Plain PLAIN = new Plain(
            "esx-1", "blue", "p-0123456789ab", "52:54:00:12:34:56", "10.0.0.7", 100, 5001, List.of("esx-1", "esx-2"));
    private static final Typed TYPED = new Typed(
            HostId.of("esx-1"),
            SwitchId.of("blue"),
            PortId.of("p-0123456789ab"),
            Mac.parse("52:54:00:12:34:56"),
            Ipv4.parse("10.0.0.7"),
            new VlanId(100),
            new Vni(5001),
            List.of(HostId.of("esx-1"), HostId.of("esx-2")));

    @Test
    void theTypedShapeWritesTheSameBytesAsThePlainOne() {
        assertThat(serialization().serialize(TYPED).get())
                .isEqualTo(serialization().serialize(PLAIN).get());
    }

    @Test
    void bytesWrittenInThePlainShapeReadAsTheTypedOneAndBack() {
        byte[] old = serialization().serialize(PLAIN).get();
        assertThat(read(old, Typed.class)).isEqualTo(TYPED);
        assertThat(read(serialization().serialize(TYPED).get(), Plain.class)).isEqualTo(PLAIN);
    }

    @Test
    void aValueTheModelRefusesIsNotRead() {
        Plain badVlan = new Plain("esx-1", "blue", "p-1", "52:54:00:12:34:56", "10.0.0.7", 4095, 5001, List.of());
        byte[] bytes = serialization().serialize(badVlan).get();
        assertThatThrownBy(() -> read(bytes, Typed.class)).hasStackTraceContaining("vlan");
    }

    private static <T> T read(byte[] bytes, Class<T> as) {
        Serializer serializer = serialization().findSerializerFor(TYPED);
        return as.cast(serialization()
                .deserialize(bytes, serializer.identifier(), as.getName())
                .get());
    }

    private static Serialization serialization() {
        return SerializationExtension.get(Adapter.toClassic(testKit.system()));
    }
}
