package io.portmesh.cluster.rest;

import io.portmesh.sharding.logging.OncePerWindow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API's door: with {@link RestAuth} on, a request reaches the routes only with a bearer token whose role
 * allows its method, or on an open path. 401 (with {@code WWW-Authenticate: Bearer}, RFC 6750) when the token is
 * missing or not accepted, 403 when its role may not do this; both in the API's JSON error shape. Refusals are logged
 * with why, never with the token, at most one line per kind in {@link #LOG_WINDOW}.
 */
final class AccessControl extends AllDirectives {
    private static final Logger log = LoggerFactory.getLogger(AccessControl.class);
    static final String REALM = "portmesh";
    private static final String BEARER = "bearer";

    /**
     * Refusals are logged at most once per kind (status and why) in this window, the ones not logged counted in the
     * next line: a client without a token, or a scanner, would otherwise write a line per request.
     */
    static final Duration LOG_WINDOW = Duration.ofSeconds(10);

    private static final OncePerWindow LINES = new OncePerWindow(LOG_WINDOW, 64, System::nanoTime);

    private final RestAuth auth;

    private AccessControl(RestAuth auth) {
        this.auth = auth;
    }

    /** {@code inner} behind the door that {@code auth} describes (no door when it is off). */
    static Route guard(RestAuth auth, Supplier<Route> inner) {
        return auth.enabled() ? new AccessControl(auth).guarded(inner) : inner.get();
    }

    private Route guarded(Supplier<Route> inner) {
        return extractRequest(req -> {
            if (auth.openPaths().contains(req.getUri().path())) {
                return inner.get();
            }
            return check(req).map(this::complete).orElseGet(inner);
        });
    }

    /** The refusal of {@code req}, or empty when it may pass. */
    private Optional<HttpResponse> check(HttpRequest req) {
        List<String> values = new ArrayList<>();
        for (HttpHeader h : req.getHeaders()) {
            if (h.is("authorization")) {
                values.add(h.value());
            }
        }
        String what = req.method().value() + " " + req.getUri().path();
        if (values.isEmpty()) {
            return Optional.of(
                    unauthorized(what, false, "no bearer token; send the header Authorization: Bearer <token>"));
        }
        if (values.size() > 1) {
            return Optional.of(unauthorized(what, true, "more than one Authorization header; send one"));
        }
        String value = values.get(0).strip();
        int space = value.indexOf(' ');
        String scheme = space < 0 ? value : value.substring(0, space);
        if (!scheme.equalsIgnoreCase(BEARER)) {
            return Optional.of(unauthorized(
                    what,
                    true,
                    "the Authorization header is not a bearer token;" + " send Authorization: Bearer <token>"));
        }
        String token = space < 0 ? "" : value.substring(space + 1).strip();
        if (token.isEmpty()) {
            return Optional.of(unauthorized(what, true, "the Authorization header has no token after Bearer"));
        }
        Optional<Role> role =
                TokenFile.TOKEN_SYNTAX.matcher(token).matches() ? auth.tokens().roleOf(token) : Optional.empty();
        if (role.isEmpty()) {
            return Optional.of(unauthorized(what, true, "the bearer token is not one this API accepts"));
        }
        if (!role.get().allows(req.method())) {
            logRefusal(what, 403, "the token's role is " + role.get().configName());
            return Optional.of(JsonCodec.error(
                    403,
                    "forbidden",
                    "the " + role.get().configName() + " role may only read (GET, HEAD); " + what
                            + " needs the admin role"));
        }
        return Optional.empty();
    }

    private static void logRefusal(String what, int status, String why) {
        OptionalLong admitted = LINES.admit(status + " " + why);
        if (admitted.isPresent()) {
            long notLogged = admitted.getAsLong();
            log.info(
                    "refused {} ({}): {}{}",
                    OncePerWindow.printable(what),
                    status,
                    why,
                    notLogged == 0 ? "" : " [" + notLogged + " more refused so since the last line, not logged]");
        }
    }

    /**
     * 401 with the challenge; {@code invalid}: a token (or something in its place) was sent and refused, which RFC
     * 6750 tells apart from no credentials at all with {@code error="invalid_token"}.
     */
    private static HttpResponse unauthorized(String what, boolean invalid, String why) {
        logRefusal(what, 401, why);
        HttpChallenge challenge = invalid
                ? HttpChallenge.create("Bearer", REALM, Map.of("error", "invalid_token"))
                : HttpChallenge.create("Bearer", REALM);
        return JsonCodec.error(401, "unauthorized", why).addHeader(WWWAuthenticate.create(challenge));
    }
}
