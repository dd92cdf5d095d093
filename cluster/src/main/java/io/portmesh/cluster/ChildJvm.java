package io.portmesh.cluster;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Java processes that the demo, the benchmarks and multi-process tests start beside themselves: same JDK, same class path. */
public final class ChildJvm {
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);

    private ChildJvm() {}

    /** The command line: this JVM's {@code java}, {@code jvmOptions}, this class path, {@code mainClass}, {@code args}. */
    public static List<String> command(List<String> jvmOptions, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(args);
        return cmd;
    }

    /** {@code <dir>/<name>.log}, or {@code <name>-1.log}, {@code -2} ... the first that does not exist yet. */
    public static Path freshLog(Path dir, String name) {
        for (int n = 0; ; n++) {
            File f = dir.resolve(name + (n == 0 ? "" : "-" + n) + ".log").toFile();
            if (!f.exists()) {
                return f.toPath();
            }
        }
    }

    /**
     * Waits up to {@code grace} for a process that was asked to stop (SIGTERM, or its input closed), then SIGKILLs it;
     * interrupted, it kills at once, so that nothing outlives its parent.
     */
    public static void awaitOrKill(Process process, Duration grace) {
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
