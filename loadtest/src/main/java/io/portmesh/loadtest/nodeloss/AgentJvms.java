package io.portmesh.loadtest.nodeloss;

import io.portmesh.cluster.LocalPorts;
import io.portmesh.loadtest.demo.AgentProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The agents of a {@link NodeLossFabric} that run in JVMs of their own ({@link AgentProcess}): the ones a harness run
 * can kill with SIGKILL like a crashed switch VM and start again with the same options (same trunk and tunnel endpoint:
 * the VMs' wires and the other hosts' tunnels still point there). A host has one such agent (slot a, its trunk
 * administratively up from the start) or an HA pair (slots a and b, both started with the trunk down and each other's
 * pair-fence address: the controller brings the active one up, docs/architecture.md section 7.2). Every agent also
 * listens, read-only, on a loopback TCP port of its own ({@code --listen}), where {@link ListenPortReader} reads its
 * tables: a new free port at each start.
 */
public final class AgentJvms implements AutoCloseable {
    /** One agent's start options, the same at every restart; {@code pairPeerTep} null for a single agent. */
    private record Launch(
            String host, String slot, String tep, int vxlanPort, InetSocketAddress trunk, String pairPeerTep) {}

    /** An agent running now: its host, slot and where it accepts read-only OpenFlow connections. */
    public record Running(String host, String slot, InetSocketAddress listen) {}

    private final List<String> controllers;
    private final Path logs;
    private final Map<String, Launch> launches = new LinkedHashMap<>();
    private final Map<String, AgentProcess> current = new LinkedHashMap<>();
    private final List<AgentProcess> started = new ArrayList<>();

    AgentJvms(List<String> controllers, Path logs) {
        this.controllers = List.copyOf(controllers);
        this.logs = logs;
    }

    private static String key(String host, String slot) {
        return host + "/" + slot;
    }

    /** Starts {@code host}'s single agent (slot a, trunk up) in a JVM of its own; its trunk (where its VMs send). */
    synchronized InetSocketAddress start(String host, String tep, int vxlanPort) throws IOException {
        return start(host, "a", tep, vxlanPort, null);
    }

    /**
     * Starts one agent of {@code host}'s HA pair ({@code pairPeerTep}: the other slot's tunnel endpoint, whose pair
     * fence it heartbeats) or, with null, its single agent; its trunk's UDP address.
     */
    synchronized InetSocketAddress start(String host, String slot, String tep, int vxlanPort, String pairPeerTep)
            throws IOException {
        Launch l = new Launch(host, slot, tep, vxlanPort, AgentProcess.freeTrunkAddress(), pairPeerTep);
        launches.put(key(host, slot), l);
        launch(l);
        return l.trunk;
    }

    private void launch(Launch l) throws IOException {
        InetSocketAddress listen =
                new InetSocketAddress(InetAddress.getLoopbackAddress(), LocalPorts.freeTcpPorts(1)[0]);
        AgentProcess p = AgentProcess.launch(
                l.host,
                l.slot,
                l.tep,
                l.vxlanPort,
                l.trunk,
                controllers,
                l.pairPeerTep == null,
                l.pairPeerTep,
                logs,
                Optional.empty(),
                listen);
        current.put(key(l.host, l.slot), p);
        started.add(p);
    }

    /** Whether {@code host}'s agent(s) run in JVMs of their own. */
    public synchronized boolean has(String host) {
        return !slots(host).isEmpty();
    }

    /** Whether {@code host} has an HA pair here (two slots). */
    public synchronized boolean isPair(String host) {
        return slots(host).size() > 1;
    }

    /** {@code host}'s slots with an agent here, in start order (empty: none). */
    public synchronized List<String> slots(String host) {
        return launches.values().stream()
                .filter(l -> l.host.equals(host))
                .map(l -> l.slot)
                .toList();
    }

    /** Whether every agent of {@code host} runs (a pair host with one agent dead is not whole). */
    public synchronized boolean isAlive(String host) {
        List<String> slots = slots(host);
        return !slots.isEmpty() && slots.stream().allMatch(s -> isAlive(host, s));
    }

    public synchronized boolean isAlive(String host, String slot) {
        AgentProcess p = current.get(key(host, slot));
        return p != null && p.isAlive();
    }

    /** SIGKILL to {@code host}'s single agent (slot a); see {@link #kill(String, String)}. */
    public long kill(String host) {
        return kill(host, "a");
    }

    /** SIGKILL to {@code host}'s agent of {@code slot}; returns once it is gone, with when the signal was sent. */
    public long kill(String host, String slot) {
        AgentProcess p;
        synchronized (this) {
            p = current.get(key(host, slot));
        }
        p.kill();
        return p.killedAtNanos();
    }

    /**
     * Starts {@code host}'s dead agents again with the options of their first start (refused while all run); the
     * slots started.
     */
    public synchronized List<String> restart(String host) throws IOException {
        List<String> dead = slots(host).stream().filter(s -> !isAlive(host, s)).toList();
        if (dead.isEmpty()) {
            throw new IllegalStateException("every agent of " + host + " still runs");
        }
        for (String s : dead) {
            launch(launches.get(key(host, s)));
        }
        return dead;
    }

    /** The trunks of {@code host}'s agents (a pair's two: its VMs' port groups send to both), in slot order. */
    public synchronized List<InetSocketAddress> trunks(String host) {
        return launches.values().stream()
                .filter(l -> l.host.equals(host))
                .map(l -> l.trunk)
                .toList();
    }

    /** The hosts whose agents run in JVMs of their own, in the order they were started. */
    public synchronized List<String> hosts() {
        return launches.values().stream().map(l -> l.host).distinct().toList();
    }

    /** Every agent running now, with its listen address. */
    public synchronized List<Running> running() {
        List<Running> out = new ArrayList<>();
        current.forEach((k, p) -> {
            if (p.isAlive()) {
                out.add(new Running(p.host, p.slot, p.listen));
            }
        });
        return out;
    }

    /** Every agent JVM started, the killed ones included: SIGTERM to those still running. */
    @Override
    public synchronized void close() {
        started.forEach(AgentProcess::close);
    }
}
