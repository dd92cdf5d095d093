package io.portmesh.persistence;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.model.VlanId;
import io.portmesh.model.Vni;
import java.io.IOException;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;

/**
 * The model's value types as the scalars they stand for, in every message and event Jackson CBOR writes: a
 * {@link HostId}, {@link SwitchId} or {@link PortId} as its name, a {@link Mac} as {@code 52:54:00:12:34:56}, an
 * {@link Ipv4} as a dotted quad, a {@link VlanId} or {@link Vni} as its number. That is exactly how the same field
 * was written when it was a {@code String} or an {@code int}, so a field may change to its model type without
 * changing its JSON: what the journal holds, and what a node of the previous version sends, still reads (and is
 * validated as it is read). Registered in persistence's {@code reference.conf}
 * ({@code pekko.serialization.jackson.jackson-modules}); the model itself knows nothing of Jackson.
 */
public final class ModelJsonModule extends SimpleModule {
    private static final long serialVersionUID = 1L;

    public ModelJsonModule() {
        super("portmesh-model");
        text(HostId.class, HostId::value, HostId::of);
        text(SwitchId.class, SwitchId::value, SwitchId::of);
        text(PortId.class, PortId::value, PortId::of);
        text(Mac.class, Mac::toString, Mac::parse);
        text(Ipv4.class, Ipv4::toString, Ipv4::parse);
        number(VlanId.class, VlanId::value, VlanId::new);
        number(Vni.class, Vni::value, Vni::new);
    }

    private <T> void text(Class<T> type, Function<T, String> write, Function<String, T> read) {
        scalar(type, JsonToken.VALUE_STRING, (v, gen) -> gen.writeString(write.apply(v)), p -> read.apply(p.getText()));
    }

    private <T> void number(Class<T> type, ToIntFunction<T> write, IntFunction<T> read) {
        scalar(
                type,
                JsonToken.VALUE_NUMBER_INT,
                (v, gen) -> gen.writeNumber(write.applyAsInt(v)),
                p -> read.apply(p.getIntValue()));
    }

    private interface Write<T> {
        void to(T value, JsonGenerator gen) throws IOException;
    }

    private interface Read<T> {
        T from(JsonParser p) throws IOException;
    }

    /** {@code type} as one JSON scalar of kind {@code token}; anything else where it is expected is refused. */
    private <T> void scalar(Class<T> type, JsonToken token, Write<T> write, Read<T> read) {
        addSerializer(type, new StdScalarSerializer<T>(type) {
            private static final long serialVersionUID = 1L;

            @Override
            public void serialize(T value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                write.to(value, gen);
            }
        });
        addDeserializer(type, new StdScalarDeserializer<T>(type) {
            private static final long serialVersionUID = 1L;

            @Override
            public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                if (p.currentToken() != token) {
                    return type.cast(ctxt.handleUnexpectedToken(type, p));
                }
                return read.from(p);
            }
        });
    }
}
