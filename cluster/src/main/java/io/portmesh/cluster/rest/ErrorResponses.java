package io.portmesh.cluster.rest;

import io.portmesh.model.ValidationException;
import io.portmesh.sharding.service.ConflictException;
import io.portmesh.sharding.service.NotFoundException;
import io.portmesh.sharding.service.UnavailableException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.http.scaladsl.model.IllegalRequestException;
import org.apache.pekko.pattern.AskTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Maps every failure, ours or the service's, to the JSON error shape; the only place that picks error codes. */
final class ErrorResponses {
    private static final Logger log = LoggerFactory.getLogger(ErrorResponses.class);
    private static final int MAX_UNWRAP = 8;
    /** What a client needs to know of a request that did not complete: a change may have happened all the same. */
    static final String MAY_BE_APPLIED =
            "a change it asked for may or may not have been applied: read the state back before retrying";

    private ErrorResponses() {}

    /**
     * {@code because}: why entities may not answer now, as the node knows it ({@link NodeHealth#unavailableBecause});
     * it leads the message of a 503, whose end says when to retry.
     */
    static HttpResponse fromThrowable(Throwable thrown, Supplier<Optional<String>> because) {
        Throwable t = unwrap(thrown);
        if (t instanceof ApiException e) {
            return JsonCodec.error(e.status(), e.code(), e.getMessage());
        }
        if (t instanceof ValidationException e) {
            return JsonCodec.error(400, "invalid", e.getMessage());
        }
        if (t instanceof NotFoundException e) {
            return JsonCodec.error(404, "not_found", e.getMessage());
        }
        if (t instanceof ConflictException e) {
            return JsonCodec.error(409, "conflict", e.getMessage());
        }
        if (t instanceof UnavailableException e) {
            log.warn("service unavailable: {}", e.getMessage());
            return unavailable(e.getMessage(), because.get());
        }
        if (t instanceof EntityStreamSizeException e) {
            // a body streamed in past the size limit (the limit is only checked as the body arrives)
            return JsonCodec.error(413, codeFor(413), "request body exceeds the limit of " + e.limit() + " bytes");
        }
        if (t instanceof EntityStreamException e) {
            // a body the HTTP layer could not read, such as a malformed chunk of a chunked body
            return JsonCodec.error(
                    400, codeFor(400), "request body: " + e.info().formatPretty());
        }
        if (t instanceof IllegalRequestException e) {
            int status = e.status().intValue();
            return JsonCodec.error(
                    status, codeFor(status), "request: " + e.info().formatPretty());
        }
        if (t instanceof TimeoutException || t instanceof AskTimeoutException) {
            log.warn("service did not answer in time: {}", t.toString());
            // the service says which entity did not answer; this is only for a timeout that reached here without it
            return unavailable("the controller did not answer in time; " + MAY_BE_APPLIED, because.get());
        }
        // The cause stays in the log: a stack trace in a response leaks internals and helps no client.
        log.error("internal error while serving a request", thrown);
        return JsonCodec.error(500, "internal", "internal error; see the controller log");
    }

    /**
     * A 503: what did not answer ({@code what}, which says whether a change may have been applied), led by why when
     * the node knows it, and when to retry (the {@code Retry-After} header says the same).
     */
    static HttpResponse unavailable(String what, Optional<String> because) {
        String message =
                because.map(b -> b + "; ").orElse("") + what + "; retry after " + JsonCodec.RETRY_AFTER_SECONDS + " s";
        return JsonCodec.error(503, "unavailable", message);
    }

    /** Futures wrap the real failure; look through a bounded number of wrappers. */
    static Throwable unwrap(Throwable t) {
        Throwable cur = t;
        for (int i = 0; i < MAX_UNWRAP; i++) {
            if ((cur instanceof CompletionException || cur instanceof ExecutionException) && cur.getCause() != null) {
                cur = cur.getCause();
            } else {
                break;
            }
        }
        return cur;
    }

    /**
     * Pekko's default rejection handler picks the right status (404, 405 with Allow, 415, ...) and a useful text; this
     * keeps both and puts the text into the JSON error shape.
     */
    static HttpResponse fromRejection(HttpResponse plain) {
        int status = plain.status().intValue();
        String message = plain.entity() instanceof HttpEntity.Strict strict
                ? strict.getData().decodeString(StandardCharsets.UTF_8)
                : plain.status().reason();
        return JsonCodec.error(status, codeFor(status), message).withHeaders(plain.getHeaders());
    }

    /** The error code of a refusal that has no more specific one: one code per HTTP status. */
    static String codeFor(int status) {
        return switch (status) {
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 413 -> "too_large";
            case 414 -> "uri_too_long";
            case 415 -> "unsupported_media_type";
            case 431 -> "headers_too_large";
            case 505 -> "http_version_not_supported";
            default -> status >= 500 ? "internal" : "bad_request";
        };
    }
}
