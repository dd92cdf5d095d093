package io.portmesh.loadtest.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.agent.control.AgentSettings;
import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.persistence.EmbeddedCassandra;
import io.portmesh.persistence.EmbeddedCassandraSettings;
import io.portmesh.persistence.Replication;
import io.portmesh.persistence.SchemaInstaller;
import io.portmesh.sharding.metrics.NodeMetrics;
import io.portmesh.sim.FrameStream;
import io.portmesh.sim.PingStats;
import io.portmesh.sim.PseudoWire;
import io.portmesh.sim.RttHistogram;
import io.portmesh.sim.SimulatedVm;
import io.portmesh.sim.StreamStats;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * The README's first command: an embedded Cassandra, three controller nodes as separate processes, three simulated
 * hosts with their agents, four VMs in two logical switches, traffic across VXLAN, a live move of a fifth VM under
 * numbered traffic ({@link DemoLiveMove}), a switch-VM failover on a fourth host ({@link DemoFailover}), and a short
 * report.
 */
@CommandLine.Command(
        name = "portmesh-demo",
        mixinStandardHelpOptions = true,
        description = "Runs the local Portmesh demo.")
public final class DemoMain implements Callable<Integer> {
    @CommandLine.Option(
            names = "--work",
            defaultValue = "work/demo",
            description = "work directory (Cassandra data, logs)")
    Path work;

    @CommandLine.Option(names = "--pings", defaultValue = "200", description = "pings per VM pair")
    int pings;

    @CommandLine.Option(names = "--cassandra-port", defaultValue = "9042")
    int cassandraPort;

    @CommandLine.Option(
            names = "--move-rate",
            defaultValue = "500",
            description = "numbered frames per second each way during the live move")
    int moveRate;

    @CommandLine.Option(
            names = "--tls",
            description = "everything over TLS: a new CA and certificates in <work>/pki, OpenFlow mutual TLS between"
                    + " nodes and agents, cluster remoting over TLS, the REST API over HTTPS with a bearer token")
    boolean tls;

