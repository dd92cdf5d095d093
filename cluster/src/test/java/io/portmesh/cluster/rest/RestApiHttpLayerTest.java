package io.portmesh.cluster.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The refusals of the HTTP layer itself, which come before any route: sent over a raw socket, since an HTTP client
 * would not send these bytes. Each one must be the API's JSON error, and the server must close the connection at once
 * rather than wait for bytes that will never come.
 */
class RestApiHttpLayerTest {
    /** Far below the 60 s idle timeout that used to close a connection whose request line was garbage. */
    private static final int ANSWER_WITHIN_MS = 5_000;

    @RegisterExtension
    static final RestServerExtension rest = new RestServerExtension("rest-http-layer-test", RestSettings.DEFAULTS);

    /** What came back on one connection: the status, the headers in lowercase, the body, and whether it was closed. */
    private record Raw(int status, String headers, String body, boolean closed) {
        String header(String name) {
            String key = name.toLowerCase(Locale.ROOT) + ": ";
            for (String line : headers.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith(key)) {
                    return line.substring(key.length());
                }
            }
            return null;
        }
    }

    /** Sends {@code request} as it is, then reads until the server closes the connection or the time is up. */
    private static Raw exchange(String request) {
        try (Socket socket = new Socket("127.0.0.1", rest.server().baseUri().getPort())) {
            socket.setSoTimeout(ANSWER_WITHIN_MS);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            boolean closed = false;
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    received.write(buffer, 0, n);
                }
                closed = true;
            } catch (SocketTimeoutException e) {
                // still open after the time: the assertion on `closed` reports it
            }
            String text = received.toString(StandardCharsets.UTF_8);
            assertThat(text).as("an answer to %s", request).startsWith("HTTP/1.1 ");
            int end = text.indexOf("\r\n\r\n");
            return new Raw(
                    Integer.parseInt(text.substring(9, 12)), text.substring(0, end), text.substring(end + 4), closed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Asserts a JSON error answered on a connection the server closed; returns its message. */
    private static String assertJsonError(String request, int status, String code) {
        Raw r = exchange(request);
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        JsonNode body;
        try {
            body = JsonCodec.mapper().readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
        assertThat(body.get("error").asText()).isEqualTo(code);
        assertThat(body.size()).isEqualTo(2);
        assertThat(r.closed()).as("connection closed after the refusal").isTrue();
        assertThat(rest.fake().calls()).as("nothing reaches the service").isEmpty();
        return body.get("message").asText();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"GARBAGE\r\n\r\n", "x\r\n", "\r\n\r\n", "\u0001\u0002\u0003\r\n", "{\"name\":\"a\"}\r\n"})
    void aGarbageRequestLineIsAnswered400AtOnce(String line) {
        String message = assertJsonError(line, 400, "bad_request");
        assertThat(message).startsWith("request line: does not start with an HTTP method");
    }

    /**
     * An unknown method is refused as soon as its first byte is read (see RestServer), so it cannot be told from
     * garbage: 400, not 501.
     */
    @Test
    void anUnknownMethodIs400NamingTheMethodsTheApiServes() {
        String message = assertJsonError("FOO /v1/switches HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request");
        assertThat(message).contains("GET, HEAD, POST, PUT and DELETE");
    }

    @Test
    void aKnownMethodTheRouteDoesNotServeIs405WithAllow() {
        Raw r = exchange("PATCH /v1/switches HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(r.status()).isEqualTo(405);
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.header("Allow")).contains("GET", "POST");
        assertThat(r.body()).contains("\"error\":\"method_not_allowed\"");
    }

    @Test
    void tlsOnThePlainPortIsTold() {
        assertThat(assertJsonError("\u0016\u0003\u0001\u0000\u00a5\u0001", 400, "bad_request"))
                .contains("looks like TLS");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"HTTP/3.7", "HTTP/2.0", "HTTP/1.1x", "FOO"})
    void anUnsupportedHttpVersionIs505(String version) {
        String message = assertJsonError(
                "GET /v1/switches " + version + "\r\nHost: x\r\n\r\n", 505, "http_version_not_supported");
        assertThat(message).startsWith("request line: expected HTTP/1.1 or HTTP/1.0");
    }

    @Test
    void aSpaceInThePathIsExplained() {
        assertThat(assertJsonError("GET /v1/sw itches HTTP/1.1\r\nHost: x\r\n\r\n", 505, "http_version_not_supported"))
                .contains("%20");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/v1/%zz", "/v1/switches?wait=%zz", "/v1/ports/a\u00e9b"})
    void aMalformedRequestTargetIs400(String target) {
        String message = assertJsonError("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request");
        assertThat(message).startsWith("request target: not a valid path and query (");
    }

    @Test
    void aRequestTargetOverTheLimitIs414NamingTheLimit() {
        String message = assertJsonError(
                "GET /v1/ports/" + "a".repeat(2100) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri_too_long");
        assertThat(message)
                .isEqualTo("request target: longer than the limit of 2048 characters (an id in a path has"
                        + " at most 64)");
    }

    @Test
    void aMalformedHeaderIs400NamingTheHeader() {
        assertThat(assertJsonError("GET /v1/switches HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", 400, "bad_request"))
                .isEqualTo("header: Illegal character ' ' in header name");
        assertThat(assertJsonError(
                        "POST /v1/switches HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400, "bad_request"))
                .startsWith("header: Illegal `Content-Length` header value");
        assertThat(assertJsonError("GET /v1/switches HTTP/1.1\r\n\r\n", 400, "bad_request"))
                .contains("`Host` header");
    }

    @Test
    void aHeaderOverTheLimitIs431() {
        assertThat(assertJsonError(
                        "GET /v1/switches HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(9000) + "\r\n\r\n",
                        431,
                        "headers_too_large"))
                .startsWith("header: ")
                .contains("8192");
    }

    @Test
    void anUnsupportedTransferEncodingIs400() {
        assertThat(assertJsonError(
                        "POST /v1/switches HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                + "Transfer-Encoding: gzip\r\n\r\n",
                        400,
                        "bad_request"))
                .contains("Transfer-Encoding 'gzip'");
    }

    @Test
    void aBrokenChunkIs400NamingTheBody() {
        assertThat(assertJsonError(
                        "POST /v1/switches HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                + "Transfer-Encoding: chunked\r\n\r\n3\r\n{}\r\nxx\r\n",
                        400,
                        "bad_request"))
                .startsWith("request body: ")
                .contains("chunk");
    }
}
