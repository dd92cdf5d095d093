package io.portmesh.sharding;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import io.portmesh.model.CborSerializable;
import java.io.IOException;

/**
 * The error of an entity's {@code StatusReply}: an {@link EntityError} that crosses nodes whole. Pekko's remoting
 * serializes the exception of a {@code StatusReply.error(Throwable)} with the serializer bound to the exception's
 * class (pekko-remote's {@code MiscMessageSerializer} writes it as a payload; only a {@code StatusReply.error(String)}
 * is reduced to its text), so, being {@link CborSerializable}, this one is written by Jackson CBOR as the record it
 * carries ({@link JsonValue}) and read back as that record ({@link Reader}): kind, field and message, nothing else (no
 * stack trace, no cause). It has no stack trace of its own either: it is an answer, not a fault.
 */
@JsonDeserialize(using = EntityErrorException.Reader.class)
public final class EntityErrorException extends RuntimeException implements CborSerializable {
    private static final long serialVersionUID = 1L;
    private final EntityError error;

    public EntityErrorException(EntityError error) {
        super(error.text(), null, false, false);
        this.error = error;
    }

    @JsonValue
    public EntityError error() {
        return error;
    }

    public EntityError.Kind kind() {
        return error.kind();
    }

    /**
     * Reads the record and wraps it. Jackson's own reader of a Throwable would open {@code java.lang.Throwable}'s
     * private fields, which Java 17 refuses.
     */
    static final class Reader extends StdDeserializer<EntityErrorException> {
        private static final long serialVersionUID = 1L;

        Reader() {
            super(EntityErrorException.class);
        }

        /**
         * Leniently: an error reply that cannot be read as it was meant (a kind this node does not know, from a node of
         * a newer version; an invalid request without its field) still reaches the caller as an error, instead of
         * failing the whole reply's deserialization, which Artery would drop and the caller would wait its ask out.
         */
        @Override
        public EntityErrorException deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            com.fasterxml.jackson.databind.JsonNode node = ctxt.readTree(p);
            String message = node.path("message").asText("an entity refused without saying why");
            String field = node.hasNonNull("field") ? node.get("field").asText() : null;
            EntityError.Kind kind;
            try {
                kind = EntityError.Kind.valueOf(node.path("kind").asText());
            } catch (IllegalArgumentException unknown) {
                return new EntityErrorException(new EntityError(
                        EntityError.Kind.UNAVAILABLE,
                        null,
                        "an entity refused with a kind of error this node does not know ("
                                + node.path("kind").asText() + "): "
                                + (field == null ? message : field + ": " + message)));
            }
            if (kind == EntityError.Kind.INVALID && field == null) {
                field = "request";
            }
            return new EntityErrorException(new EntityError(kind, field, message));
        }
    }
}