    private final DemoReport report = new DemoReport();
    /** Appended to host and switch names: empty unless a Cassandra that was already running is reused. */
    private String suffix = "";
    /** The first three octets of the hosts' tunnel endpoints (loopback): another /24 when a Cassandra is reused. */
    private String tepNet = "127.0.0.";
    /** Each VM's port id, by MAC. */
    private final Map<Mac, String> portIds = new HashMap<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new DemoMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        List<NodeProcess> nodes = new ArrayList<>();
        List<DatapathAgent> agents = new ArrayList<>();
        List<SimulatedVm> vms = new ArrayList<>();
        List<PseudoWire> wires = new ArrayList<>();
        List<AgentProcess> processes = new ArrayList<>();
        long t0 = System.nanoTime();
        try (EmbeddedCassandra cassandra = new EmbeddedCassandra(EmbeddedCassandraSettings.defaults()
                .withWorkDir(work.resolve("cassandra"))
                .withNativePort(cassandraPort)
                .withStoragePort(cassandraPort == 9042 ? 7000 : cassandraPort + 1)
                // a demo starts from nothing: a second run on the same checkout must not find the first one's data
                .withCleanStart(true))) {
            String version = cassandra.start().releaseVersion();
            if (!cassandra.owned()) {
                // somebody else's Cassandra (maybe with an earlier demo's data): keep this run's names apart
                suffix = "-" + Long.toString(System.currentTimeMillis() % 1_679_616L, 36);
                // and its tunnel endpoints: a tunnel IP belongs to one host, also an earlier run's
                tepNet = "127.0." + (1 + (int) (System.currentTimeMillis() % 250)) + ".";
            }
            report.step(
                    "Cassandra " + version + " answers on " + cassandra.contactPointString()
                            + (cassandra.owned() ? " (started)" : " (reused; this run's names end in " + suffix + ")"),
                    t0);
            new SchemaInstaller(Replication.simple(1)).install(cassandra.contactPoint(), "datacenter1");

            long t = System.nanoTime();
            DemoSecurity security = tls ? DemoSecurity.on(work.resolve("pki")) : DemoSecurity.off();
            for (int i = 0; i < 3; i++) {
                nodes.add(NodeProcess.launch(
                        i + 1,
                        2551 + i,
                        List.of(2551),
                        8080 + i,
                        6653 + i,
                        cassandra.contactPointString(),
                        work.resolve("logs"),
                        security.node(i + 1)));
            }
            RestClient api = nodes.get(0).api();
            awaitCluster(nodes);
            report.step(
                    "3 controller nodes up (pids "
                            + nodes.stream().map(n -> String.valueOf(n.pid())).toList()
                            + ", REST " + (tls ? "https" : "http") + " :8080-8082, OpenFlow"
                            + (tls ? " over mutual TLS" : "") + " :6653-6655"
                            + (tls ? ", cluster remoting over TLS" : "") + ")",
                    t);
            if (security.enabled()) {
                security.checkClosed(nodes.get(0), report);
            }

            t = System.nanoTime();
            List<String> controllers =
                    nodes.stream().map(n -> "127.0.0.1:" + n.openflowPort).toList();
            for (int i = 1; i <= 3; i++) {
                String host = "esx-" + i + suffix;
                String tep = tepNet + (10 + i);
                api.expectOk(api.post("/v1/hosts", Map.of("name", host, "tunnelIp", tep)), "create host " + host);
                agents.add(DatapathAgent.start(
                        AgentSettings.local(host, "a", tep, 4789, controllers).withTls(security.agent(host, "a"))));
            }
            report.step("3 hosts registered, their agents connected to all 3 nodes", t);

            t = System.nanoTime();
            String blue = "blue" + suffix;
            String red = "red" + suffix;
            api.expectOk(api.post("/v1/switches", Map.of("name", blue)), "create switch blue");
            api.expectOk(api.post("/v1/switches", Map.of("name", red)), "create switch red");
            SimulatedVm vm1 = vm(api, blue, "52:54:00:00:01:01", "10.0.0.1", 1, agents, vms);
            SimulatedVm vm2 = vm(api, blue, "52:54:00:00:01:02", "10.0.0.2", 2, agents, vms);
            SimulatedVm vm3 = vm(api, red, "52:54:00:00:02:03", "10.0.0.3", 1, agents, vms);
            SimulatedVm vm4 = vm(api, red, "52:54:00:00:02:04", "10.0.0.4", 3, agents, vms);
            report.step("2 switches, 4 ports bound with ?wait=realized", t);

            t = System.nanoTime();
            vm1.resolve(vm2.ip()).get(10, TimeUnit.SECONDS);
            vm3.resolve(vm4.ip()).get(10, TimeUnit.SECONDS);
            report.step("ARP across VXLAN: vm1 -> vm2 (blue), vm3 -> vm4 (red)", t);
            ping(vm1, vm2, "blue vm1 (esx-1) -> vm2 (esx-2)");
            ping(vm3, vm4, "red  vm3 (esx-1) -> vm4 (esx-3)");
            boolean leaked = vm3.hasReceived(f -> from(f, vm1) || from(f, vm2))
                    || vm4.hasReceived(f -> from(f, vm1) || from(f, vm2))
                    || vm1.hasReceived(f -> from(f, vm3) || from(f, vm4))
                    || vm2.hasReceived(f -> from(f, vm3) || from(f, vm4));
            report.check("isolation: no frame of blue reached red, none of red reached blue", !leaked);
            JsonNode host1 = api.expectOk(api.get("/v1/hosts/esx-1" + suffix), "get host");
            report.line("esx-1: " + host1.path("flowsInstalled").asInt() + " flows installed, master generation "
                    + host1.path("masterGeneration").asLong() + ", agents "
                    + host1.path("agents").size());
            SimulatedVm vm5 = vm(api, blue, "52:54:00:00:01:05", "10.0.0.5", 1, agents, vms);
            SimulatedVm vm6 = vm(api, blue, "52:54:00:00:01:06", "10.0.0.6", 2, agents, vms);
            new DemoLiveMove(api, report, moveRate, wires)
                    .run(vm5, portIds.get(vm5.mac()), vm6, "esx-3" + suffix, agents.get(2));
            DemoFailover failover =
                    new DemoFailover(nodes, security, report, moveRate, work.resolve("logs"), processes, wires, vms);
            failover.run(
                    "esx-4" + suffix,
                    tepNet,
                    blue,
                    "esx-2" + suffix,
                    agents.get(1).trunkAddress());
            metrics(nodes, 6 + failover.bindings(), 3 + failover.agentsRunning());
            report.line(security.describe(nodes.size()));
            report.line("total " + String.format("%.1f s", (System.nanoTime() - t0) / 1e9));
            report.print(work.resolve("report.txt"));
            return report.failed() ? 1 : 0;
        } finally {
            vms.forEach(SimulatedVm::close);
            wires.forEach(PseudoWire::close);
            agents.forEach(DatapathAgent::close);
            processes.forEach(AgentProcess::close);
            NodeProcess.closeAll(nodes);
        }
    }

    private SimulatedVm vm(
            RestClient api,
            String sw,
            String mac,
            String ip,
            int host,
            List<DatapathAgent> agents,
            List<SimulatedVm> vms)
            throws Exception {
        JsonNode port = api.expectOk(
                api.post("/v1/switches/" + sw + "/ports", Map.of("mac", mac, "ips", List.of(ip))), "create port");
        long t = System.nanoTime();
        JsonNode b = api.expectOk(
                api.put(
                        "/v1/ports/" + port.path("id").asText() + "/binding?wait=realized",
                        Map.of("host", "esx-" + host + suffix)),
                "bind port");
        report.realized((System.nanoTime() - t) / 1_000_000.0);
        portIds.put(Mac.parse(mac), port.path("id").asText());
        SimulatedVm vm = new SimulatedVm(
                Mac.parse(mac),
                Ipv4.parse(ip),
                b.path("vlan").asInt(),
                agents.get(host - 1).trunkAddress());
        vm.sendGratuitousArp();
        vms.add(vm);
        return vm;
    }

    /** Numbered frames at {@code rate} (the demo's {@link #moveRate}) for at most 60 s, until the demo stops it. */
    static FrameStream stream(SimulatedVm from, SimulatedVm to, int rate) {
        return FrameStream.from(from)
                .to(to)
                .rate(rate)
                .count(60L * rate)
                .maxDuration(Duration.ofSeconds(60))
                .start();
    }

    static StreamStats finish(FrameStream s) throws InterruptedException {
        s.stop();
        return s.awaitReceived(Duration.ofSeconds(2));
    }

    private void ping(SimulatedVm from, SimulatedVm to, String label) throws InterruptedException {
        RttHistogram rtt = new RttHistogram();
        from.setRttHook(rtt);
        PingStats before = from.pingStats();
        for (int i = 0; i < pings; i++) {
            from.sendPing(to.mac(), 128);
            Thread.sleep(5);
        }
        Thread.sleep(300);
        PingStats after = from.pingStats();
        long sent = after.sent() - before.sent();
        long received = after.received() - before.received();
        var h = rtt.cumulative();
        report.check(
                String.format(
                        "%s: %d/%d answered, rtt p50 %.2f ms p99 %.2f ms",
                        label, received, sent, h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6),
                received == sent);
    }

    /**
     * What the nodes' GET /metrics say, summed over the nodes (the README's operations section explains them), checked
     * against what the demo did: {@code bindings} realized, every one of {@code hosts} agents on every node.
     */
    private void metrics(List<NodeProcess> nodes, int bindings, int hosts) throws IOException, InterruptedException {
        double realized = 0;
        double sessions = 0;
        double flowMods = 0;
        double elections = 0;
        for (NodeProcess n : nodes) {
            String m = n.api().text("/metrics");
            realized += NodeMetrics.sum(m, "portmesh_operations_total", "operation=\"bind_port\",outcome=\"realized\"");
            sessions += NodeMetrics.sum(m, "portmesh_openflow_sessions", "");
            flowMods += NodeMetrics.sum(m, "portmesh_flow_mods_sent_total", "");
            elections += NodeMetrics.sum(m, "portmesh_master_elections_total", "");
        }
        report.check(
                String.format(
                        "metrics (GET /metrics, summed over the %d nodes): %.0f bindings realized, %.0f agent sessions, "
                                + "%.0f master elections, %.0f flow-mods sent",
                        nodes.size(), realized, sessions, elections, flowMods),
                realized == bindings && sessions == (double) hosts * nodes.size() && flowMods > 0);
    }

    private static boolean from(byte[] frame, SimulatedVm vm) {
        return frame.length >= 12 && Mac.of(frame, 6).equals(vm.mac());
    }

    static void awaitCluster(List<NodeProcess> nodes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String notReady = "no answer yet";
        while (System.nanoTime() < deadline) {
            boolean allReady = true;
            for (NodeProcess n : nodes) {
                if (!n.isAlive()) {
                    throw new IllegalStateException(
                            "controller node " + n.index + " exited; see its log under work/demo/logs");
                }
                try {
                    // ready: an Up member, its journal answers, its OpenFlow server listens
                    RestClient.Response r = n.api().get("/ready");
                    if (r.status() != 200) {
                        allReady = false;
                        notReady = "node " + n.index + ": "
                                + r.body().path("message").asText(r.body().toString());
                    }
                } catch (Exception e) {
                    allReady = false; // not listening yet
                    notReady = "node " + n.index + " does not answer on " + n.url();
                }
            }
            if (allReady) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the controller cluster was not ready within 120 s (" + notReady + ")");
    }
}
