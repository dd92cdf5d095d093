package io.portmesh.sharding;

import io.portmesh.model.ValidationException;
import io.portmesh.sharding.service.ConflictException;
import io.portmesh.sharding.service.NotFoundException;
import io.portmesh.sharding.service.UnavailableException;
import java.util.concurrent.CompletionException;
import org.apache.pekko.pattern.StatusReply;

/**
 * Entity replies cross nodes, and only a plain message survives that (Pekko serializes a StatusReply error as its
 * text). So an error is a text with a kind prefix, and {@link #toException} turns it back into the exception the
 * northbound API maps to a status code.
 */
public final class Errors {
    private static final String INVALID = "invalid|";
    private static final String CONFLICT = "conflict|";
    private static final String NOT_FOUND = "not_found|";
    private static final String UNAVAILABLE = "unavailable|";

    private Errors() {}

    public static <T> StatusReply<T> invalid(String field, String message) {
        return StatusReply.error(INVALID + field + "|" + message);
    }

    public static <T> StatusReply<T> invalid(ValidationException e) {
        return invalid(e.field(), e.reason());
    }

    public static <T> StatusReply<T> conflict(String message) {
        return StatusReply.error(CONFLICT + message);
    }

    /** A value already taken by someone else (409), named like a validation error: {@code field: reason}. */
    public static <T> StatusReply<T> conflict(String field, String reason) {
        return conflict(field + ": " + reason);
    }

    public static <T> StatusReply<T> notFound(String message) {
        return StatusReply.error(NOT_FOUND + message);
    }

    /** Another entity did not answer or could not persist: the request may be retried (503). */
    public static <T> StatusReply<T> unavailable(String message) {
        return StatusReply.error(UNAVAILABLE + message);
    }

    /** An entity's own error reply is passed on as it is; anything else (a timeout) becomes unavailable. */
    public static <T> StatusReply<T> passOn(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        return cause instanceof StatusReply.ErrorMessage
                ? StatusReply.error(cause.getMessage())
                : unavailable(cause.toString());
    }

    /** Did an entity answer with an error (as opposed to not answering at all)? */
    public static boolean isEntityError(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        return cause instanceof StatusReply.ErrorMessage;
    }

    /** The exception an entity's error reply stands for; other failures (timeouts) are returned unchanged. */
    public static Throwable toException(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (!(cause instanceof StatusReply.ErrorMessage)) {
            return cause;
        }
        String text = cause.getMessage();
        if (text.startsWith(INVALID)) {
            String rest = text.substring(INVALID.length());
            int bar = rest.indexOf('|');
            return new ValidationException(rest.substring(0, bar), rest.substring(bar + 1));
        } else if (text.startsWith(CONFLICT)) {
            return new ConflictException(text.substring(CONFLICT.length()));
        } else if (text.startsWith(NOT_FOUND)) {
            return new NotFoundException(text.substring(NOT_FOUND.length()));
        } else if (text.startsWith(UNAVAILABLE)) {
            return new UnavailableException(text.substring(UNAVAILABLE.length()));
        }
        return new IllegalStateException(text);
    }
}
