package io.portmesh.sharding;

import io.portmesh.model.ValidationException;
import io.portmesh.sharding.service.ConflictException;
import io.portmesh.sharding.service.NotFoundException;
import io.portmesh.sharding.service.UnavailableException;
import java.util.Objects;

/**
 * An entity's refusal of a command, as data: what kind of refusal (the northbound API maps each kind to one status
 * code), the field it is about (a request's field for {@link Kind#INVALID}; for a {@link Kind#CONFLICT} the value
 * already taken; null when the refusal is about no one field) and the words for the client. It crosses nodes inside
 * an {@link EntityErrorException}, the error of a {@code StatusReply}; {@link Errors} makes and reads it.
 *
 * @param field null, or the field the message starts with ({@code field: message})
 */
public record EntityError(Kind kind, String field, String message) {
    /** The kinds of refusal; each is one exception of the service and one status code of the API. */
    public enum Kind {
        /** 400: a value or request that breaks a rule; {@code field} names what to fix. */
        INVALID,
        /** 409: the state refuses the change (exists already, taken by someone else, busy). */
        CONFLICT,
        /** 404: no such entity, or nothing of what was asked. */
        NOT_FOUND,
        /** 503: another entity did not answer or could not persist; the request may be retried. */
        UNAVAILABLE,
        /**
         * A resent copy of a request the entity handled already (same request id): not run again. Its first attempt
         * has the answer; when only the copy answers (the first's answer lost), 503 "may have been applied".
         */
        DUPLICATE
    }

    public EntityError {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
        if (kind == Kind.INVALID) {
            Objects.requireNonNull(field, "an invalid request names its field");
        }
    }

    /** What a client reads: {@code field: message}, or the message alone. */
    public String text() {
        return field == null ? message : field + ": " + message;
    }

    /** The exception of the service ({@code NetworkService}) this refusal stands for. */
    public RuntimeException toException() {
        return switch (kind) {
            case INVALID -> new ValidationException(field, message);
            case CONFLICT -> new ConflictException(text());
            case NOT_FOUND -> new NotFoundException(text());
            case UNAVAILABLE, DUPLICATE -> new UnavailableException(text());
        };
    }
}
