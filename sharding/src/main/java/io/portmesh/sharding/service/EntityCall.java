package io.portmesh.sharding.service;

import io.portmesh.sharding.Errors;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * What one ask of the service asks of which entity, so that an ask that does not complete (503) says in words what
 * did not answer, whether the change may have been applied, and what the caller can do. Never an exception's class
 * name: a client cannot act on it, and it names the controller's internals.
 *
 * @param entity what was asked, as a client knows it: "switch blue", "the VNI registry"
 * @param action what it was asked to do, for a change ("bind to host esx-1"); null for a read
 * @param readBack what the caller should read before retrying a change ("port p-1"); null for a read
 * @param resendable whether the entity answers a duplicate of the command as it answered the first, so that it may be
 *     resent when a member is removed while it waits ({@code AskResender}; docs/architecture.md 7.3)
 */
record EntityCall(String entity, String action, String readBack, boolean resendable) {
    /** A read: resendable. */
    static EntityCall read(String entity) {
        return new EntityCall(entity, null, null, true);
    }

    /** A change that must not be sent twice (a second one would do more, or answer otherwise). */
    static EntityCall change(String entity, String action, String readBack) {
        return new EntityCall(entity, action, readBack, false);
    }

    /** A change whose duplicate the entity answers as the first and changes nothing more: resendable. */
    static EntityCall idempotentChange(String entity, String action, String readBack) {
        return new EntityCall(entity, action, readBack, true);
    }

    /**
     * The failure as the caller sees it: a timeout, or an entity's own "unavailable" (something it asked did not
     * answer), becomes an {@link UnavailableException} that says all of the above; any other failure is unchanged.
     */
    Throwable explain(Throwable failure, Duration waited) {
        if (failure instanceof TimeoutException) {
            String what = action == null ? "" : " to " + action;
            return new UnavailableException(
                    entity + " did not answer" + what + " in time (waited " + Errors.seconds(waited) + ")" + advice());
        }
        if (failure instanceof UnavailableException e) {
            String what = action == null ? "answer" : action;
            return new UnavailableException(entity + " could not " + what + ": " + e.getMessage() + advice());
        }
        return failure;
    }

    private String advice() {
        return readBack == null
                ? "; nothing was changed, and the request may be retried"
                : "; the change may or may not have been applied: read " + readBack + " back before retrying";
    }
}
