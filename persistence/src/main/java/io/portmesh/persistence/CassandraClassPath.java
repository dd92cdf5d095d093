package io.portmesh.persistence;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Cassandra's class path as written by the portmesh-cassandra-server build: absolute paths into the
 * local Maven repository, separated by the platform's path separator.
 */
final class CassandraClassPath {

    static final String RESOURCE = "io/portmesh/cassandra/classpath.txt";

    private CassandraClassPath() {}

    static List<Path> load() {
        try (InputStream in = CassandraClassPath.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE
                        + " is not on the class path: add io.portmesh:portmesh-cassandra-server"
                        + " (it carries Cassandra's class path)");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    static List<Path> parse(String text) {
        String separators = Pattern.quote(java.io.File.pathSeparator) + "|\\R";
        List<Path> entries = Arrays.stream(text.split(separators))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .map(Path::of)
                .toList();
        if (entries.isEmpty()) {
            throw new IllegalStateException(RESOURCE + " is empty");
        }
        // The paths point into the Maven repository of the machine that built the jar: say so
        // plainly instead of letting Cassandra fail with a NoClassDefFoundError.
        for (Path entry : entries) {
            if (!Files.isRegularFile(entry)) {
                throw new IllegalStateException("Cassandra class path entry " + entry
                        + " does not exist; rebuild portmesh-cassandra-server on this machine"
                        + " (./mvnw -pl cassandra-server install)");
            }
        }
        return entries;
    }

    static String join(List<Path> entries) {
        return String.join(
                java.io.File.pathSeparator, entries.stream().map(Path::toString).toList());
    }
}
