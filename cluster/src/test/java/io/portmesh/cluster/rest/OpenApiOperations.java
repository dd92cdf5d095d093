package io.portmesh.cluster.rest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operations of the OpenAPI document the API serves: the tests that must cover every route take their list from
 * here, and {@link OpenApiDocumentTest} proves that the document lists every route, so no route is forgotten.
 */
final class OpenApiOperations {
    private static final Pattern PATH = Pattern.compile("^  (/\\S*):$");
    private static final Pattern METHOD = Pattern.compile("^    (get|post|put|delete):$");

    private OpenApiOperations() {}

    static String document() {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(OpenApiDocument.RESOURCE)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "GET /v1/switches/{switchId}" for every operation of the document's paths section. */
    static List<String> operations() {
        List<String> ops = new ArrayList<>();
        String path = null;
        for (String line : document().split("\n")) {
            Matcher p = PATH.matcher(line);
            Matcher m = METHOD.matcher(line);
            if (p.matches()) {
                path = p.group(1);
            } else if (m.matches() && path != null) {
                ops.add(m.group(1).toUpperCase() + " " + path);
            } else if (line.equals("components:")) {
                break;
            }
        }
        return ops;
    }

    static String method(String operation) {
        return operation.substring(0, operation.indexOf(' '));
    }

    /** The operation's path with every {@code {param}} replaced by {@code x}. */
    static String concretePath(String operation) {
        return operation.substring(operation.indexOf(' ') + 1).replaceAll("\\{[^}]+}", "x");
    }
}
