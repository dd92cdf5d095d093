package io.portmesh.loadtest.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/** A minimal JSON client for the controller's REST API, for the demo and the load tests. */
public final class RestClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private final HttpClient http;
    private final String base;
    private final Duration timeout;
    private final Access access;

    /**
     * How a client reaches the API: plain HTTP without a token ({@link #PLAIN}, the default), or HTTPS trusting
     * {@code tls} and sending {@code token} as {@code Authorization: Bearer} on every request (the API with
     * {@code portmesh.rest.tls} and {@code portmesh.rest.auth} on).
     *
     * @param tls what the server's certificate must chain to; null: plain HTTP
     * @param token the bearer token; null: none sent
     */
    public record Access(SSLContext tls, String token) {
        public static final Access PLAIN = new Access(null, null);

        /** {@code https} with a TLS context, else {@code http}. */
        public String scheme() {
            return tls == null ? "http" : "https";
        }
    }

    public RestClient(String base) {
        this(base, DEFAULT_TIMEOUT);
    }

    /** A client whose requests each give up after {@code timeout} (an HttpTimeoutException). */
    public RestClient(String base, Duration timeout) {
        this(base, timeout, Access.PLAIN);
    }

    /** A client of {@code base} (whose scheme must be {@code access}'s) with its TLS context and token. */
    public RestClient(String base, Access access) {
        this(base, DEFAULT_TIMEOUT, access);
    }

    public RestClient(String base, Duration timeout, Access access) {
        this.base = base;
        this.timeout = timeout;
        this.access = access;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        this.http = (access.tls() == null ? b : b.sslContext(access.tls())).build();
    }

    /** The base URL the paths are appended to, e.g. {@code http://127.0.0.1:8080}. */
    public String base() {
        return base;
    }

    /** This client's TLS context and token. */
    public Access access() {
        return access;
    }

    /** An answer; {@code retryAfter} is the Retry-After header when there was one, else null. */
    public record Response(int status, JsonNode body, String retryAfter) {
        public Response(int status, JsonNode body) {
            this(status, body, null);
        }

        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    public Response get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    /** A plain-text resource (such as /metrics), or an exception naming the status. */
    public String text(String path) throws IOException, InterruptedException {
        HttpResponse<String> r =
                http.send(request(path).timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /** The status of a GET, whatever its body (a health endpoint may answer plain text). */
    public int statusOf(String path) throws IOException, InterruptedException {
        return http.send(request(path).timeout(timeout).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    public Response post(String path, Object body) throws IOException, InterruptedException {
        return send(json(path, body).POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    public Response put(String path, Object body) throws IOException, InterruptedException {
        return send(json(path, body).PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    public Response delete(String path) throws IOException, InterruptedException {
        return send(request(path).DELETE());
    }

    /** Like {@link #post} etc. but fails with the API's error message on a non-2xx answer. */
    public JsonNode expectOk(Response r, String what) {
        if (!r.ok()) {
            throw new IllegalStateException(what + " failed with " + r.status() + ": " + r.body());
        }
        return r.body();
    }

    private HttpRequest.Builder json(String path, Object body) {
        return request(path).header("Content-Type", "application/json");
    }

    /** A request to {@code path} carrying the token, if this client has one. */
    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        return access.token() == null ? b : b.header("Authorization", "Bearer " + access.token());
    }

    private Response send(HttpRequest.Builder b) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(b.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = r.body() == null || r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.body());
        return new Response(
                r.statusCode(), body, r.headers().firstValue("Retry-After").orElse(null));
    }
}
