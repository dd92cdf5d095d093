package io.portmesh.loadtest.demo;

import io.portmesh.loadtest.ChildJvm;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A controller node in its own JVM (the same class path as this one), so that it can be killed like a real process. */
public final class NodeProcess implements AutoCloseable {
    public final int index;
    public final int remotePort;
    public final int httpPort;
    public final int openflowPort;
    private final Process process;

    private NodeProcess(int index, int remotePort, int httpPort, int openflowPort, Process process) {
        this.index = index;
        this.remotePort = remotePort;
        this.httpPort = httpPort;
        this.openflowPort = openflowPort;
        this.process = process;
    }

    public static NodeProcess launch(
            int index, int remotePort, int seedPort, int httpPort, int openflowPort, String cassandra, Path logDir)
            throws IOException {
        Files.createDirectories(logDir);
        List<String> cmd = ChildJvm.command(
                List.of("-Xmx512m"),
                "io.portmesh.cluster.ControllerMain",
                List.of(
                        "--remote-port=" + remotePort,
                        "--http-port=" + httpPort,
                        "--openflow-port=" + openflowPort,
                        "--seed=pekko://portmesh@127.0.0.1:" + seedPort));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(new File(logDir.toFile(), "node-" + index + ".log"));
        pb.environment().put("PORTMESH_CASSANDRA", cassandra);
        pb.environment().put("PORTMESH_CASSANDRA_EMBEDDED", "false");
        return new NodeProcess(index, remotePort, httpPort, openflowPort, pb.start());
    }

    public String url() {
        return "http://127.0.0.1:" + httpPort;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL: the process dies without leaving the cluster (what a crash looks like). */
    public void kill() {
        process.destroyForcibly();
    }

    /** SIGTERM (coordinated shutdown: the node leaves the cluster), then SIGKILL after 20 s. */
    @Override
    public void close() {
        process.destroy();
        ChildJvm.awaitOrKill(process, Duration.ofSeconds(20));
    }
}
