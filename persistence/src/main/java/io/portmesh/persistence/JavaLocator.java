package io.portmesh.persistence;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds a Java 17 {@code java}: Cassandra 5.0 does not start on Java 25 (it needs the
 * SecurityManager), and its module flags are those of Java 17.
 */
final class JavaLocator {

    static final int REQUIRED_FEATURE = 17;
    static final Path DEBIAN_JAVA_17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64/bin/java");

    private JavaLocator() {}

    static Path locate(Optional<Path> override) {
        return locate(override, Runtime.version().feature(), currentJava(), DEBIAN_JAVA_17);
    }

    static Path locate(Optional<Path> override, int currentFeature, Path currentJava, Path fallback) {
        if (override.isPresent()) {
            return override.get();
        }
        if (currentFeature == REQUIRED_FEATURE) {
            return currentJava;
        }
        if (Files.isExecutable(fallback)) {
            return fallback;
        }
        throw new IllegalStateException("Cassandra needs Java " + REQUIRED_FEATURE + "; this JVM is Java "
                + currentFeature + " and " + fallback
                + " does not exist. Set portmesh.cassandra.embedded.java to a Java 17 java.");
    }

    private static Path currentJava() {
        return ProcessHandle.current()
                .info()
                .command()
                .map(Path::of)
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java"));
    }
}
