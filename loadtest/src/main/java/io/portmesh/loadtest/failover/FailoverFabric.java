package io.portmesh.loadtest.failover;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.loadtest.FrameCounts;
import io.portmesh.loadtest.bind.BenchHosts;
import io.portmesh.loadtest.bind.MachineInfo;
import io.portmesh.loadtest.bind.Sleep;
import io.portmesh.loadtest.demo.AgentProcess;
import io.portmesh.loadtest.demo.HostSlots;
import io.portmesh.loadtest.demo.RestClient;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.sim.FrameStream;
import io.portmesh.sim.PseudoWire;
import io.portmesh.sim.SimulatedVm;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@link FailoverBenchmark}'s hosts, agents, VMs and streams ({@link Failovers} does the failovers). Pair host i's
 * slots have VXLAN addresses 127.27.1.(i+1) (a, the registered one) and 127.27.2.(i+1) (b), peer host j 127.27.3.(j+1),
 * all on one UDP port. Slot a's agents start first, slot b's once every slot a is active: a slot that is not connected
 * within a new Host entity's start grace is taken for lost, and the other one would be made active. The VMs are bound
 * before slot b starts, or (with {@code --bind-after-standby}) after: the standby's endpoint reaches the switches when
 * it first connects, for the switches the host has ports in then; a port bound later, in a switch the host had no port
 * in, does not give it to its switch, and its peers send the standby no copies until a failover re-points them.
 */
final class FailoverFabric implements AutoCloseable {
    /** How often the hosts are polled while the fabric starts (and {@link Failovers} waits for a restart). */
    static final Duration POLL = Duration.ofMillis(250);

    private final List<RestClient> apis;
    private final List<String> controllers;
    private final Path logs;
    private final String run;
    private final int rate;
    private final long deadline;
    private final List<HostPair> pairs = new ArrayList<>();
    private final List<String> peerIds = new ArrayList<>();
    private final List<AgentProcess> agents = new ArrayList<>();
    private final List<PseudoWire> wires = new ArrayList<>();
    private final List<SimulatedVm> vms = new ArrayList<>();
    private final List<FrameStream> streams = new ArrayList<>();
    private int vxlanPort;

    FailoverFabric(List<RestClient> apis, List<String> controllers, Path logs, String run, int rate, long deadline) {
        this.apis = apis;
        this.controllers = controllers;
        this.logs = logs;
        this.run = run;
        this.rate = rate;
        this.deadline = deadline;
    }

    /** The API of node {@code i} (modulo the nodes): requests about host i spread over the nodes. */
    RestClient api(int i) {
        return apis.get(Math.floorMod(i, apis.size()));
    }

    /** Every node's API (also for their {@code /metrics}). */
    List<RestClient> apis() {
        return apis;
    }

    HostPair pair(int i) {
        return pairs.get(i);
    }

    List<HostPair> pairs() {
        return pairs;
    }

    /** Starts host {@code p}'s slot a agent: at the start, and again after a kill. */
    void launchSlotA(HostPair p) throws Exception {
        p.a = AgentProcess.launch(
                p.host, "a", p.tepA, vxlanPort, p.trunkA, controllers, false, p.tepB, logs, Optional.empty());
        agents.add(p.a);
    }

