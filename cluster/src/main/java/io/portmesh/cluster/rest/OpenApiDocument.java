package io.portmesh.cluster.rest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;

/** The OpenAPI description shipped in the jar, read once so that a missing resource fails at startup. */
final class OpenApiDocument {
    static final String RESOURCE = "/openapi.yaml";
    private static final byte[] BYTES = load();

    private OpenApiDocument() {}

    private static byte[] load() {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static HttpResponse response() {
        return HttpResponse.create()
                .withEntity(HttpEntities.create(
                        ContentTypes.create(MediaTypes.applicationWithOpenCharset("yaml", "yaml"), HttpCharsets.UTF_8),
                        BYTES));
    }
}
