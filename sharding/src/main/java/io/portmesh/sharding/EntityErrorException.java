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

        @Override
        public EntityErrorException deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return new EntityErrorException(ctxt.readValue(p, EntityError.class));
        }
    }
}