    /**
     * Registers the hosts, starts their agents, creates the switches and binds the VMs; returns once every slot holds
     * its plan. With {@code bindBeforeStandby} the VMs are bound while only slot a runs and slot b starts after; else
     * both slots run before the VMs are bound.
     */
    void start(int hostCount, int peerCount, int switchCount, boolean bindBeforeStandby, Duration timeout)
            throws Exception {
        cleanAgentLogs();
        List<String> teps = new ArrayList<>();
        for (int i = 0; i < hostCount; i++) {
            teps.add("127.27.1." + (i + 1));
            teps.add("127.27.2." + (i + 1));
        }
        for (int j = 0; j < peerCount; j++) {
            teps.add("127.27.3." + (j + 1));
        }
        vxlanPort = BenchHosts.commonFreeUdpPort(teps);
        FailoverBenchmark.progress("registering " + hostCount + " pair hosts and " + peerCount + " peer hosts");
        List<InetSocketAddress> peerTrunks = new ArrayList<>();
        for (int j = 0; j < peerCount; j++) {
            String id = String.format("fo-%s-p%02d", run, j + 1);
            createHost(j, id, "127.27.3." + (j + 1));
            peerIds.add(id);
            peerTrunks.add(AgentProcess.freeTrunkAddress());
        }
        for (int i = 0; i < hostCount; i++) {
            HostPair p = new HostPair(
                    String.format("fo-%s-h%03d", run, i + 1),
                    "127.27.1." + (i + 1),
                    AgentProcess.freeTrunkAddress(),
                    "127.27.2." + (i + 1),
                    AgentProcess.freeTrunkAddress());
            createHost(i, p.host, p.tepA);
            pairs.add(p);
        }

        FailoverBenchmark.progress("starting " + peerCount + " peer agents and " + hostCount + " slot a agents (JVMs)");
        for (int j = 0; j < peerCount; j++) {
            agents.add(AgentProcess.launch(
                    peerIds.get(j),
                    "a",
                    "127.27.3." + (j + 1),
                    vxlanPort,
                    peerTrunks.get(j),
                    controllers,
                    true,
                    null,
                    logs,
                    Optional.empty()));
        }
        for (HostPair p : pairs) {
            launchSlotA(p);
        }
        List<String> all = new ArrayList<>(peerIds);
        all.addAll(hostIds());
        require(
                all,
                HostSlots.awaitAll(
                        apis,
                        all,
                        h -> HostSlots.activeAndUp(h, "a") && HostSlots.slot(h, "a", "up", true),
                        timeout,
                        POLL),
                "slot a active with its trunk up and holding its plan");
        if (bindBeforeStandby) {
            bindVms(switchCount, peerTrunks);
            startSlotB(timeout);
        } else {
            startSlotB(timeout);
            bindVms(switchCount, peerTrunks);
        }
        require(
                hostIds(),
                HostSlots.awaitAll(apis, hostIds(), HostSlots.activeWithStandby("a", "b"), timeout, POLL),
                "both slots holding the plan with the VMs");
        vms.forEach(SimulatedVm::sendGratuitousArp); // the port groups learn where the VMs are
        Sleep.millis(500);
    }

    private void startSlotB(Duration timeout) throws Exception {
        FailoverBenchmark.progress("starting " + pairs.size() + " slot b agents (JVMs)");
        for (HostPair p : pairs) {
            agents.add(AgentProcess.launch(
                    p.host, "b", p.tepB, vxlanPort, p.trunkB, controllers, false, p.tepA, logs, Optional.empty()));
        }
        require(
                hostIds(),
                HostSlots.awaitAll(apis, hostIds(), HostSlots.activeWithStandby("a", "b"), timeout, POLL),
                "slot a active, slot b a ready standby");
    }

    /** The switches, the VMs' port groups (a pair's wired to both trunks), each pair's VM and its peer, bound. */
    private void bindVms(int switchCount, List<InetSocketAddress> peerTrunks) throws Exception {
        FailoverBenchmark.progress("creating " + switchCount + " switch(es), binding " + 2 * pairs.size() + " VMs");
        List<String> sws = new ArrayList<>();
        for (int s = 0; s < switchCount; s++) {
            String sw = String.format("fo-%s-s%02d", run, s + 1);
            api(s).expectOk(api(s).post("/v1/switches", Map.of("name", sw)), "create switch " + sw);
            sws.add(sw);
        }
        List<PseudoWire> peerWires = new ArrayList<>();
        for (InetSocketAddress t : peerTrunks) {
            PseudoWire w = PseudoWire.open(loopback(), List.of(t));
            wires.add(w);
            peerWires.add(w);
        }
        for (int i = 0; i < pairs.size(); i++) {
            checkDeadline("binding the VMs");
            HostPair p = pairs.get(i);
            PseudoWire w = PseudoWire.open(loopback(), List.of(p.trunkA, p.trunkB));
            wires.add(w);
            String sw = sws.get(i % switchCount);
            p.port = bind(i, sw, 0x01, p.host);
            p.vm = vm(p.port, 0x01, i, w);
            int j = i % peerWires.size();
            p.peer = vm(bind(i, sw, 0x02, peerIds.get(j)), 0x02, i, peerWires.get(j));
        }
    }

    private void createHost(int i, String id, String tep) throws Exception {
        api(i).expectOk(api(i).post("/v1/hosts", Map.of("name", id, "tunnelIp", tep)), "create host " + id);
    }

    private final Map<String, JsonNode> bindings = new java.util.HashMap<>();

