package io.portmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import io.portmesh.cluster.rest.AuthTokens;
import io.portmesh.cluster.rest.RestTestServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The REST API with token authentication on (every path guarded), fed hostile {@code Authorization} headers over a raw
 * socket: missing, empty, a bare scheme, junk, a valid token with junk around it or cut short, huge, non-ASCII and
 * control characters, another scheme, a folded line, two headers. None may get through (every answer a 4xx in the
 * API's JSON error format, never a 5xx, and the service never called), and nothing the server logs, at any level it
 * logs as a node (Pekko from INFO), may contain a valid token: a refused header is logged without its value.
 *
 * <p>Seeded: {@code -Dportmesh.fuzz.seed=N} replays a run (the seed is printed).
 */
class RestApiAuthFuzzTest {
    private static final long SEED = Long.getLong("portmesh.fuzz.seed", 20261207L);
    private static final int REQUESTS = 2000;
    private static final List<String> TOKENS = List.of(AuthTokens.ADMIN, AuthTokens.READ_ONLY);
    private static final List<String[]> ROUTES = List.of(
            new String[] {"GET", "/v1/switches"},
            new String[] {"POST", "/v1/switches"},
            new String[] {"DELETE", "/v1/switches/fuzz-1"},
            new String[] {"GET", "/v1/hosts/fuzz-1"},
            new String[] {"PUT", "/v1/hosts/fuzz-1/pins"},
            new String[] {"POST", "/v1/ports/fuzz-1/migration"},
            new String[] {"GET", "/v1/cluster"},
            new String[] {"GET", "/metrics"},
            new String[] {"GET", "/ready"});

    private final Random random = new Random(SEED);

    @Test
    void hostileAuthorizationHeadersAreRefusedWithJsonErrorsAndNoTokenIsLogged() throws Exception {
        ConcurrentLinkedQueue<String> logged = new ConcurrentLinkedQueue<>();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
                StringBuilder line = new StringBuilder(e.getLoggerName() + ": " + e.getFormattedMessage());
                for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                    line.append(" / ").append(t.getClassName()).append(": ").append(t.getMessage());
                }
                logged.add(line.toString());
            }
        };
        appender.start();
        root.addAppender(appender);
        Map<String, Integer> byKind = new TreeMap<>();
        Map<Integer, Integer> byStatus = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        try (RestTestServer server =
                new RestTestServer("rest-auth-fuzz", AuthTokens.settings(Set.of()), null, "INFO")) {
            int port = server.baseUri().getPort();
            long start = System.nanoTime();
            for (int i = 0; i < REQUESTS; i++) {
                String[] route = ROUTES.get(random.nextInt(ROUTES.size()));
                String kind = kind(random.nextInt(KINDS));
                String[] headers = headers(kind);
                boolean body = route[0].equals("POST") || route[0].equals("PUT");
                String[] all = body ? append(headers, "Content-Type: application/json") : headers;
                RawHttp.Response r = RawHttp.send(
                        port, route[0], route[1], all, body ? "{}".getBytes(StandardCharsets.UTF_8) : null, false);
                byKind.merge(kind, 1, Integer::sum);
                byStatus.merge(r.status(), 1, Integer::sum);
                String problem = r.status() < 400
                        ? "got through with " + r.status()
                        : RestApiFuzzIntegrationTest.problem(route[0], r);
                if (problem != null && failures.size() < 20) {
                    failures.add(problem + ": " + route[0] + " " + route[1] + " " + kind + " "
                            + abbreviate(String.join(" | ", headers)) + " -> " + abbreviate(r.body()));
                }
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf(
                    "REST auth fuzz (seed %d): %d requests in %d ms; by kind %s; by status %s; %d log lines%n",
                    SEED, REQUESTS, millis, byKind, byStatus, logged.size());
            assertThat(failures).as("requests answered wrongly").isEmpty();
            assertThat(server.fake.calls()).as("calls that reached the service").isEmpty();
            assertThat(server.sendWithHeaders(
                                    "GET", "/v1/switches/after", null, null, AuthTokens.bearer(AuthTokens.ADMIN))
                            .statusCode())
                    .as("a valid token still works afterwards")
                    .isEqualTo(404);
        } finally {
            root.detachAppender(appender);
            appender.stop();
        }
        assertThat(logged)
                .as("log lines with a valid token")
                .noneMatch(l -> TOKENS.stream().anyMatch(l::contains));
    }

    private static final int KINDS = 16;

    private static String kind(int k) {
        return switch (k) {
            case 0 -> "missing";
            case 1 -> "empty";
            case 2 -> "scheme only";
            case 3 -> "junk";
            case 4 -> "token + junk";
            case 5 -> "junk + token";
            case 6 -> "token cut short";
            case 7 -> "huge";
            case 8 -> "non-ASCII";
            case 9 -> "control character";
            case 10 -> "other scheme";
            case 11 -> "scheme case";
            case 12 -> "folded line";
            case 13 -> "two headers";
            case 14 -> "two tokens";
            default -> "read-only token + junk";
        };
    }

    /** The header lines of one request carrying an Authorization of {@code kind} (raw bytes as ISO-8859-1 chars). */
    private String[] headers(String kind) {
        String token = TOKENS.get(random.nextInt(TOKENS.size()));
        return switch (kind) {
            case "missing" -> new String[0];
            case "empty" -> auth("");
            case "scheme only" -> auth(random.nextBoolean() ? "Bearer" : "Bearer    ");
            case "junk" -> auth("Bearer " + junk(1 + random.nextInt(80)));
            case "token + junk" -> auth("Bearer " + AuthTokens.ADMIN + junk(1 + random.nextInt(8)));
            case "junk + token" -> auth("Bearer " + junk(1 + random.nextInt(8)) + AuthTokens.ADMIN);
            case "token cut short" -> auth("Bearer " + token.substring(0, random.nextInt(token.length())));
            case "huge" -> auth("Bearer " + token + "x".repeat(8_000 + random.nextInt(200_000)));
            case "non-ASCII" -> auth(rawUtf8("Bearer " + token + pick("é", "☃", "\u00a0", "\ud83d\udd11", "ü")));
            case "control character" ->
                auth("Bearer " + token + pick("\u0001", "\u007f", "\u0000", "\tx", "\u001b[0m"));
            case "other scheme" ->
                auth(pick("Basic ", "Digest ", "Token ", "")
                        + pick(
                                token,
                                Base64.getEncoder()
                                        .encodeToString(("admin:" + token).getBytes(StandardCharsets.UTF_8))));
            case "scheme case" -> auth(pick("bearer ", "BEARER ", "Bearer\t", "Bearer:") + token + junk(1));
            case "folded line" -> auth("Bearer\r\n " + token + junk(1));
            case "two headers" ->
                new String[] {"Authorization: Bearer " + junk(10), "Authorization: Bearer " + token + junk(2)};
            case "two tokens" -> auth("Bearer " + token + pick(" ", ",", ", Bearer ") + token);
            default -> auth("Bearer " + AuthTokens.READ_ONLY + junk(1 + random.nextInt(8)));
        };
    }

    private static String[] auth(String value) {
        return new String[] {"Authorization: " + value};
    }

    /** Printable ASCII other than a space (a value's trailing spaces are not part of it). */
    private String junk(int n) {
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append((char) ('!' + random.nextInt('~' - '!' + 1)));
        }
        return s.toString();
    }

    private String pick(String... options) {
        return options[random.nextInt(options.length)];
    }

    /** {@code s}'s UTF-8 bytes, each as the ISO-8859-1 char that {@link RawHttp} writes as that byte. */
    private static String rawUtf8(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    private static String[] append(String[] a, String last) {
        String[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = last;
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "...(" + s.length() + " chars)" : s;
    }
}
