package io.portmesh.persistence;

import java.nio.file.Path;
import java.time.Duration;

/** Command-line options of {@link EmbeddedCassandra#main}. */
final class EmbeddedCassandraMain {

    static final String USAGE = "usage: EmbeddedCassandra [--dir DIR] [--port N] [--storage-port N]"
            + " [--timeout SECONDS] [--max-heap SIZE] [--clean]";

    private EmbeddedCassandraMain() {}

    static EmbeddedCassandraSettings parse(String[] args, EmbeddedCassandraSettings defaults) {
        EmbeddedCassandraSettings settings = defaults;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--clean")) {
                settings = settings.withCleanStart(true);
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + option);
            }
            String value = args[++i];
            settings = switch (option) {
                case "--dir" -> settings.withWorkDir(Path.of(value));
                case "--port" -> settings.withNativePort(parseInt(option, value));
                case "--storage-port" -> settings.withStoragePort(parseInt(option, value));
                case "--timeout" -> settings.withStartTimeout(Duration.ofSeconds(parseInt(option, value)));
                case "--max-heap" -> settings.withMaxHeap(value);
                default -> throw new IllegalArgumentException("unknown option " + option);
            };
        }
        return settings;
    }

    private static int parseInt(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number: " + value, e);
        }
    }
}