    /** A port on {@code sw} bound with wait=realized on {@code host}; its id. The binding's answer is kept by port id. */
    private String bind(int i, String sw, int kind, String host) throws Exception {
        JsonNode port = api(i).expectOk(
                        api(i).post(
                                        "/v1/switches/" + sw + "/ports",
                                        Map.of("mac", mac(kind, i), "ips", List.of(ip(kind, i)))),
                        "create port");
        String id = port.path("id").asText();
        bindings.put(
                id,
                api(i).expectOk(
                                api(i).put("/v1/ports/" + id + "/binding?wait=realized", Map.of("host", host)),
                                "bind port " + id + " on " + host));
        return id;
    }

    private SimulatedVm vm(String port, int kind, int i, PseudoWire wire) {
        int vlan = bindings.get(port).path("vlan").asInt();
        SimulatedVm vm = new SimulatedVm(Mac.parse(mac(kind, i)), Ipv4.parse(ip(kind, i)), vlan, wire);
        vms.add(vm);
        return vm;
    }

    private static String mac(int kind, int i) {
        return String.format("52:54:17:%02x:%02x:%02x", kind, (i >> 8) & 0xFF, i & 0xFF);
    }

    private static String ip(int kind, int i) {
        return String.format("10.%d.%d.%d", 16 + kind, (i >> 8) & 0xFF, i & 0xFF);
    }

    int vxlanPort() {
        return vxlanPort;
    }

    /** The resident memory of the agent JVMs running now: sum and mean. */
    String agentsResident() {
        long kib = 0;
        int n = 0;
        for (AgentProcess a : agents) {
            long r = a.isAlive() ? MachineInfo.residentKib(a.pid()) : -1;
            if (r > 0) {
                kib += r;
                n++;
            }
        }
        return n == 0
                ? "unknown"
                : String.format("%,d MiB in %d JVMs (%d MiB each on average)", kib / 1024, n, kib / 1024 / n);
    }

    /** Starts every pair's two streams (one each way); they run until {@link #roll} ends them or the run's maximum. */
    void startStreams() {
        for (HostPair p : pairs) {
            startStreams(p);
        }
    }

    private void startStreams(HostPair p) {
        int seconds = (int) Math.max(10, (deadline - System.nanoTime()) / 1_000_000_000L);
        p.out = stream(p.vm, p.peer, seconds);
        p.in = stream(p.peer, p.vm, seconds);
        streams.add(p.out);
        streams.add(p.in);
    }

    private FrameStream stream(SimulatedVm from, SimulatedVm to, int seconds) {
        return FrameStream.from(from)
                .to(to)
                .rate(rate)
                .count((long) rate * seconds)
                .maxDuration(Duration.ofSeconds(seconds))
                .start();
    }

    /**
     * Ends a pair's streams and starts new ones: the ended ones are given up to 3 s to drain (no wait when nothing is
     * missing), so that their counts are final but for late duplicates; the pair's traffic pauses meanwhile.
     */
    void roll(HostPair p) throws InterruptedException {
        p.out.stop();
        p.in.stop();
        FrameCounts.sum(List.of(p.out, p.in), true);
        startStreams(p);
    }

    /** Every stream started so far, the ended ones included. */
    List<FrameStream> streams() {
        return streams;
    }

    private List<String> hostIds() {
        return pairs.stream().map(p -> p.host).toList();
    }

    private static void require(List<String> hosts, long[] seen, String what) {
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            if (seen[i] < 0) {
                missing.add(hosts.get(i));
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException(missing.size() + " of " + hosts.size() + " hosts not " + what
                    + " in time, e.g. " + missing.subList(0, Math.min(5, missing.size())));
        }
    }

    private void checkDeadline(String what) {
        if (System.nanoTime() - deadline >= 0) {
            throw new IllegalStateException("the run's maximum passed while " + what);
        }
    }

    private void cleanAgentLogs() throws java.io.IOException {
        if (Files.isDirectory(logs)) {
            try (var files = Files.list(logs)) {
                for (Path f : files.filter(f -> f.getFileName().toString().startsWith("agent-"))
                        .toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    /** Streams, VMs and wires, then every agent JVM (SIGTERM, 10 s, SIGKILL), 16 at a time. */
    @Override
    public void close() {
        streams.forEach(FrameStream::close);
        vms.forEach(SimulatedVm::close);
        wires.forEach(PseudoWire::close);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            CompletableFuture.allOf(agents.stream()
                            .map(a -> CompletableFuture.runAsync(a::close, pool))
                            .toArray(CompletableFuture[]::new))
                    .get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("agents not all closed in 60 s: " + e);
        } finally {
            pool.shutdownNow();
        }
    }
}
