package io.portmesh.persistence;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Owns the Cassandra child process: launches it with its output in a log file, and stops it. */
final class CassandraProcess {

    private static final Logger log = LoggerFactory.getLogger(CassandraProcess.class);
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);

    private final Process process;
    private final Path logFile;

    private CassandraProcess(Process process, Path logFile) {
        this.process = process;
        this.logFile = logFile;
    }

    static CassandraProcess launch(List<String> command, Path workDir, Path logFile) {
        try {
            Files.createDirectories(logFile.getParent());
            // keep the previous run's log: it explains a crash that made someone restart
            if (Files.exists(logFile)) {
                Files.move(
                        logFile,
                        logFile.resolveSibling(logFile.getFileName() + ".1"),
                        StandardCopyOption.REPLACE_EXISTING);
            }
            Process process = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(Redirect.to(logFile.toFile()))
                    .redirectInput(Redirect.from(nullDevice()))
                    .start();
            log.info("Launched Cassandra (pid {}), log {}", process.pid(), logFile);
            return new CassandraProcess(process, logFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot launch Cassandra: " + command.get(0), e);
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    Path logFile() {
        return logFile;
    }

    String logTail(int lines) {
        return LogTail.read(logFile, lines);
    }

    /**
     * SIGTERM lets Cassandra drain and flush; it is slow to stop, so wait up to {@code grace}, then
     * SIGKILL (it recovers from its commit log on the next start).
     */
    void stop(Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        log.info("Stopping Cassandra (pid {})", process.pid());
        process.destroy();
        if (waitFor(grace)) {
            log.info("Cassandra (pid {}) stopped", process.pid());
            return;
        }
        log.warn("Cassandra (pid {}) still running {} after SIGTERM; sending SIGKILL", process.pid(), grace);
        process.destroyForcibly();
        if (!waitFor(KILL_WAIT)) {
            log.error("Cassandra (pid {}) survived SIGKILL for {}", process.pid(), KILL_WAIT);
        }
    }

    private boolean waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // still make sure nothing outlives us
            process.destroyForcibly();
            return false;
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }
}
