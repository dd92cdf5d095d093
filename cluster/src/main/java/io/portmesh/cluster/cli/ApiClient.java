package io.portmesh.cluster.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/** A thin HTTP client for the controller's REST API: one request, the status and the body, nothing hidden. */
final class ApiClient {
    record Reply(int status, String body) {}

    private final URI base;
    private final Duration timeout;
    private final ObjectMapper mapper;
    private final HttpClient http;
    private final Optional<String> token;

    /**
     * @param token sent as {@code Authorization: Bearer} on every request when present
     * @param tls what an https:// URL's server must prove; null for the JDK's trusted CAs
     */
    ApiClient(URI base, Duration timeout, ObjectMapper mapper, Optional<String> token, SSLContext tls) {
        this.base = base;
        this.timeout = timeout;
        this.mapper = mapper;
        this.token = token;
        HttpClient.Builder b = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER);
        this.http = (tls == null ? b : b.sslContext(tls)).build();
    }

    boolean hasToken() {
        return token.isPresent();
    }

    URI base() {
        return base;
    }

    /** {@code body} is serialized to JSON when not null. */
    Reply send(String method, String path, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder req =
                HttpRequest.newBuilder(resolve(path)).timeout(timeout).header("Accept", "application/json");
        token.ifPresent(t -> req.header("Authorization", "Bearer " + t));
        if (body == null) {
            req.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            req.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json(body)));
        }
        HttpResponse<String> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Reply(resp.statusCode(), resp.body());
    }

    private URI resolve(String path) {
        String b = base.toString();
        return URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) + path : b + path);
    }

    private String json(Object body) {
        try {
            return mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode request body", e);
        }
    }

    /**
     * Percent-encodes one path segment. Ids are validated by the server; encoding keeps a typo such as
     * {@code a/b} from silently addressing another resource.
     */
    static String segment(String raw) {
        StringBuilder sb = new StringBuilder(raw.length());
        for (byte b : raw.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if ((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '.'
                    || c == '_'
                    || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return sb.toString();
    }
}
