package io.portmesh.loadtest.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A minimal JSON client for the controller's REST API, for the demo and the load tests. */
public final class RestClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final Duration timeout;

    public RestClient(String base) {
        this(base, Duration.ofSeconds(30));
    }

    /** A client whose requests each give up after {@code timeout} (an HttpTimeoutException). */
    public RestClient(String base, Duration timeout) {
        this.base = base;
        this.timeout = timeout;
    }

    /** The base URL the paths are appended to, e.g. {@code http://127.0.0.1:8080}. */
    public String base() {
        return base;
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
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    /** A plain-text resource (such as /metrics), or an exception naming the status. */
    public String text(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /** The status of a GET, whatever its body (a health endpoint may answer plain text). */
    public int statusOf(String path) throws IOException, InterruptedException {
        return http.send(
                        HttpRequest.newBuilder(URI.create(base + path))
                                .timeout(timeout)
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    public Response post(String path, Object body) throws IOException, InterruptedException {
        return send(json(path, body).POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    public Response put(String path, Object body) throws IOException, InterruptedException {
        return send(json(path, body).PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    public Response delete(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
    }

    /** Like {@link #post} etc. but fails with the API's error message on a non-2xx answer. */
    public JsonNode expectOk(Response r, String what) {
        if (!r.ok()) {
            throw new IllegalStateException(what + " failed with " + r.status() + ": " + r.body());
        }
        return r.body();
    }

    private HttpRequest.Builder json(String path, Object body) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json");
    }

    private Response send(HttpRequest.Builder b) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(b.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = r.body() == null || r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.body());
        return new Response(
                r.statusCode(), body, r.headers().firstValue("Retry-After").orElse(null));
    }
}
