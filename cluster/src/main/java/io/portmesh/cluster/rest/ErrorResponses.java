package io.portmesh.cluster.rest;

import io.portmesh.model.ValidationException;
import io.portmesh.sharding.service.ConflictException;
import io.portmesh.sharding.service.NotFoundException;
import io.portmesh.sharding.service.UnavailableException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.pattern.AskTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Maps every failure, ours or the service's, to the JSON error shape; the only place that picks error codes. */
final class ErrorResponses {
    private static final Logger log = LoggerFactory.getLogger(ErrorResponses.class);
    private static final int MAX_UNWRAP = 8;

    private ErrorResponses() {}

    static HttpResponse fromThrowable(Throwable thrown) {
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
            return JsonCodec.error(503, "unavailable", e.getMessage());
        }
        if (t instanceof TimeoutException || t instanceof AskTimeoutException) {
            log.warn("service did not answer in time: {}", t.toString());
            return JsonCodec.error(503, "unavailable", "the controller did not answer in time; retry");
        }
        // The cause stays in the log: a stack trace in a response leaks internals and helps no client.
        log.error("internal error while serving a request", thrown);
        return JsonCodec.error(500, "internal", "internal error; see the controller log");
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
     * Pekko's default rejection handler picks the right status (404, 405 with Allow, 413, 415, ...) and a useful
     * text; this keeps both and puts the text into the JSON error shape.
     */
    static HttpResponse fromRejection(HttpResponse plain, long maxBodyBytes) {
        int status = plain.status().intValue();
        String message;
        if (status == 413) {
            // Pekko's text calls an oversized body "malformed" and points at server settings; say what to change.
            message = "request body exceeds the limit of " + maxBodyBytes + " bytes";
        } else if (plain.entity() instanceof HttpEntity.Strict strict) {
            message = strict.getData().decodeString(StandardCharsets.UTF_8);
        } else {
            message = plain.status().reason();
        }
        HttpResponse json = JsonCodec.error(status, codeFor(status), message);
        return json.withHeaders(plain.getHeaders());
    }

    private static String codeFor(int status) {
        return switch (status) {
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 413 -> "too_large";
            case 415 -> "unsupported_media_type";
            default -> status >= 500 ? "internal" : "bad_request";
        };
    }
}
