package io.portmesh.cluster;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Seeded generator of hostile requests to the REST API: malformed JSON, wrong types, huge bodies, unknown routes,
 * wrong methods, bad path and query parameters, wrong content types. Same seed, same requests.
 */
final class RestFuzzRequests {
    /** One request, and what kind of hostility it carries (for the printed counts). */
    record Request(String kind, String method, String target, String contentType, byte[] body, boolean chunked) {
        String describe() {
            String b = body == null ? "no body" : body.length > 200 ? body.length + " bytes" : utf8(body);
            return kind + ": " + method + " " + abbreviate(target) + " [" + contentType + "] " + b
                    + (chunked ? " (chunked)" : "");
        }
    }

    /** Routes with a body, and the fields each body has. */
    private record BodyRoute(String method, String path, List<String> fields) {}

    static final int HUGE_BODY = 10 * 1024 * 1024;

    private static final String ID = "{id}";
    private static final List<BodyRoute> BODY_ROUTES = List.of(
            new BodyRoute("POST", "/v1/switches", List.of("name", "vni")),
            new BodyRoute("POST", "/v1/hosts", List.of("name", "tunnelIp", "pins")),
            new BodyRoute("PUT", "/v1/hosts/" + ID + "/pins", List.of("a", "b")),
            new BodyRoute("POST", "/v1/switches/" + ID + "/ports", List.of("mac", "ips", "name")),
            new BodyRoute("PUT", "/v1/ports/" + ID + "/binding", List.of("host")),
            new BodyRoute("POST", "/v1/ports/" + ID + "/migration", List.of("to")),
            new BodyRoute("POST", "/v1/ports/" + ID + "/migration/complete", List.of()),
            new BodyRoute("POST", "/v1/hosts/" + ID + "/failover", List.of()));
    private static final List<String> PATHS = List.of(
            "/v1/switches",
            "/v1/switches/" + ID,
            "/v1/switches/" + ID + "/ports",
            "/v1/hosts",
            "/v1/hosts/" + ID,
            "/v1/hosts/" + ID + "/failover",
            "/v1/hosts/" + ID + "/pins",
            "/v1/ports/" + ID,
            "/v1/ports/" + ID + "/binding",
            "/v1/ports/" + ID + "/migration",
            "/v1/ports/" + ID + "/migration/complete",
            "/v1/ports/" + ID + "/history",
            "/v1/cluster",
            "/v1/openapi.yaml",
            "/alive",
            "/health",
            "/ready",
            "/metrics");
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE");
    private static final List<String> BAD_IDS = List.of(
            "",
            "%00",
            "%zz",
            "%",
            "%ff%fe",
            "..",
            "a%2Fb",
            "%20",
            "x".repeat(65),
            "x".repeat(5000),
            "%E2%98%83",
            "%C3%28",
            "UPPER",
            "-lead",
            "a_b",
            "a.b",
            "null",
            "%7B%7D",
            "1e9999",
            "a%0D%0AX-Injected:%201");
    private static final List<String> BAD_QUERIES = List.of(
            "?wait=",
            "?wait=now",
            "?wait=realized&wait=realized",
            "?wait=REALIZED",
            "?wait",
            "?wait=%zz",
            "?x=1",
            "?wait=realized&x=%00",
            "?" + "a=b&".repeat(2000),
            "?%",
            "?wait=realized;drop",
            "?&&&");
    private static final List<String> CONTENT_TYPES = List.of(
            "application/json",
            "application/json",
            "application/json; charset=utf-16",
            "text/plain",
            "application/xml",
            "multipart/form-data; boundary=x",
            "application/x-www-form-urlencoded",
            "",
            "garbage");
    private static final List<String> BAD_JSON = List.of(
            "",
            "{",
            "}",
            "{\"name\":",
            "{\"name\":\"a\",}",
            "{'name':'a'}",
            "{\"name\":\"a\" \"vni\":1}",
            "{\"name\":\"a\"}}",
            "{\"name\":\"a\"}{}",
            "{\"name\":\"a\",\"name\":\"b\"}",
            "null",
            "[]",
            "[{}]",
            "42",
            "\"text\"",
            "true",
            "{\"vni\":NaN}",
            "{\"vni\":Infinity}",
            "{\"vni\":1e400}",
            "{\"vni\":99999999999999999999999}",
            "{\"vni\":-0}",
            "{\"vni\":0x10}",
            "{/*c*/\"name\":\"a\"}",
            "\uFEFF{\"name\":\"a\"}",
            "{\"name\":\"\\ud800\"}",
            "{\"name\":\"\\u0000\"}",
            "{\"name\":\"a\\\"}",
            "{\"\":\"a\"}",
            "{\"name\":\"" + "y".repeat(100_000) + "\"}",
            "{\"ips\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}",
            "{\"a\":" + "{\"a\":".repeat(5_000) + "1" + "}".repeat(5_001),
            "[".repeat(200_000));
    private static final List<String> WRONG_VALUES = List.of(
            "1",
            "-1",
            "1.5",
            "true",
            "null",
            "[]",
            "{}",
            "[1,2]",
            "[\"a\",1]",
            "\"\"",
            "\"x\"",
            "\"52:54:00:zz:00:01\"",
            "\"300.1.1.1\"",
            "\"" + "z".repeat(1000) + "\"",
            "16777216",
            "0",
            "2147483648",
            "\"\\u0000\"");

