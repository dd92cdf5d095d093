package io.portmesh.loadtest.demo;

import io.portmesh.cluster.ChildJvm;
import io.portmesh.openflow.tls.OfTlsFiles;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A datapath agent (one switch VM) in its own JVM, started as an operator would start it ({@code AgentMain} with its
 * options), so that a test can kill it with SIGKILL like a crashed VM. Both agents of a host pair are started with their
 * trunk administratively down ({@code portmesh.agent.trunk.admin-up = false}): the controller brings the active one
 * up. Its log (the trunk's state changes included) goes to {@code <logDir>/agent-<host>-<slot>[-n].log}.
 */
public final class AgentProcess implements AutoCloseable {
    public final String host;
    public final String slot;
    public final InetSocketAddress trunk;
    public final Path log;
    /** Where the agent accepts read-only OpenFlow connections ({@code --listen}), or null when it does not. */
    public final InetSocketAddress listen;
    /**
     * Set in this JVM, passed on to the agents it starts: their stats line's interval in milliseconds (flow-mods,
     * flows, pipeline and port counters; {@code AgentMain}).
     */
    public static final String STATS_LOG_MS = "portmesh.agent.stats-log-ms";

    private final Process process;
    private volatile long killedAtNanos = Long.MAX_VALUE;

    private AgentProcess(
            String host, String slot, InetSocketAddress trunk, Path log, InetSocketAddress listen, Process process) {
        this.host = host;
        this.slot = slot;
        this.trunk = trunk;
        this.log = log;
        this.listen = listen;
        this.process = process;
    }

    /**
     * @param tep the agent's own VXLAN address (its tunnel endpoint)
     * @param vxlanPort the UDP port every agent of the test uses for VXLAN
     * @param trunk the UDP address of its trunk (the simulated port group sends there)
     * @param pairPeerTep for one of an HA pair, the other agent's tunnel endpoint: the two heartbeat each other (the
     *     pair fence, docs/architecture.md section 7.2) on their own endpoint addresses, UDP port {@code vxlanPort + 1};
     *     null: no pair
     * @param tls the agent's certificate, key and CA for OpenFlow mutual TLS; empty: plain TCP
     */
    public static AgentProcess launch(
            String host,
            String slot,
            String tep,
            int vxlanPort,
            InetSocketAddress trunk,
            List<String> controllers,
            boolean trunkUp,
            String pairPeerTep,
            Path logDir,
            Optional<OfTlsFiles> tls)
            throws IOException {
        return launch(host, slot, tep, vxlanPort, trunk, controllers, trunkUp, pairPeerTep, logDir, tls, null);
    }

    /**
     * As above, and with {@code listen} not null the agent also accepts OpenFlow connections there, read-only (its
     * {@code --listen} port, docs/architecture.md section 6): how a harness reads its tables from another process.
     */
    public static AgentProcess launch(
            String host,
            String slot,
            String tep,
            int vxlanPort,
            InetSocketAddress trunk,
            List<String> controllers,
            boolean trunkUp,
            String pairPeerTep,
            Path logDir,
            Optional<OfTlsFiles> tls,
            InetSocketAddress listen)
            throws IOException {
        Files.createDirectories(logDir);
        List<String> args = new ArrayList<>(List.of(
                "--host=" + host,
                "--slot=" + slot,
                "--trunk=" + trunk.getHostString() + ":" + trunk.getPort(),
                "--vxlan=" + tep + ":" + vxlanPort));
        controllers.forEach(c -> args.add("--controller=" + c));
        if (pairPeerTep != null) {
            args.add("--pair-listen=" + tep + ":" + (vxlanPort + 1));
            args.add("--pair-peer=" + pairPeerTep + ":" + (vxlanPort + 1));
        }
        if (listen != null) {
            args.add("--listen=" + listen.getHostString() + ":" + listen.getPort());
        }
        tls.ifPresent(f -> {
            args.add("--tls-certificate=" + f.certificate().toAbsolutePath());
            args.add("--tls-key=" + f.key().toAbsolutePath());
            args.add("--tls-ca=" + f.ca().toAbsolutePath());
        });
        List<String> jvm = new ArrayList<>(List.of(
                "-Xmx192m",
                "-Dportmesh.agent.trunk.admin-up=" + trunkUp,
                "-Dportmesh.agent.vxlan.remote-port=" + vxlanPort));
        String stats = System.getProperty(STATS_LOG_MS);
        if (stats != null) {
            jvm.add("-D" + STATS_LOG_MS + "=" + stats);
        }
        List<String> cmd = ChildJvm.command(jvm, "io.portmesh.agent.AgentMain", args);
        Path log = ChildJvm.freshLog(logDir, "agent-" + host + "-" + slot);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        return new AgentProcess(host, slot, trunk, log, listen, pb.start());
    }

    /** A UDP address on loopback that is free now: for an agent's trunk (the simulated port group sends there). */
    public static InetSocketAddress freeTrunkAddress() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: the switch VM dies at once (its TCP connections are reset by the kernel). */
    public void kill() {
        killedAtNanos = System.nanoTime();
        process.destroyForcibly();
        try {
            process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGSTOP: the switch VM stalls (every thread stops, its sockets stay open) until {@link #resume}. */
    public void suspend() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT after {@link #suspend}. */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                .redirectErrorStream(true)
                .start();
        if (!kill.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /**
     * When {@link #kill} sent SIGKILL (monotonic nanoseconds; {@code Long.MAX_VALUE} while not killed). The process
     * runs no user code past the signal's delivery, a fraction of a millisecond later; its sockets close as it exits,
     * which is what the controller reacts to, so nothing the controller does because of the death can come earlier.
     */
    public long killedAtNanos() {
        return killedAtNanos;
    }

    public List<String> logLines() throws IOException {
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    @Override
    public void close() {
        process.destroy();
        ChildJvm.awaitOrKill(process, Duration.ofSeconds(10));
    }
}
