package io.portmesh.loadtest.failover;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.loadtest.FrameCounts;
import io.portmesh.loadtest.bind.BenchHosts;
import io.portmesh.loadtest.bind.MachineInfo;
import io.portmesh.loadtest.bind.Sleep;
import io.portmesh.loadtest.demo.AgentProcess;
import io.portmesh.loadtest.demo.FailoverMetrics;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@link FailoverBenchmark}'s hosts, agents, VMs and streams, and how one failover is done and measured. Pair host i's
 * slots have VXLAN addresses 127.27.1.(i+1) (a, the registered one) and 127.27.2.(i+1) (b), peer host j 127.27.3.(j+1),
 * all on one UDP port. Slot a's agents start first, slot b's once every slot a is active: a slot that is not connected
 * within a new Host entity's start grace is taken for lost, and the other one would be made active. The VMs are bound
 * before slot b starts, or (with {@code --bind-after-standby}) after: the standby's endpoint reaches the switches when
 * it first connects, for the switches the host has ports in then; a port bound later, in a switch the host had no port
 * in, does not give it to its switch, and its peers send the standby no copies until a failover re-points them.
 *
 * <p>Each failover has streams of its own: the pair's streams so far end (and drain), new ones start 500 ms before the
 * kill (or the API call) and end {@code --after} ms after the failover took effect and the controller observed the
 * re-pointing, and then the pair's next streams start. Counted once every stream has ended and drained, lost frames are
 * exact (a count read while frames are in flight would take those for lost: under load tens of milliseconds' worth).
 * Its controller phases are the difference of two readings of every node's {@code /metrics}: with one failover in
 * between, its own.
 */
final class FailoverFabric implements AutoCloseable {
    private static final Duration POLL_FAST = Duration.ofMillis(10);
    private static final Duration POLL = Duration.ofMillis(250);
    private static final Duration METRICS_WAIT = Duration.ofSeconds(10);
    /** Traffic on a failover's own streams before the failover starts. */
    private static final Duration LEAD_IN = Duration.ofMillis(500);

    private final List<RestClient> apis;
    private final List<String> nodeUrls;
    private final List<String> controllers;
    private final Path logs;
    private final String run;
    private final int rate;
    private final long deadline;
    private final FailoverReport report;
    private final List<Pair> pairs = new ArrayList<>();
    private final List<String> peerIds = new ArrayList<>();
    private final List<AgentProcess> agents = new ArrayList<>();
    private final List<PseudoWire> wires = new ArrayList<>();
    private final List<SimulatedVm> vms = new ArrayList<>();
    private final List<FrameStream> streams = new ArrayList<>();
    private int vxlanPort;

    /** One host with an agent pair, its VM and the VM's peer. */
    private static final class Pair {
        final String host;
        final String tepA;
        final InetSocketAddress trunkA;
        final String tepB;
        final InetSocketAddress trunkB;
        AgentProcess a;
        SimulatedVm vm;
        String port;
        SimulatedVm peer;
        FrameStream out;
        FrameStream in;
        boolean killed;
        boolean rejoined;

        Pair(String host, String tepA, InetSocketAddress trunkA, String tepB, InetSocketAddress trunkB) {
            this.host = host;
            this.tepA = tepA;
            this.trunkA = trunkA;
            this.tepB = tepB;
            this.trunkB = trunkB;
        }
    }

    FailoverFabric(
            List<RestClient> apis,
            List<String> controllers,
            Path logs,
            String run,
            int rate,
            long deadline,
            FailoverReport report) {
        this.apis = apis;
        this.nodeUrls = apis.stream().map(RestClient::base).toList();
        this.controllers = controllers;
        this.logs = logs;
        this.run = run;
        this.rate = rate;
        this.deadline = deadline;
        this.report = report;
    }

    private RestClient api(int i) {
        return apis.get(Math.floorMod(i, apis.size()));
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
            Pair p = new Pair(
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
                    logs));
        }
        for (Pair p : pairs) {
            p.a = AgentProcess.launch(p.host, "a", p.tepA, vxlanPort, p.trunkA, controllers, false, p.tepB, logs);
            agents.add(p.a);
        }
        List<String> all = new ArrayList<>(peerIds);
        all.addAll(hostIds());
        require(
                all,
                FailoverBenchmark.awaitAll(
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
                FailoverBenchmark.awaitAll(
                        apis, hostIds(), FailoverBenchmark.activeWithStandby("a", "b"), timeout, POLL),
                "both slots holding the plan with the VMs");
        vms.forEach(SimulatedVm::sendGratuitousArp); // the port groups learn where the VMs are
        Sleep.millis(500);
    }

    private void startSlotB(Duration timeout) throws Exception {
        FailoverBenchmark.progress("starting " + pairs.size() + " slot b agents (JVMs)");
        for (Pair p : pairs) {
            agents.add(AgentProcess.launch(p.host, "b", p.tepB, vxlanPort, p.trunkB, controllers, false, p.tepA, logs));
        }
        require(
                hostIds(),
                FailoverBenchmark.awaitAll(
                        apis, hostIds(), FailoverBenchmark.activeWithStandby("a", "b"), timeout, POLL),
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
            Pair p = pairs.get(i);
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
        for (Pair p : pairs) {
            startStreams(p);
        }
    }

    private void startStreams(Pair p) {
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
    private void roll(Pair p) throws InterruptedException {
        p.out.stop();
        p.in.stop();
        FrameCounts.sum(List.of(p.out, p.in), true);
        startStreams(p);
    }

    /** Every stream started so far, the ended ones included. */
    List<FrameStream> streams() {
        return streams;
    }

    /** (a) SIGKILL of host {@code i}'s active agent (slot a), measured until slot b is active and up, plus {@code afterMs}. */
    FailoverReport.Failover kill(int i, Duration takeover, int afterMs) {
        Pair p = pairs.get(i);
        FailoverReport.Failover f = new FailoverReport.Failover(p.host, false);
        try {
            FailoverMetrics before = begin(f, p);
            long[] activeSeen = {-1};
            f.startWallMs = System.currentTimeMillis();
            f.startNanos = System.nanoTime();
            p.a.kill();
            p.killed = true;
            HostSlots.Polled up = HostSlots.await(
                    api(i),
                    p.host,
                    h -> {
                        if (activeSeen[0] < 0 && "b".equals(h.path("activeSlot").asText())) {
                            activeSeen[0] = System.nanoTime();
                        }
                        return HostSlots.activeAndUp(h, "b");
                    },
                    takeover,
                    POLL_FAST);
            if (activeSeen[0] >= 0) {
                f.activeSeenMs = (activeSeen[0] - f.startNanos) / 1e6;
            }
            if (up.done()) {
                f.trunkUpSeenMs = (up.atNanos() - f.startNanos) / 1e6;
            } else {
                f.failure = "slot b not active with its trunk up within " + takeover.toSeconds() + " s: "
                        + HostSlots.describe(up.host());
            }
            finish(f, p, before, afterMs);
        } catch (Exception e) {
            f.failure = e.toString();
        }
        return f;
    }

    /** (b) Starts every killed agent again (trunk down, as configured); the seconds each took to be the ready standby. */
    List<Double> restartKilled(Duration timeout) throws Exception {
        List<Pair> killed = pairs.stream().filter(p -> p.killed).toList();
        long[] started = new long[killed.size()];
        for (int k = 0; k < killed.size(); k++) {
            Pair p = killed.get(k);
            p.a = AgentProcess.launch(p.host, "a", p.tepA, vxlanPort, p.trunkA, controllers, false, p.tepB, logs);
            agents.add(p.a);
            started[k] = System.nanoTime();
        }
        long[] seen = FailoverBenchmark.awaitAll(
                apis,
                killed.stream().map(p -> p.host).toList(),
                FailoverBenchmark.activeWithStandby("b", "a"),
                timeout,
                POLL);
        List<Double> seconds = new ArrayList<>();
        for (int k = 0; k < killed.size(); k++) {
            if (seen[k] >= 0) {
                killed.get(k).rejoined = true;
                seconds.add((seen[k] - started[k]) / 1e9);
            }
        }
        return seconds;
    }

    int killedCount() {
        return (int) pairs.stream().filter(p -> p.killed).count();
    }

    boolean readyToSwitchBack(int i) {
        return pairs.get(i).rejoined;
    }

    /** (c) A planned failover of host {@code i} back to slot a through the API, plus {@code afterMs} of traffic. */
    FailoverReport.Failover switchBack(int i, Duration takeover, int afterMs) {
        Pair p = pairs.get(i);
        FailoverReport.Failover f = new FailoverReport.Failover(p.host, true);
        try {
            FailoverMetrics before = begin(f, p);
            f.startWallMs = System.currentTimeMillis();
            f.startNanos = System.nanoTime();
            RestClient.Response r = api(i).post("/v1/hosts/" + p.host + "/failover", Map.of());
            f.apiMs = (System.nanoTime() - f.startNanos) / 1e6;
            f.apiStatus = r.status();
            if (!r.ok()) {
                f.failure = "answered " + r.status() + " " + r.body();
            } else if (!HostSlots.activeAndUp(r.body(), "a")) {
                // answered at the realization timeout before slot a's trunk was confirmed up: wait for it
                HostSlots.Polled up =
                        HostSlots.await(api(i), p.host, h -> HostSlots.activeAndUp(h, "a"), takeover, POLL_FAST);
                if (!up.done()) {
                    f.failure = "slot a not active with its trunk up within " + takeover.toSeconds() + " s: "
                            + HostSlots.describe(up.host());
                }
            }
            finish(f, p, before, afterMs);
        } catch (Exception e) {
            f.failure = e.toString();
        }
        return f;
    }

    /**
     * The failover's own streams (the pair's streams so far end, new ones start) with {@link #LEAD_IN} of traffic
     * before it, and the controller's metrics before it.
     */
    private FailoverMetrics begin(FailoverReport.Failover f, Pair p) throws Exception {
        roll(p);
        f.outStream = p.out;
        f.inStream = p.in;
        Sleep.millis(LEAD_IN.toMillis());
        return FailoverMetrics.read(nodeUrls);
    }

    /** Traffic for {@code afterMs} more and the controller's re-pointing observed (bounded); then the streams end. */
    private void finish(FailoverReport.Failover f, Pair p, FailoverMetrics before, int afterMs) throws Exception {
        Sleep.millis(afterMs);
        f.controller = FailoverMetrics.awaitPhase(nodeUrls, before, "repointed", METRICS_WAIT)
                .since(before);
        roll(p);
    }

    /** Every failover's frames, once all streams have ended and drained: late duplicates included. */
    static void count(List<FailoverReport.Failover> fs) {
        for (FailoverReport.Failover f : fs) {
            if (f.outStream != null) {
                f.out = f.outStream.stats();
                f.in = f.inStream.stats();
            }
        }
    }

    /**
     * When each failover was persisted, from the journal ({@code ActiveSlotChanged} in the VM's port history, epoch
     * milliseconds): the first one to the failover's slot at or after its start.
     */
    void persistedTimes(List<FailoverReport.Failover> unplanned, List<FailoverReport.Failover> planned) {
        for (Pair p : pairs) {
            JsonNode events;
            try {
                events = api(0).expectOk(api(0).get("/v1/ports/" + p.port + "/history"), "port history")
                        .path("events");
            } catch (Exception e) {
                report.line("history of %s not read: %s", p.port, e);
                continue;
            }
            for (List<FailoverReport.Failover> fs : List.of(unplanned, planned)) {
                for (FailoverReport.Failover f : fs) {
                    if (!f.host.equals(p.host)) {
                        continue;
                    }
                    String slot = f.planned ? "a" : "b";
                    boolean found = false;
                    for (JsonNode e : events) {
                        JsonNode d = e.path("detail");
                        if (!"ActiveSlotChanged".equals(e.path("event").asText())
                                || !p.host.equals(d.path("host").asText())
                                || !slot.equals(d.path("slot").asText())) {
                            continue;
                        }
                        long at = Instant.parse(e.path("at").asText()).toEpochMilli();
                        if (at >= f.startWallMs - 1) {
                            f.persistedMs = at - f.startWallMs;
                            found = true;
                            break;
                        }
                    }
                    if (!found) {
                        FailoverBenchmark.progress("no ActiveSlotChanged to slot " + slot + " of " + p.host + " after "
                                + Instant.ofEpochMilli(f.startWallMs) + " in the history of " + p.port + ": " + events);
                    }
                }
            }
        }
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
