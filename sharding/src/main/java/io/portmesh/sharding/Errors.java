package io.portmesh.sharding;

import io.portmesh.model.ValidationException;
import io.portmesh.sharding.service.ConflictException;
import io.portmesh.sharding.service.NotFoundException;
import io.portmesh.sharding.service.UnavailableException;
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
 * Entity replies cross nodes, and only a plain message survives that (Pekko serializes a StatusReply error as its
 * text). So an error is a text with a kind prefix, and {@link #toException} turns it back into the exception the
 * northbound API maps to a status code.
 */
public final class Errors {
    private static final Logger log = LoggerFactory.getLogger(Errors.class);
    private static final String INVALID = "invalid|";
    private static final String CONFLICT = "conflict|";
    private static final String NOT_FOUND = "not_found|";
    private static final String UNAVAILABLE = "unavailable|";
    /** The entity type, id and wait in the text of Pekko's timeout of an ask to a sharded entity. */
    private static final Pattern ENTITY_ASK =
            Pattern.compile("EntityRef\\(EntityTypeKey\\[[^\\]]*\\]\\(([^)]+)\\), ([^)]+)\\)\\] after \\[(\\d+) ms\\]");
    /** A qualified Java class name that ends like an exception's: {@code org.apache.pekko.pattern.AskTimeoutException}. */
    private static final Pattern EXCEPTION_NAME =
            Pattern.compile("\\b(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error)\\b");

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

    /**
     * An entity's own error reply is passed on as it is; anything else (a timeout) becomes unavailable, in words (see
     * {@link #describe}).
     */
    public static <T> StatusReply<T> passOn(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof StatusReply.ErrorMessage) {
            return StatusReply.error(cause.getMessage());
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
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof TimeoutException) { // Pekko's AskTimeoutException is one
            return timeoutWords(String.valueOf(cause.getMessage()));
        }
        return "an entity it asked failed (the controller log has the cause)";
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

    /**
     * Texts that an entity built from an exception's {@code toString} (a host fan-out that timed out, a member fetch
     * that failed) lose the exception: from its class name on, the text becomes words. A 503 body must not carry them.
     */
    static String withoutExceptionText(String text) {
        Matcher m = EXCEPTION_NAME.matcher(text);
        if (!m.find()) {
            return text;
        }
        String exception = text.substring(m.start());
        if (exception.contains("TimeoutException")) {
            return text.substring(0, m.start()) + timeoutWords(exception);
        }
        log.warn("an entity answered unavailable: {}", text); // the 503 only says that it failed
        return text.substring(0, m.start()) + "an entity it asked failed (the controller log has the cause)";
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
            return new UnavailableException(withoutExceptionText(text.substring(UNAVAILABLE.length())));
        }
        return new IllegalStateException(text);
    }
}
