package io.portmesh.loadtest.demo;

import io.portmesh.cluster.ChildJvm;
import io.portmesh.loadtest.faults.LoopbackPartition;
import io.portmesh.sharding.metrics.NodeMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/** A controller node in its own JVM (the same class path as this one), so that it can be killed like a real process. */
public final class NodeProcess implements AutoCloseable {
    public final int index;
    public final int remotePort;
    public final int httpPort;
    public final int openflowPort;
    /** The process's own group ({@link LoopbackPartition#inGroup}), or empty: it runs in this JVM's. */
    public final OptionalInt group;
    /** Where its output goes: {@code node-<index>.log}, with {@code -1}, {@code -2} ... for later starts of the node. */
    public final Path log;

    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final Process process;
    /** How its REST API is reached: plain, or HTTPS with a token (its launch options decide which). */
    private final RestClient.Access access;

    private volatile long killedAtNanos = Long.MAX_VALUE;

    private NodeProcess(
            int index,
            int remotePort,
            int httpPort,
            int openflowPort,
            OptionalInt group,
            Path log,
            Process process,
            RestClient.Access access) {
        this.index = index;
        this.remotePort = remotePort;
        this.httpPort = httpPort;
        this.openflowPort = openflowPort;
        this.group = group;
        this.log = log;
        this.process = process;
        this.access = access;
    }

    public static NodeProcess launch(
            int index, int remotePort, int seedPort, int httpPort, int openflowPort, String cassandra, Path logDir)
            throws IOException {
        return launch(index, remotePort, List.of(seedPort), httpPort, openflowPort, cassandra, logDir);
    }

    /**
     * A node that joins through {@code seedPorts} (Artery ports on 127.0.0.1, in order). A node started again after a
     * crash or a stop must not be its own first seed: it would form a cluster of its own when no other seed answers at
     * once; give it the running nodes.
     */
    public static NodeProcess launch(
            int index,
            int remotePort,
            List<Integer> seedPorts,
            int httpPort,
            int openflowPort,
            String cassandra,
            Path logDir)
            throws IOException {
        return launch(index, remotePort, seedPorts, httpPort, openflowPort, cassandra, logDir, Extras.NONE);
    }

    /**
     * What a fault test may add to a node's launch.
     *
     * @param group the process's own group ({@link LoopbackPartition#inGroup}), so that {@link
     *     LoopbackPartition#isolate} can cut it off both ways; empty: this JVM's group
     * @param jvmOptions more options for its JVM (e.g. {@code -Dpekko...} settings of this node only)
     * @param rest how its REST API is reached: {@link RestClient.Access#PLAIN} unless {@code jvmOptions} turn on
     *     {@code portmesh.rest.tls} or {@code portmesh.rest.auth}
     */
    public record Extras(OptionalInt group, List<String> jvmOptions, RestClient.Access rest) {
        public static final Extras NONE = new Extras(OptionalInt.empty(), List.of());

        /**
         * Node {@code index} in a group of its own: what {@link LoopbackPartition#isolate} needs to cut it off both
         * ways. The ids are ones no account uses on this kind of machine (Debian gives ids below 60000).
         */
        public static Extras ownGroup(int index) {
            return new Extras(OptionalInt.of(64_000 + index), List.of());
        }

        public Extras {
            jvmOptions = List.copyOf(jvmOptions);
        }

        public Extras(OptionalInt group, List<String> jvmOptions) {
            this(group, jvmOptions, RestClient.Access.PLAIN);
        }
    }

    /** As above, with {@code extras}. */
    public static NodeProcess launch(
            int index,
            int remotePort,
            List<Integer> seedPorts,
            int httpPort,
            int openflowPort,
            String cassandra,
            Path logDir,
            Extras extras)
            throws IOException {
        Files.createDirectories(logDir);
        List<String> args = new ArrayList<>(
                List.of("--remote-port=" + remotePort, "--http-port=" + httpPort, "--openflow-port=" + openflowPort));
        seedPorts.forEach(p -> args.add("--seed=pekko://portmesh@127.0.0.1:" + p));
        List<String> jvm = new ArrayList<>();
        if (extras.jvmOptions().stream().noneMatch(o -> o.startsWith("-Xmx"))) {
            jvm.add("-Xmx512m"); // the default heap; a caller's own -Xmx replaces it (not two on one command line)
        }
        jvm.addAll(extras.jvmOptions());
        List<String> java = ChildJvm.command(jvm, "io.portmesh.cluster.ControllerMain", args);
        OptionalInt group = extras.group();
        List<String> cmd = group.isPresent() ? LoopbackPartition.inGroup(group.getAsInt(), java) : java;
        Path log = ChildJvm.freshLog(logDir, "node-" + index);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("PORTMESH_CASSANDRA", cassandra);
        pb.environment().put("PORTMESH_CASSANDRA_EMBEDDED", "false");
        return new NodeProcess(index, remotePort, httpPort, openflowPort, group, log, pb.start(), extras.rest());
    }

    /** Its REST API's base URL: {@code http://} or, with TLS, {@code https://127.0.0.1:<httpPort>}. */
    public String url() {
        return access.scheme() + "://127.0.0.1:" + httpPort;
    }

    /** A client of its REST API, with the TLS context and token it needs. */
    public RestClient api() {
        return new RestClient(url(), access);
    }

    /** A counter's value in its {@code /metrics}, summed over its labels ({@link NodeMetrics#sum}); 0 when absent. */
    public long counter(String name) throws IOException, InterruptedException {
        return (long) NodeMetrics.sum(api().text("/metrics"), name, "");
    }

    /** Its cluster address as {@code GET /v1/cluster} shows it. */
    public String address() {
        return "pekko://portmesh@127.0.0.1:" + remotePort;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL: the process dies without leaving the cluster (what a crash looks like); returns once it is gone. */
    public void kill() {
        killedAtNanos = System.nanoTime();
        process.destroyForcibly();
        ChildJvm.awaitOrKill(process, Duration.ofSeconds(5));
    }

    /** When {@link #kill} or {@link #close} signalled the process (nanoTime; {@code Long.MAX_VALUE} before). */
    public long stoppedAtNanos() {
        return killedAtNanos;
    }

    /** SIGTERM (coordinated shutdown: the node leaves the cluster), then SIGKILL after 20 s. */
    @Override
    public void close() {
        signalStop();
        ChildJvm.awaitOrKill(process, STOP_GRACE);
    }

    private void signalStop() {
        if (killedAtNanos == Long.MAX_VALUE) {
            killedAtNanos = System.nanoTime();
        }
        process.destroy();
    }

    /**
     * {@link #close} of every node at once, for a test's end: SIGTERM to all, then each awaited (SIGKILL to one still
     * running 20 s after its signal). One after the other, a coordinated shutdown of 4-13 s each made every test's
     * teardown wait for three in turn.
     */
    public static void closeAll(List<NodeProcess> nodes) {
        nodes.stream().filter(NodeProcess::isAlive).forEach(NodeProcess::signalStop);
        nodes.forEach(n -> ChildJvm.awaitOrKill(n.process, STOP_GRACE));
    }
}
