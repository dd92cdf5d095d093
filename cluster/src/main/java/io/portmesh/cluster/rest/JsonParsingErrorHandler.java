package io.portmesh.cluster.rest;

import java.util.Locale;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers the requests that Pekko HTTP refuses while parsing, before any route runs (a bad request line, method or
 * HTTP version, a malformed header or request target, a request target over the length limit), with the API's JSON
 * error instead of Pekko's plain text, and with a message that says which part of the request is wrong. Pekko
 * creates it by class name ({@link RestServer} names it), hence public with a no-argument constructor.
 */
public final class JsonParsingErrorHandler extends ParsingErrorHandler {
    private static final String ILLEGAL_TARGET = "Illegal request-target";

    @Override
    public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
        int code = status.intValue();
        String message = message(code, info, settings.parserSettings().maxUriLength());
        // info, not warning: anyone who can connect can make these, and they are the client's problem
        log.info("refused an unparsable request with {}: {}", code, info.formatPretty());
        return JsonCodec.error(code, ErrorResponses.codeFor(code), message);
    }

    static String message(int status, ErrorInfo info, int maxUriLength) {
        String summary = info.summary();
        if (summary.startsWith("Unsupported HTTP method")) {
            if (info.detail().contains("0x16")) {
                return "request line: this port speaks plain HTTP and the request looks like TLS; use http://";
            }
            // RestServer sets max-method-length to 1, so an unknown method is refused here as soon as its first byte
            // is read; a longer limit made the parser wait for more bytes after a short garbage line, and the client
            // for its answer until the idle timeout
            return "request line: does not start with an HTTP method and a space (the API serves GET, HEAD, POST, PUT"
                    + " and DELETE); expected METHOD /path HTTP/1.1";
        }
        return switch (status) {
            case 414 ->
                "request target: longer than the limit of " + maxUriLength
                        + " characters (an id in a path has at most 64)";
            case 505 ->
                "request line: expected HTTP/1.1 or HTTP/1.0 after the request target"
                        + " (a space inside a path must be written %20)";
            default -> {
                if (summary.startsWith(ILLEGAL_TARGET)) {
                    // the summary goes on with where the URI parser stopped: "Invalid input 'z', expected HEXDIG ..."
                    String where = summary.substring(ILLEGAL_TARGET.length()).replaceFirst("^: *", "");
                    yield "request target: not a valid path and query (" + where
                            + "); percent-encode any other character";
                }
                String part = summary.toLowerCase(Locale.ROOT).contains("header") ? "header" : "request";
                yield part + ": " + info.formatPretty();
            }
        };
    }
}