    /** Wrong values of a host's pins ({@code pins}) or of one slot's pin ({@code a}, {@code b}). */
    private static final List<String> WRONG_PINS = List.of(
            "{\"a\":1}",
            "{\"c\":{}}",
            "{\"a\":{\"publicKeySha256\":\"zz\"}}",
            "{\"a\":{\"publicKeySha256\":\"" + "0".repeat(63) + "\"}}",
            "{\"a\":{\"publicKeySha256\":\"" + "f".repeat(65) + "\"}}",
            "{\"a\":{\"dpid\":\"00:00:00:00:00:00:00:01:02\"}}",
            "{\"a\":{\"dpid\":\"-1\"}}",
            "{\"a\":{\"dpid\":18446744073709551616}}",
            "{\"a\":{\"dpid\":[]}}",
            "{\"a\":{\"publicKeySha256\":null,\"dpid\":null}}",
            "{\"b\":{\"unknown\":true}}",
            "{\"publicKeySha256\":\"" + "a".repeat(64) + "\"}",
            "{\"dpid\":\"zz\"}",
            "{\"dpid\":\"00:00:00:00:00:00:00:0g\"}");

    private final Random random;

    RestFuzzRequests(long seed) {
        this.random = new Random(seed);
    }

    Request next() {
        int pick = random.nextInt(100);
        if (pick < 20) {
            return malformedJson();
        }
        if (pick < 40) {
            return wrongTypes();
        }
        if (pick < 52) {
            return unknownRoute();
        }
        if (pick < 64) {
            return wrongMethod();
        }
        if (pick < 78) {
            return badPathParam();
        }
        if (pick < 90) {
            return badQuery();
        }
        return wrongContentType();
    }

    /** A body of {@link #HUGE_BODY} bytes (valid JSON but for its size), with a Content-Length or chunked. */
    Request huge(boolean chunked) {
        BodyRoute r = bodyRoute();
        String head = "{\"name\":\"";
        byte[] body = new byte[HUGE_BODY];
        java.util.Arrays.fill(body, (byte) 'x');
        System.arraycopy(head.getBytes(StandardCharsets.UTF_8), 0, body, 0, head.length());
        body[body.length - 2] = '"';
        body[body.length - 1] = '}';
        return new Request("huge body", r.method(), path(r.path(), goodId()), "application/json", body, chunked);
    }

    private Request malformedJson() {
        BodyRoute r = bodyRoute();
        byte[] body = random.nextInt(5) == 0 ? randomBytes() : utf8(pick(BAD_JSON));
        return new Request("malformed JSON", r.method(), path(r.path(), goodId()), "application/json", body, false);
    }

    private Request wrongTypes() {
        BodyRoute r = bodyRoute();
        StringBuilder b = new StringBuilder("{");
        List<String> fields = r.fields().isEmpty() ? List.of("unexpected") : r.fields();
        for (String f : fields) {
            if (random.nextInt(4) == 0) {
                continue; // a missing field
            }
            if (b.length() > 1) {
                b.append(',');
            }
            b.append('"').append(random.nextInt(8) == 0 ? f.toUpperCase() : f).append("\":");
            boolean pin = f.equals("pins") || f.equals("a") || f.equals("b");
            b.append(pick(pin && random.nextBoolean() ? WRONG_PINS : WRONG_VALUES));
        }
        b.append('}');
        return new Request(
                "wrong types", r.method(), path(r.path(), goodId()), "application/json", utf8(b.toString()), false);
    }

    private Request unknownRoute() {
        String[] prefixes = {"/", "/v1", "/v2", "/v1/", "/v0/switches", "/v1/switch", "/V1/switches", "/api", ""};
        StringBuilder p = new StringBuilder(pick(List.of(prefixes)));
        for (int i = random.nextInt(5); i > 0; i--) {
            p.append('/').append(segment());
        }
        if (p.length() == 0 || random.nextInt(6) == 0) {
            p.insert(0, "/v1/ports/" + goodId() + "/binding/extra/");
        }
        return new Request("unknown route", pick(METHODS), p.toString(), null, null, false);
    }

    private Request wrongMethod() {
        String path = path(pick(PATHS), goodId());
        String method = pick(List.of("PATCH", "OPTIONS", "TRACE", "PUT", "DELETE", "POST", "PROPFIND", "FOO"));
        return new Request("wrong method", method, path, "application/json", utf8("{}"), false);
    }

    private Request badPathParam() {
        String template = pick(PATHS.stream().filter(p -> p.contains(ID)).toList());
        String method = pick(List.of("GET", "DELETE", "POST", "PUT"));
        return new Request("bad path param", method, path(template, pick(BAD_IDS)), null, null, false);
    }

    private Request badQuery() {
        BodyRoute r = bodyRoute();
        return new Request(
                "bad query param",
                r.method(),
                path(r.path(), goodId()) + pick(BAD_QUERIES),
                "application/json",
                utf8("{}"),
                false);
    }

    private Request wrongContentType() {
        BodyRoute r = bodyRoute();
        String type = pick(CONTENT_TYPES);
        return new Request(
                "wrong content type",
                r.method(),
                path(r.path(), goodId()),
                type.isEmpty() ? null : type,
                utf8("{\"name\":\"n\"}"),
                random.nextInt(4) == 0);
    }

    private BodyRoute bodyRoute() {
        return pick(BODY_ROUTES);
    }

    private String goodId() {
        return "fuzz-" + Integer.toString(random.nextInt(50), 36);
    }

    private String segment() {
        String alphabet = "abcXYZ019-_.~%:@!$&'()*+,;=";
        StringBuilder s = new StringBuilder();
        for (int i = 1 + random.nextInt(12); i > 0; i--) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    private byte[] randomBytes() {
        byte[] b = new byte[random.nextInt(2000)];
        random.nextBytes(b);
        return b;
    }

    private <T> T pick(List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    private static String path(String template, String id) {
        return template.replace(ID, id);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "...(" + s.length() + " chars)" : s;
    }
}
