package io.portmesh.loadtest.scale;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.agent.control.AgentSettings;
import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.agent.control.SharedAgentThreads;
import io.portmesh.cluster.LocalPorts;
import io.portmesh.loadtest.bind.BenchHosts;
import io.portmesh.loadtest.demo.HostSlots;
import io.portmesh.loadtest.demo.RestClient;
import io.portmesh.loadtest.faults.RestartableCassandra;
import io.portmesh.loadtest.nodeloss.ControllerNodes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the scale run runs on: its own embedded Cassandra, three controller JVMs ({@link ControllerNodes}) on it, and
 * every agent in this JVM on shared threads ({@link DatapathAgent#start(AgentSettings, SharedAgentThreads)}: OpenFlow
 * I/O, control and UDP receive, {@code event-loops} of each kind),
 * each connected to all three nodes. Host i's agents have loopback addresses of their own, 127.(60+slot).(i/250).(i%250+1),
 * all on one VXLAN UDP port; with two agents per host both start with their trunk down and the controller brings one
 * up (the active one), as with an HA pair. The pair fence heartbeat is off: every 5 ms per agent, two thousand agents
 * would send 400,000 datagrams a second on a 2-core machine, and it never involves the controllers.
 */
final class ScaleFabric implements AutoCloseable {
    static final String[] SLOTS = {"a", "b"};

    private final ScaleSettings settings;
    private final String run = Long.toString(System.nanoTime() & 0xFFFFFF, 36);
    private final RestartableCassandra cassandra;
    private final Path cassandraDir;
    private final ControllerNodes nodes;
    private final SharedAgentThreads threads;
    private final List<DatapathAgent> agents = new ArrayList<>();
    private int vxlanPort;
    private static final int ATTEMPTS = 5;
    private final java.util.concurrent.atomic.AtomicLong retries = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong adopted = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.CountDownLatch closedDone = new java.util.concurrent.CountDownLatch(1);

    private ScaleFabric(
            ScaleSettings settings,
            RestartableCassandra cassandra,
            Path cassandraDir,
            ControllerNodes nodes,
            SharedAgentThreads threads) {
        this.settings = settings;
        this.cassandra = cassandra;
        this.cassandraDir = cassandraDir;
        this.nodes = nodes;
        this.threads = threads;
    }

    /** Starts Cassandra (on {@code cassandraPorts}, or free ones when null) and the three nodes; no agents yet. */
    static ScaleFabric start(ScaleSettings s, Path out, int[] cassandraPorts) throws Exception {
        int[] ports = cassandraPorts != null ? cassandraPorts : LocalPorts.freeTcpPorts(2);
        Path dir = out.resolve("cassandra");
        RestartableCassandra c = RestartableCassandra.start(dir, ports[0], ports[1]);
        try {
            ControllerNodes n = ControllerNodes.start(
                    c.contactPoint(),
                    out.resolve("logs"),
                    s.setupTimeout(),
                    List.of(
                            "-Xmx" + s.controllerHeap(),
                            "-Dportmesh.controller.openflow.echo-interval="
                                    + s.echoInterval().toMillis() + "ms",
                            "-Dpekko.cluster.failure-detector.acceptable-heartbeat-pause="
                                    + s.heartbeatPause().toMillis() + "ms"));
            try {
                int t = s.eventLoops();
                return new ScaleFabric(s, c, dir, n, SharedAgentThreads.start(t, t, t));
            } catch (java.io.IOException | RuntimeException e) {
                n.close();
                throw e;
            }
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    String hostName(int i) {
        return String.format("sc-%s-h%05d", run, i + 1);
    }

    String switchName(int s) {
        return String.format("sc-%s-s%05d", run, s + 1);
    }

    static String tep(int host, int slot) {
        return "127." + (60 + slot) + "." + host / 250 + "." + (host % 250 + 1);
    }

    /** Picks the VXLAN port free on every agent's address (once, before the first agent starts). */
    void pickVxlanPort() throws java.io.IOException {
        List<String> teps = new ArrayList<>();
        for (int i = 0; i < settings.hosts(); i++) {
            for (int slot = 0; slot < settings.agentsPerHost(); slot++) {
                teps.add(tep(i, slot));
            }
        }
        vxlanPort = BenchHosts.commonFreeUdpPort(teps);
    }

    /** Host i's registration, spread over the nodes. */
    void registerHost(int i) throws Exception {
        RestClient api = api(i);
        api.expectOk(api.post("/v1/hosts", Map.of("name", hostName(i), "tunnelIp", tep(i, 0))), hostName(i));
    }

    /** Starts host i's agents on the shared event loops. */
    void startAgents(int i) throws java.io.IOException {
        for (int slot = 0; slot < settings.agentsPerHost(); slot++) {
            AgentSettings a = AgentSettings.local(
                    hostName(i),
                    SLOTS[slot],
                    tep(i, slot),
                    vxlanPort,
                    nodes.openflowAddresses(),
                    settings.agentsPerHost() == 1);
            DatapathAgent agent = DatapathAgent.start(a, threads);
            synchronized (agents) {
                agents.add(agent);
            }
        }
    }

    /**
     * Whether host i is up as wanted: with one agent, realized with a connection to each node; with two, one slot
     * active with its trunk up and the other a ready standby (trunk down, the plan held).
     */
    boolean hostReady(int i) throws Exception {
        RestClient.Response r = api(i).get("/v1/hosts/" + hostName(i));
        if (!r.ok()) {
            return false;
        }
        JsonNode h = r.body();
        if (settings.agentsPerHost() == 1) {
            return h.path("realized").asBoolean() && h.path("agents").size() == ControllerNodes.SIZE;
        }
        return (HostSlots.activeAndUp(h, "a") && HostSlots.readyStandby(h, "b"))
                || (HostSlots.activeAndUp(h, "b") && HostSlots.readyStandby(h, "a"));
    }

    String describeHost(int i) {
        try {
            RestClient.Response r = api(i).get("/v1/hosts/" + hostName(i));
            return hostName(i) + ": "
                    + (r.ok()
                            ? HostSlots.describe(r.body()) + ", realized "
                                    + r.body().path("realized")
                            : "status " + r.status());
        } catch (Exception e) {
            return hostName(i) + ": " + e;
        }
    }

    void createSwitch(int s) throws Exception {
        RestClient api = api(s);
        api.expectOk(api.post("/v1/switches", Map.of("name", switchName(s))), switchName(s));
    }

    /**
     * Port k: created on its switch, then bound on its host with {@code ?wait=realized} (the answer comes once every
     * host of the switch has the flows). Returns {create ms, bind-until-realized ms, 1 if answered 202 (not realized in
     * the controller's realize-timeout) else 0}.
     */
    double[] createAndBind(int k) throws Exception {
        RestClient api = api(k);
        String mac = String.format(
                "52:54:%02x:%02x:%02x:%02x", 0x20 + (k >> 24), (k >> 16) & 0xFF, (k >> 8) & 0xFF, k & 0xFF);
        long t0 = System.nanoTime();
        String sw = switchName(settings.switchOf(k));
        Answer created = retrying(() -> api.post("/v1/switches/" + sw + "/ports", Map.of("mac", mac)));
        String id = created.status() == 409 && created.retried()
                ? adopted(api, sw, mac, created)
                : api.expectOk(created.response(), "port " + k).path("id").asText();
        long t1 = System.nanoTime();
        RestClient.Response bound = retrying(() -> api.put(
                        "/v1/ports/" + id + "/binding?wait=realized", Map.of("host", hostName(settings.hostOf(k)))))
                .response();
        api.expectOk(bound, "bind port " + k);
        long t2 = System.nanoTime();
        // 202: bound, but not realized on every host within the controller's realize-timeout (10 s)
        return new double[] {(t1 - t0) / 1e6, (t2 - t1) / 1e6, bound.status() == 202 ? 1 : 0};
    }

    /** A call that can be made again: a bind is idempotent; a create answered 503 may have been made ({@link #adopted}). */
    private interface Call {
        RestClient.Response make() throws Exception;
    }

    /** A call's last answer, and whether it was made more than once. */
    private record Answer(RestClient.Response response, boolean retried) {
        int status() {
            return response.status();
        }
    }

    /**
     * The port with {@code mac} on switch {@code sw}, made by an earlier attempt of a create that answered 503 "may or
     * may not have been applied" (the port did not confirm joining its switch in time) and then 409 for the MAC: the
     * first attempt was applied. Read back from the switch's port list (the read side may lag: at most 5 reads, 1 s
     * apart), as the 503 tells a client to; counted in {@link #adopted()}.
     */
    private String adopted(RestClient api, String sw, String mac, Answer conflict) throws Exception {
        for (int read = 0; read < 5; read++) {
            RestClient.Response r = api.get("/v1/switches/" + sw + "/ports");
            if (r.ok()) {
                for (JsonNode p : r.body()) {
                    if (mac.equals(p.path("mac").asText())) {
                        adopted.incrementAndGet();
                        return p.path("id").asText();
                    }
                }
            }
            Thread.sleep(1000);
        }
        throw new IllegalStateException("port " + mac + " on " + sw + ": answered 503 then " + conflict.status() + " ("
                + conflict.response().body() + "), and no port of the switch has that MAC");
    }

    /**
     * {@code call}, made again while it answers 503 with Retry-After, as a client is told to (at most
     * {@link #ATTEMPTS} times, waiting what the header says, at most 5 s): the memory measurements' full GC of
     * Cassandra (a second or more here) makes the nodes' journal probe refuse changes for a few seconds ("the journal
     * does not answer"), and the first full-size run stopped on 19 such 503s. Each retry is counted ({@link #retries}).
     */
    private Answer retrying(Call call) throws Exception {
        RestClient.Response r = call.make();
        int attempt = 1;
        for (; attempt < ATTEMPTS && r.status() == 503 && r.retryAfter() != null; attempt++) {
            retries.incrementAndGet();
            Thread.sleep(retryAfterSeconds(r.retryAfter()) * 1000);
            r = call.make();
        }
        return new Answer(r, attempt > 1);
    }

    /** Retry-After's delay-seconds, kept within 1..5 s; 2 s for anything else (an HTTP date, which the nodes never send). */
    static long retryAfterSeconds(String header) {
        try {
            return Math.min(5, Math.max(1, Long.parseLong(header.trim())));
        } catch (NumberFormatException e) {
            return 2;
        }
    }

    /** Ports found made by an unanswered create ({@link #adopted}). */
    long adopted() {
        return adopted.get();
    }

    /** Calls made again after a 503 with Retry-After (see {@link #retrying}). */
    long retries() {
        return retries.get();
    }

    private RestClient api(int i) {
        return nodes.api(Math.floorMod(i, ControllerNodes.SIZE));
    }

    ControllerNodes nodes() {
        return nodes;
    }

    int agentCount() {
        synchronized (agents) {
            return agents.size();
        }
    }

    /** Flow-mods applied by every agent since it started (each read on the agent's control thread). */
    long flowModsApplied() {
        List<DatapathAgent> all;
        synchronized (agents) {
            all = List.copyOf(agents); // read outside the lock: each read waits on an agent's control thread
        }
        return all.stream().mapToLong(DatapathAgent::flowModsApplied).sum();
    }

    java.net.InetSocketAddress cassandraAddress() {
        return cassandra.embedded().contactPoint();
    }

    long cassandraPid() {
        return cassandra.embedded().pid().orElse(-1);
    }

    Path cassandraDir() {
        return cassandraDir;
    }

    /** Agents (16 closing at once would not help: each close is quick), the shared loops, the nodes, Cassandra. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            // the run's end, a shutdown hook and the watchdog may each ask: a later one waits for the first (bounded)
            try {
                closedDone.await(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        try {
            List<DatapathAgent> all;
            synchronized (agents) {
                all = List.copyOf(agents);
            }
            for (DatapathAgent a : all) {
                try {
                    a.close();
                } catch (RuntimeException e) {
                    System.err.println("[scale] closing an agent failed: " + e); // the others, and the rest, go on
                }
            }
        } finally {
            try {
                threads.close();
            } finally {
                try {
                    nodes.close();
                } finally {
                    try {
                        cassandra.close();
                    } finally {
                        closedDone.countDown();
                    }
                }
            }
        }
    }
}
