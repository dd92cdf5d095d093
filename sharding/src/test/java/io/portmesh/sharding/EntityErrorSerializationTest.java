package io.portmesh.sharding;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.ValidationException;
import io.portmesh.sharding.service.ConflictException;
import io.portmesh.sharding.service.NotFoundException;
import io.portmesh.sharding.service.UnavailableException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * An entity's error reply goes through Pekko's serialization as it does between nodes: the {@code StatusReply} by
 * pekko-remote's own serializer, its {@link EntityErrorException} as a payload by Jackson CBOR. What comes back has
 * the same kind, field and message, and maps to the same exception of the service.
 */
class EntityErrorSerializationTest {
    static final ActorTestKit testKit = ActorTestKit.create(EntityTestKits.config());

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
    }

    @Test
    void theErrorIsWrittenByJacksonCborAndComesBackWhole() {
        Serialization serialization = SerializationExtension.get(testKit.system());
        EntityErrorException e = new EntityErrorException(
                new EntityError(EntityError.Kind.INVALID, "mac", "not a unicast MAC: '01:00:5e:00:00:01'"));
        assertThat(serialization.findSerializerFor(e)).isInstanceOf(JacksonCborSerializer.class);
        EntityErrorException back = (EntityErrorException) roundTrip(serialization, e);
        assertThat(back.error()).isEqualTo(e.error());
        assertThat(back).hasMessage("mac: not a unicast MAC: '01:00:5e:00:00:01'");
        assertThat(back.getStackTrace()).isEmpty();
    }

    @Test
    void anErrorOfAnUnknownKindOrWithoutItsFieldStillArrivesAsAnError() throws Exception {
        Serialization serialization = SerializationExtension.get(testKit.system());
        EntityErrorException e = new EntityErrorException(new EntityError(EntityError.Kind.CONFLICT, "vni", "taken"));
        JacksonCborSerializer cbor = (JacksonCborSerializer) serialization.findSerializerFor(e);
        String manifest = Serializers.manifestFor(cbor, e);
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.cbor.CBORFactory());
        byte[] newer =
                mapper.writeValueAsBytes(java.util.Map.of("kind", "THROTTLED", "field", "vni", "message", "later"));
        EntityErrorException fromNewer = (EntityErrorException)
                serialization.deserialize(newer, cbor.identifier(), manifest).get();
        assertThat(fromNewer.error().kind()).isEqualTo(EntityError.Kind.UNAVAILABLE);
        assertThat(fromNewer.error().message()).contains("THROTTLED").contains("vni: later");
        byte[] noField = mapper.writeValueAsBytes(java.util.Map.of("kind", "INVALID", "message", "bad"));
        EntityErrorException invalid = (EntityErrorException)
                serialization.deserialize(noField, cbor.identifier(), manifest).get();
        assertThat(invalid.error()).isEqualTo(new EntityError(EntityError.Kind.INVALID, "request", "bad"));
    }

    @Test
    void everyKindCrossesInsideAStatusReply() {
        Serialization serialization = SerializationExtension.get(testKit.system());
        assertThat(Errors.toException(crossed(serialization, Errors.invalid("vni", "out of range"))))
                .isInstanceOf(ValidationException.class)
                .hasMessage("vni: out of range")
                .extracting(t -> ((ValidationException) t).field())
                .isEqualTo("vni");
        StatusReply<Object> conflict = Errors.conflict("vni", "taken by switch blue");
        Throwable crossedConflict = crossed(serialization, conflict);
        assertThat(((EntityErrorException) crossedConflict).error())
                .isEqualTo(new EntityError(EntityError.Kind.CONFLICT, "vni", "taken by switch blue"));
        assertThat(Errors.toException(crossedConflict))
                .isInstanceOf(ConflictException.class)
                .hasMessage("vni: taken by switch blue");
        assertThat(Errors.toException(crossed(serialization, Errors.conflict("port p-1 already exists"))))
                .isInstanceOf(ConflictException.class)
                .hasMessage("port p-1 already exists");
        assertThat(Errors.toException(crossed(serialization, Errors.notFound("no port p-1"))))
                .isInstanceOf(NotFoundException.class)
                .hasMessage("no port p-1");
        // a text with the old protocol's separator in it is just words
        assertThat(Errors.toException(crossed(serialization, Errors.unavailable("invalid|mac|host esx-1 is slow"))))
                .isInstanceOf(UnavailableException.class)
                .hasMessage("invalid|mac|host esx-1 is slow");
    }

    /** The error of {@code reply} after the trip a reply from another node makes. */
    private static Throwable crossed(Serialization serialization, StatusReply<Object> reply) {
        StatusReply<?> back = (StatusReply<?>) roundTrip(serialization, reply);
        assertThat(back.isError()).isTrue();
        assertThat(back.getError()).isInstanceOf(EntityErrorException.class);
        return back.getError();
    }

    private static Object roundTrip(Serialization serialization, Object o) {
        var serializer = serialization.findSerializerFor(o);
        byte[] bytes = serialization.serialize(o).get();
        return serialization
                .deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, o))
                .get();
    }
}
