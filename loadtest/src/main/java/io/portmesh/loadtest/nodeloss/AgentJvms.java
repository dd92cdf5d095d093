package io.portmesh.loadtest.nodeloss;

import io.portmesh.loadtest.demo.AgentProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agents of a {@link NodeLossFabric} that run in JVMs of their own ({@link AgentProcess}), one per host: the ones a
 * harness run can kill with SIGKILL like a crashed switch VM and start again with the same options (same trunk and
 * tunnel endpoint: the VMs' wires and the other hosts' tunnels still point there). A single agent per host, so its
 * trunk is administratively up from the start.
 */
public final class AgentJvms implements AutoCloseable {
    private record Launch(String tep, int vxlanPort, InetSocketAddress trunk) {}

    private final List<String> controllers;
    private final Path logs;
    private final Map<String, Launch> launches = new LinkedHashMap<>();
    private final Map<String, AgentProcess> current = new LinkedHashMap<>();
    private final List<AgentProcess> started = new ArrayList<>();

    AgentJvms(List<String> controllers, Path logs) {
        this.controllers = List.copyOf(controllers);
        this.logs = logs;
    }

    /** Starts {@code host}'s agent in a JVM of its own; its trunk's UDP address (where the host's VMs send). */
    synchronized InetSocketAddress start(String host, String tep, int vxlanPort) throws IOException {
        Launch l = new Launch(tep, vxlanPort, AgentProcess.freeTrunkAddress());
        launches.put(host, l);
        launch(host, l);
        return l.trunk;
    }

    private void launch(String host, Launch l) throws IOException {
        AgentProcess p = AgentProcess.launch(
                host, "a", l.tep, l.vxlanPort, l.trunk, controllers, true, null, logs, java.util.Optional.empty());
        current.put(host, p);
        started.add(p);
    }

    /** Whether {@code host}'s agent runs in a JVM of its own. */
    public synchronized boolean has(String host) {
        return launches.containsKey(host);
    }

    public synchronized boolean isAlive(String host) {
        AgentProcess p = current.get(host);
        return p != null && p.isAlive();
    }

    /** SIGKILL to {@code host}'s agent; returns once it is gone, with when the signal was sent (nanoTime). */
    public long kill(String host) {
        AgentProcess p;
        synchronized (this) {
            p = current.get(host);
        }
        p.kill();
        return p.killedAtNanos();
    }

    /** Starts {@code host}'s agent again with the options of its first start (refused while it runs). */
    public synchronized void restart(String host) throws IOException {
        if (isAlive(host)) {
            throw new IllegalStateException("the agent of " + host + " still runs");
        }
        launch(host, launches.get(host));
    }

    /** The hosts whose agent runs in a JVM of its own, in the order they were started. */
    public synchronized List<String> hosts() {
        return List.copyOf(launches.keySet());
    }

    /** Every agent JVM started, the killed ones included: SIGTERM to those still running. */
    @Override
    public synchronized void close() {
        started.forEach(AgentProcess::close);
    }
}
