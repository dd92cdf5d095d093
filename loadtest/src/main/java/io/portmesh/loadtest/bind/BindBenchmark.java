package io.portmesh.loadtest.bind;

import io.portmesh.cluster.LocalCluster;
import io.portmesh.cluster.LocalPorts;
import io.portmesh.loadtest.BenchCassandra;
import io.portmesh.loadtest.BenchTls;
import io.portmesh.loadtest.TlsMode;
import io.portmesh.model.SwitchId;
import io.portmesh.persistence.EmbeddedCassandra;
import io.portmesh.persistence.Replication;
import io.portmesh.persistence.SchemaInstaller;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * Issue 3's figure: how long a port takes from create to realized on every agent, against the floor that Cassandra
 * and one barrier put under it. Everything runs on this machine: an embedded Cassandra (own ports, own directory),
 * three controller nodes in this JVM, one real agent per simulated host over TCP (all agents in a second JVM, as on
 * real hosts their heaps are not the controller's; {@code --agents-here} puts them in this one); then ports are created and bound at a
 * steady offered rate. Every wait is bounded. Logs go to work/bench-bind/logs/bench.log, the report to stdout and
 * work/bench-bind/report.txt.
 *
 * <p>{@code --tls on} runs it with OpenFlow mutual TLS between nodes and agents and Artery over TLS between the nodes
 * (a fresh PKI in work/bench-bind/pki, {@link BenchTls}); {@code --tls both} runs everything from the controller
 * nodes on twice against the same Cassandra, TLS off then on, and ends with what TLS costs ({@link
 * BindReport#tlsCost}).
 */
@CommandLine.Command(
        name = "bind-benchmark",
        mixinStandardHelpOptions = true,
        description = "Measures create+bind+realized latency of ports on a 3-node controller.")
public final class BindBenchmark implements Callable<Integer> {
    static final Path WORK = Path.of("work", "bench-bind");
    private static final int NODES = 3;
    private static final int CASSANDRA_WRITES = 500;
    private static final int BARRIERS = 200;
    private static final String DATACENTER = "datacenter1";
    private static final Duration PROBE_PERIOD = Duration.ofMillis(200);
    /** How long the cost of merely running (echo keepalives, announcements, view polling) is measured. */
    private static final Duration IDLE = Duration.ofSeconds(10);

    @CommandLine.Option(names = "--ports", defaultValue = "1000", description = "ports to create and bind")
    int ports;

    @CommandLine.Option(names = "--hosts", defaultValue = "50", description = "simulated hosts (one agent each)")
    int hosts;

    @CommandLine.Option(names = "--switches", defaultValue = "20", description = "logical switches")
    int switches;

    @CommandLine.Option(names = "--rate", defaultValue = "20", description = "offered ports per second")
    double rate;

    @CommandLine.Option(
            names = "--warmup",
            defaultValue = "1000",
            description = "ports created, bound and deleted in the measured layout on switches of their own before "
                    + "the measured run (JIT in both JVMs, shard allocation, Cassandra's first writes), after a "
                    + "tenth of that at a quarter of the rate; 0 measures a cold controller")
    int warmup;

    @CommandLine.Option(
            names = "--agents-here",
            description = "run the agents in this JVM instead of a JVM of their own (they then share the "
                    + "controller's heap and garbage collector)")
    boolean agentsHere;

    @CommandLine.Option(
            names = "--tls",
            defaultValue = "off",
            description = "off, on, or both (the same load TLS off, then on, in this run, and the cost of TLS): "
                    + "OpenFlow mutual TLS and cluster remoting over TLS")
    String tls;

    @CommandLine.Option(names = "--cql-port", defaultValue = "19242", description = "the embedded Cassandra's CQL port")
    int cqlPort;

    @CommandLine.Option(
            names = "--storage-port",
            defaultValue = "17242",
            description = "the embedded Cassandra's storage port (two runs side by side need their own ports)")
    int storagePort;

    private String[] args = new String[0];

    public static void main(String[] args) {
        // before any logger exists: the controller's and agents' logs go to a file, the report to stdout
        System.setProperty(
                "portmesh.bench.log", WORK.resolve("logs").toAbsolutePath().toString());
        System.setProperty("logback.configurationFile", "io/portmesh/loadtest/bind/bench-logback.xml");
        BindBenchmark b = new BindBenchmark();
        b.args = args.clone();
        System.exit(new CommandLine(b).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (ports < 1 || switches < 1 || rate <= 0 || hosts < 1 || hosts > BenchHosts.MAX_HOSTS) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this),
                    "need ports >= 1, switches >= 1, rate > 0, 1 <= hosts <= " + BenchHosts.MAX_HOSTS);
        }
        TlsMode mode;
        try {
            mode = TlsMode.parse(tls);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
        }
        String run = Long.toString(System.currentTimeMillis() % 2_176_782_336L, 36);
        BindReport report = new BindReport();
        header(report, mode);
        EmbeddedCassandra cassandra = BenchCassandra.embedded(WORK.resolve("cassandra"), cqlPort, storagePort);
        try {
            progress("starting Cassandra on 127.0.0.1:" + cqlPort);
            cassandra.start();
            new SchemaInstaller(Replication.simple(1)).install(cassandra.contactPoint(), DATACENTER);
            List<BindReport.Half> halves = new ArrayList<>();
            for (boolean on : mode.runs()) {
                BenchTls t = on ? BenchTls.on(WORK.resolve("pki")) : BenchTls.off();
                report.line("");
                report.line("=== %s ===", t.label());
                // names of their own per half: the second half's hosts, switches and ports are new entities
                halves.add(measure(cassandra, t, run + (on ? "t" : "p"), report));
            }
            if (halves.size() == 2) {
                report.tlsCost(halves.get(0), halves.get(1));
            }
            return 0;
        } finally {
            progress("shutting down Cassandra");
            cassandra.close();
            report.print(WORK.resolve("report.txt"));
        }
    }

    /** One measured run from the controller nodes on, with {@code tls}: nodes and agents are stopped at its end. */
    private BindReport.Half measure(EmbeddedCassandra cassandra, BenchTls tls, String run, BindReport report)
            throws Exception {
        LocalCluster cluster = null;
        BenchHosts simulated = null;
        try {
            progress("starting " + NODES + " controller nodes, " + tls.label());
            cluster = LocalCluster.start(
                    LocalPorts.freeTcpPorts(NODES),
                    new int[NODES], // OpenFlow on any free port: agents get the addresses the nodes bound
                    BenchCassandra.nodeConfig(cassandra.contactPointString()).withFallback(tls.nodeConfig()),
                    Duration.ofSeconds(90));
            progress("registering " + hosts + " hosts and starting their agents");
            simulated = BenchHosts.start(
                    cluster.service(0),
                    cluster.openflowAddresses(),
                    hosts,
                    run,
                    Duration.ofSeconds(120),
                    agentsHere ? null : WORK.resolve("logs").resolve("agents.log"),
                    tls);
            List<SwitchId> switchIds = createSwitches(cluster, run, "s");
            warmUp(cluster, simulated, run, report);
            progress("measuring the idle cost (agents connected, keepalives only) for " + IDLE.toSeconds() + " s");
            ResourceUsage idleFrom = ResourceUsage.sample(cassandra.pid(), simulated.fleetPid());
            Sleep.millis(IDLE.toMillis());
            report.line(
                    "idle:     %s",
                    ResourceUsage.sample(cassandra.pid(), simulated.fleetPid()).since(idleFrom));
            progress("measuring the floor: " + CASSANDRA_WRITES + " Cassandra writes, " + BARRIERS + " barriers");
            try (CassandraWriteProbe cql = CassandraWriteProbe.open(cassandra.contactPoint(), DATACENTER)) {
                Samples writes = cql.sequential(CASSANDRA_WRITES);
                Samples barriers = BarrierProbe.measure(
                        "127.0.0." + (BenchHosts.FIRST_TEP - 1), simulated.vxlanPort(), BARRIERS, tls);
                PathFloor floor = new PathFloor(writes, barriers);

                BindLoad load = new BindLoad(cluster.services(), switchIds, simulated.ids());
                setup(report, cassandra, cluster, simulated, load, tls);
                progress(String.format("creating and binding %d ports at %.1f/s", ports, rate));
                Duration drain = cluster.settings()
                        .askTimeout()
                        .multipliedBy(2)
                        .plus(cluster.settings().realizeTimeout())
                        .plus(Duration.ofSeconds(30));
                String loadBefore = MachineInfo.loadAverage();
                ResourceUsage before = ResourceUsage.sample(cassandra.pid(), simulated.fleetPid());
                cql.startBackground(PROBE_PERIOD);
                BindResults results = load.run(ports, rate, drain);
                Samples during = cql.stopBackground();
                ResourceUsage after = ResourceUsage.sample(cassandra.pid(), simulated.fleetPid());
                String loadAfter = MachineInfo.loadAverage();
                report.results(results, rate, floor, 10);
                report.line("");
                if (during != null) {
                    report.line(
                            "Cassandra write during the load (one INSERT every %d ms, %d samples, %d errors): "
                                    + "median %.3f ms, p99 %.3f ms, max %.3f ms",
                            PROBE_PERIOD.toMillis(),
                            during.count(),
                            cql.backgroundErrors(),
                            during.medianMs(),
                            during.percentileMs(99),
                            during.maxMs());
                }
                report.line("resources during the load: %s", after.since(before));
                report.line(
                        "load average (1/5/15 min) at start of load %s, at end %s (the machine is shared)",
                        loadBefore, loadAfter);
                report.line("logs: %s", WORK.resolve("logs").resolve("bench.log"));
                return new BindReport.Half(tls.label(), results, floor, loadBefore, loadAfter);
            }
        } finally {
            progress("shutting down agents and nodes (" + tls.label() + ")");
            if (simulated != null) {
                simulated.close();
            }
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    /**
     * Unmeasured ports in the measured layout (as many switches, spread over every host, so that bindings fan out the
     * same way) on switches of their own, deleted again so that the hosts' plans are back to empty: the measured run
     * starts with live entities, allocated shards and the fan-out path JIT-compiled. With a short warm-up both JVMs
     * (this one and Cassandra's) are still compiling through the measured run: per-thread CPU showed the C2 compiler
     * threads at 0.40 of this JVM's 1.39 cores and 0.18 of Cassandra's 0.43 cores 10-30 s into the load after the
     * former 200-port warm-up without fan-out.
     */
    private void warmUp(LocalCluster cluster, BenchHosts simulated, String run, BindReport report) throws Exception {
        if (warmup <= 0) {
            report.line("warm-up:  none (cold controller)");
            return;
        }
        // a cold JVM cannot take the full rate with fan-out: a first tenth at a quarter of the rate, on switches of
        // its own (MACs are unique per switch), so that the full-rate part does not start by queueing
        int ramp = Math.max(1, warmup / 10);
        warmUpPhase(cluster, simulated, run, report, "ramp", ramp, rate / 4);
        warmUpPhase(cluster, simulated, run, report, "warm", warmup, rate);
    }

    private void warmUpPhase(
            LocalCluster cluster,
            BenchHosts simulated,
            String run,
            BindReport report,
            String prefix,
            int count,
            double phaseRate)
            throws Exception {
        progress(String.format(
                "warm-up: %d ports at %.1f/s on %d switches of their own, then deleting them",
                count, phaseRate, switches));
        List<SwitchId> ids = createSwitches(cluster, run, prefix);
        BindLoad load = new BindLoad(cluster.services(), ids, simulated.ids());
        Duration drain = Duration.ofSeconds(60);
        BindResults w = load.run(count, phaseRate, drain);
        int notDeleted = load.deleteAll(w.createdPorts(), phaseRate, drain);
        report.line(
                "warm-up:  %d ports at %.1f/s on %d switches of their own, not measured: %d realized, %d not realized, "
                        + "%d failed, %d unfinished, p50 %.1f ms p99 %.1f ms; deleted again (%d deletes failed or "
                        + "unfinished)",
                count,
                phaseRate,
                switches,
                w.count(BindResults.REALIZED),
                w.count(BindResults.NOT_REALIZED),
                w.count(BindResults.FAILED),
                w.unfinished,
                w.total().getValueAtPercentile(50) / 1e3,
                w.total().getValueAtPercentile(99) / 1e3,
                notDeleted);
    }

    private List<SwitchId> createSwitches(LocalCluster cluster, String run, String prefix) throws Exception {
        progress("creating " + switches + " switches (" + prefix + ")");
        List<SwitchId> ids = new ArrayList<>();
        for (int i = 0; i < switches; i++) {
            SwitchId id = SwitchId.of(String.format("bench-%s-%s%03d", run, prefix, i + 1));
            cluster.service(0)
                    .createSwitch(id, Optional.empty())
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            ids.add(id);
        }
        return ids;
    }

    private void header(BindReport r, TlsMode mode) {
        Runtime rt = Runtime.getRuntime();
        r.line("Portmesh bind-and-realize benchmark (io.portmesh.loadtest.bind.BindBenchmark)");
        r.line("date:     %s", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        r.line("command:  %s", MachineInfo.commandLine(args));
        r.line(
                "machine:  nproc %d, MemTotal %s, JVM maxMemory %,d MiB, Java %s (%s)",
                rt.availableProcessors(),
                MachineInfo.memTotal(),
                rt.maxMemory() / (1024 * 1024),
                System.getProperty("java.version"),
                System.getProperty("java.vm.name"));
        r.line(
                "options:  --ports %d --hosts %d --switches %d --rate %s --warmup %d --tls %s%s",
                ports, hosts, switches, rate, warmup, mode.option(), agentsHere ? " --agents-here" : "");
    }

    private void setup(
            BindReport r, EmbeddedCassandra c, LocalCluster cluster, BenchHosts h, BindLoad load, BenchTls tls) {
        r.line(
                "setup:    Cassandra %s at %s (%s, RF 1, %s), %d controller nodes in this JVM (ask-timeout %s, "
                        + "realize-timeout %s), %d hosts each with one agent holding %d OpenFlow connections "
                        + "(VXLAN on %s:%d), agents %s, %d switches; %s",
                c.releaseVersion(),
                c.contactPointString(),
                c.owned() ? "started here" : "reused",
                c.owned() ? "child JVM -Xmx" + c.settings().maxHeap() : "not ours",
                cluster.size(),
                cluster.settings().askTimeout(),
                cluster.settings().realizeTimeout(),
                h.ids().size(),
                cluster.size(),
                h.tepRange(),
                h.vxlanPort(),
                h.where(),
                switches,
                tls.enabled()
                        ? "TLS on: OpenFlow mutual TLS (nodes' and agents' certificates of a new CA), Artery tls-tcp"
                        : "TLS off: plain OpenFlow and Artery tcp");
        r.line("layout:   %s; round-robin over the %d nodes", load.describeLayout(ports), cluster.size());
    }

    private static void progress(String step) {
        System.err.println("[bind-benchmark " + java.time.LocalTime.now().withNano(0) + "] " + step);
    }
}
