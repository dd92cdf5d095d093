package io.portmesh.sharding;

import io.portmesh.model.ValidationException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes and reads entity error replies. An entity refuses a command with a {@code StatusReply} whose error is an
 * {@link EntityErrorException}: a typed {@link EntityError} (kind, field, message) that crosses nodes whole (see there
 * how), so that {@link #toException} maps it to the exception the northbound API maps to a status code without reading
 * any text. A failure that is not an entity's answer (a timeout) is put in words by {@link #describe}.
 */
public final class Errors {
    private static final Logger log = LoggerFactory.getLogger(Errors.class);
    /** The entity type, id and wait in the text of Pekko's timeout of an ask to a sharded entity. */
    private static final Pattern ENTITY_ASK =
            Pattern.compile("EntityRef\\(EntityTypeKey\\[[^\\]]*\\]\\(([^)]+)\\), ([^)]+)\\)\\] after \\[(\\d+) ms\\]");

    private Errors() {}

    public static <T> StatusReply<T> error(EntityError.Kind kind, String field, String message) {
        return StatusReply.error(new EntityErrorException(new EntityError(kind, field, message)));
    }

    public static <T> StatusReply<T> invalid(String field, String message) {
        return error(EntityError.Kind.INVALID, field, message);
    }

    public static <T> StatusReply<T> invalid(ValidationException e) {
        return invalid(e.field(), e.reason());
    }

    public static <T> StatusReply<T> conflict(String message) {
        return error(EntityError.Kind.CONFLICT, null, message);
    }

    /** A value already taken by someone else (409), named like a validation error: {@code field: reason}. */
    public static <T> StatusReply<T> conflict(String field, String reason) {
        return error(EntityError.Kind.CONFLICT, field, reason);
    }

    public static <T> StatusReply<T> notFound(String message) {
        return error(EntityError.Kind.NOT_FOUND, null, message);
    }

    /** Another entity did not answer or could not persist: the request may be retried (503). */
    public static <T> StatusReply<T> unavailable(String message) {
        return error(EntityError.Kind.UNAVAILABLE, null, message);
    }

    /** A resent copy of a request handled already: see {@link EntityError.Kind#DUPLICATE}. */
    public static <T> StatusReply<T> duplicate(String message) {
        return error(EntityError.Kind.DUPLICATE, null, message);
    }

    /**
     * An entity's own error reply is passed on as it is; anything else (a timeout) becomes unavailable, in words (see
     * {@link #describe}).
     */
    public static <T> StatusReply<T> passOn(Throwable t) {
        Throwable cause = unwrap(t);
        if (cause instanceof EntityErrorException e) {
            return StatusReply.error(e);
        }
        if (!(cause instanceof TimeoutException)) {
            log.warn("an entity's ask failed; answering unavailable", cause); // the 503 only says that it failed
        }
        return unavailable(describe(cause));
    }

    /**
     * A failure that is not an entity's answer, in words a client can read: which entity did not answer and how long
     * it was waited for, when the ask says so. Never the exception's class or text, which name the controller's
     * internals and end up in a 503's body.
     */
    public static String describe(Throwable t) {
        Throwable cause = unwrap(t);
        if (cause instanceof TimeoutException) { // Pekko's AskTimeoutException is one
            return timeoutWords(String.valueOf(cause.getMessage()));
        }
        return "an entity it asked failed (the controller log has the cause)";
    }

    /**
     * Any failure of an ask, in words a client can read: an entity's refusal is its own text, anything else is
     * {@link #describe described} (and logged when it is not a timeout, as the words then only say that it failed).
     */
    public static String words(Throwable t) {
        Throwable cause = unwrap(t);
        if (cause instanceof EntityErrorException e) {
            return e.error().text();
        }
        if (!(cause instanceof TimeoutException)) {
            log.warn("an entity's ask failed", cause);
        }
        return describe(cause);
    }

    /** {@code 5 s}, {@code 0.5 s}: how long something was waited for. */
    public static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0
                ? (ms / 1000) + " s"
                : BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString() + " s";
    }

    /** Pekko names the entity an ask went to: "Ask timed out on [EntityRef(EntityTypeKey[..](Host), esx-1)] after [5000 ms]". */
    private static String timeoutWords(String askMessage) {
        Matcher m = ENTITY_ASK.matcher(askMessage);
        if (!m.find()) {
            return "an entity it asked did not answer in time";
        }
        return m.group(1) + " " + m.group(2) + " did not answer in time (waited "
                + seconds(Duration.ofMillis(Long.parseLong(m.group(3)))) + ")";
    }

    /** Did an entity answer with an error (as opposed to not answering at all)? */
    public static boolean isEntityError(Throwable t) {
        return unwrap(t) instanceof EntityErrorException;
    }

    /** Did an entity answer with an error of this kind? */
    public static boolean is(Throwable t, EntityError.Kind kind) {
        return unwrap(t) instanceof EntityErrorException e && e.kind() == kind;
    }

    /** The exception an entity's error reply stands for; other failures (timeouts) are returned unchanged. */
    public static Throwable toException(Throwable t) {
        Throwable cause = unwrap(t);
        return cause instanceof EntityErrorException e ? e.error().toException() : cause;
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
