package io.portmesh.loadtest.failover;

import io.portmesh.cluster.ControllerNode;
import io.portmesh.cluster.LocalCluster;
import io.portmesh.cluster.LocalPorts;
import io.portmesh.loadtest.BenchCassandra;
import io.portmesh.loadtest.FrameCounts;
import io.portmesh.loadtest.KernelUdp;
import io.portmesh.loadtest.RunWatchdog;
import io.portmesh.loadtest.bind.MachineInfo;
import io.portmesh.loadtest.bind.Sleep;
import io.portmesh.loadtest.demo.AgentProcess;
import io.portmesh.loadtest.demo.RestClient;
import io.portmesh.persistence.EmbeddedCassandra;
import io.portmesh.persistence.Replication;
import io.portmesh.persistence.SchemaInstaller;
import io.portmesh.sim.FrameStream;
import io.portmesh.sim.StreamStats;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * Issue 17's figure: what a switch-VM failover costs, unplanned (the active agent killed) and planned (through the
 * API), under numbered traffic. An embedded Cassandra (own ports, own directory), three controller nodes in this JVM
 * ({@link LocalCluster}, as in {@code MoveBenchmark}: the nodes are not what is killed here, and three more JVMs would
 * take CPU from the agents on a small machine), N hosts each with an agent pair (slot a and slot b, each an
 * {@link AgentProcess}: its own JVM, killable with SIGKILL, its own VXLAN address, trunk down at start), P peer hosts
 * with one agent each, and one VM per pair host exchanging numbered frames with a peer VM (pair i's peer is on peer
 * host i mod P) at {@code --rate} each way. Then, one host after the other: (a) SIGKILL of the active agent, until the
 * standby is active with its trunk up (GET host polled), plus a second of traffic; (b) every killed agent started
 * again, until each is the ready standby; (c) a planned failover back through the API, one host after the other. See
 * {@link Failovers} for the measurement of each failover. Every wait is bounded and the run has a maximum. Logs go
 * to work/bench-failover/logs (the nodes' bench.log, each agent's own), the report to stdout and
 * work/bench-failover/report.txt.
 */
@CommandLine.Command(
        name = "failover-benchmark",
        mixinStandardHelpOptions = true,
        description = "Measures switch-VM failovers (agent killed, then planned back) under numbered traffic.")
public final class FailoverBenchmark implements Callable<Integer> {
    static final Path WORK = Path.of("work", "bench-failover");
    private static final int CQL_PORT = 19262;
    private static final int STORAGE_PORT = 17262;
    private static final int NODES = 3;
    private static final String DATACENTER = "datacenter1";

    @CommandLine.Option(names = "--hosts", defaultValue = "20", description = "hosts with an agent pair (2 JVMs each)")
    int hosts;

    @CommandLine.Option(
            names = "--peer-hosts",
            defaultValue = "4",
            description = "hosts with one agent for the peer VMs; pair host i's peer is on peer host i mod this")
    int peerHosts;

    @CommandLine.Option(
            names = "--switches",
            defaultValue = "1",
            description = "logical switches; pair host i's VM and its peer are on switch i mod this")
    int switches;

    @CommandLine.Option(
            names = "--bind-after-standby",
            description = "bind the VMs once both slots run (default: while only slot a runs, then start slot b; see "
                    + "FailoverFabric on why the order matters today)")
    boolean bindAfterStandby;

    @CommandLine.Option(names = "--rate", defaultValue = "200", description = "frames/s each way per VM pair")
    int rate;

    @CommandLine.Option(
            names = "--after",
            defaultValue = "1000",
            description = "ms of traffic kept after a failover took effect before its frames are counted")
    int afterMs;

    @CommandLine.Option(
            names = "--settle",
            defaultValue = "20",
            description =
                    "seconds of traffic before the first kill, and after the restarted agents rejoined before the "
                            + "first planned failover: agent JVMs that just started compile and collect at full speed")
    int settleSeconds;

    @CommandLine.Option(
            names = "--takeover-timeout",
            defaultValue = "15",
            description = "seconds one failover may take to show the new active slot with its trunk up")
    int takeoverSeconds;

    @CommandLine.Option(
            names = "--start-timeout",
            defaultValue = "300",
            description = "seconds for the agents to start and hold their plans, and for the killed ones to rejoin")
    int startSeconds;

    @CommandLine.Option(
            names = "--max-seconds",
            defaultValue = "1500",
            description = "the whole run's maximum (a minute after it, the JVM is halted)")
    int maxSeconds;

    private String[] args = new String[0];
    private final FailoverReport report = new FailoverReport();

    public static void main(String[] args) {
        System.setProperty(
                "portmesh.bench.log", WORK.resolve("logs").toAbsolutePath().toString());
        System.setProperty("logback.configurationFile", "io/portmesh/loadtest/bind/bench-logback.xml");
        FailoverBenchmark b = new FailoverBenchmark();
        b.args = args.clone();
        System.exit(new CommandLine(b).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (hosts < 1 || hosts > 200 || peerHosts < 1 || peerHosts > 200 || switches < 1 || rate < 1 || afterMs < 0) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this),
                    "need 1 <= hosts <= 200, 1 <= peer-hosts <= 200, switches >= 1, rate >= 1, after >= 0");
        }
        long started = System.nanoTime();
        long deadline = started + TimeUnit.SECONDS.toNanos(maxSeconds);
        RunWatchdog.start("failover-benchmark", maxSeconds + 60L, this::writeReport);
        String run = Long.toString(System.currentTimeMillis() % 2_176_782_336L, 36);
        List<String> phaseStarts = new ArrayList<>(List.of("-", "-", "-"));
        header();
        EmbeddedCassandra cassandra = BenchCassandra.embedded(WORK.resolve("cassandra"), CQL_PORT, STORAGE_PORT);
        LocalCluster cluster = null;
        FailoverFabric fabric = null;
        try {
            progress("starting Cassandra on 127.0.0.1:" + CQL_PORT);
            cassandra.start();
            new SchemaInstaller(Replication.simple(1)).install(cassandra.contactPoint(), DATACENTER);
            progress("starting " + NODES + " controller nodes (in this JVM)");
            cluster = LocalCluster.start(
                    LocalPorts.freeTcpPorts(NODES),
                    new int[NODES],
                    BenchCassandra.nodeConfig(cassandra.contactPointString()),
                    Duration.ofSeconds(90));
            List<RestClient> apis = new ArrayList<>();
            for (ControllerNode n : cluster.nodes()) {
                apis.add(new RestClient("http://127.0.0.1:" + n.httpAddress().getPort()));
            }
            fabric = new FailoverFabric(apis, cluster.openflowAddresses(), WORK.resolve("logs"), run, rate, deadline);
            Failovers failovers = new Failovers(fabric, report);
            String memBefore = MachineInfo.memAvailable();
            long t = System.nanoTime();
            fabric.start(hosts, peerHosts, switches, !bindAfterStandby, Duration.ofSeconds(startSeconds));
            report.line(
                    "setup:    %d controller nodes in this JVM (realize-timeout %s); %d pair hosts x 2 agents + %d peer "
                            + "hosts x 1 agent = %d agent JVMs (-Xmx192m each), all VXLAN on UDP %d; %d switch(es); "
                            + "%d VM pairs, %d streams x %d frames/s = %,d frames/s",
                    cluster.size(),
                    cluster.settings().realizeTimeout(),
                    hosts,
                    peerHosts,
                    2 * hosts + peerHosts,
                    fabric.vxlanPort(),
                    switches,
                    hosts,
                    2 * hosts,
                    rate,
                    2L * hosts * rate);
            report.line(
                    "          agents started and holding their plans, VMs bound (wait=realized) %s: %.1f s; "
                            + "MemAvailable %s before the agents, %s with them; the agents' resident memory %s",
                    bindAfterStandby ? "once both slots ran" : "while only slot a ran (slot b started after)",
                    (System.nanoTime() - t) / 1e9,
                    memBefore,
                    MachineInfo.memAvailable(),
                    fabric.agentsResident());

            progress("starting " + 2 * hosts + " streams at " + rate + " frames/s each");
            fabric.startStreams();
            Sleep.millis(2_000);
            StreamStats warm = FrameCounts.sum(fabric.streams(), false);
            report.line(
                    "traffic:  2 s in, before any failover: sent %,d, not yet received %,d, duplicates %d",
                    warm.sent(), warm.lost(), warm.duplicates());

            progress("traffic for " + settleSeconds + " s before the first kill");
            Sleep.millis(TimeUnit.SECONDS.toMillis(settleSeconds));
            String loadBefore = MachineInfo.loadAverage();
            long drops = KernelUdp.receiveBufferErrors();
            progress("(a) killing each host's active agent, one host after the other");
            phaseStarts.set(0, java.time.LocalTime.now().withNano(0).toString());
            List<FailoverReport.Failover> unplanned = new ArrayList<>();
            for (int i = 0; i < hosts && System.nanoTime() - deadline < 0; i++) {
                unplanned.add(failovers.kill(i, Duration.ofSeconds(takeoverSeconds), afterMs));
            }

            List<FailoverReport.Failover> planned = new ArrayList<>();
            List<Double> rejoined = new ArrayList<>();
            String loadBeforePlanned = "-";
            boolean restarted = false;
            try { // a failure here must not take what (a) measured with it
                progress("(b) starting the killed agents again");
                phaseStarts.set(1, java.time.LocalTime.now().withNano(0).toString());
                rejoined.addAll(failovers.restartKilled(Duration.ofSeconds(startSeconds)));
                restarted = true;
                progress("traffic for " + settleSeconds + " s before the first planned failover");
                Sleep.millis(TimeUnit.SECONDS.toMillis(settleSeconds));
                loadBeforePlanned = MachineInfo.loadAverage();

                progress("(c) planned failovers back through the API, one host after the other");
                phaseStarts.set(2, java.time.LocalTime.now().withNano(0).toString());
                for (int i = 0; i < hosts && System.nanoTime() - deadline < 0; i++) {
                    if (failovers.readyToSwitchBack(i)) {
                        planned.add(failovers.switchBack(i, Duration.ofSeconds(takeoverSeconds), afterMs));
                    }
                }
            } catch (Exception e) {
                report.line("STOPPED after the kills: %s", e);
            }
            String loadAfter = MachineInfo.loadAverage();
            long dropped = KernelUdp.receiveBufferErrors() - drops;

            progress("stopping the streams and counting");
            fabric.streams().forEach(FrameStream::stop);
            StreamStats total = FrameCounts.sum(fabric.streams(), true);
            Failovers.count(unplanned);
            Failovers.count(planned);
            failovers.persistedTimes(unplanned, planned);
            report.unplanned(unplanned, rate);
            if (restarted) {
                report.rejoined(rejoined, failovers.killedCount(), startSeconds);
            }
            report.planned(planned, rate);
            long inWindows = lostIn(unplanned) + lostIn(planned);
            report.line("");
            report.line(
                    "frames:   all streams, whole run: sent %,d, received %,d, LOST %,d (on the failovers' own streams "
                            + "%,d, on the others: steady traffic, the restarts included, %,d), duplicates %,d, out of "
                            + "order %,d",
                    total.sent(),
                    total.received(),
                    total.lost(),
                    inWindows,
                    total.lost() - inWindows,
                    total.duplicates(),
                    total.outOfOrder());
            report.line(
                    "kernel:   UDP datagrams dropped for a full socket receive buffer from the first kill to the last "
                            + "planned failover (/proc/net/snmp RcvbufErrors, every socket on the machine): %,d",
                    dropped);
            report.line(
                    "load average (1/5/15 min) before the first kill %s, before the first planned failover %s, after "
                            + "the last %s",
                    loadBefore, loadBeforePlanned, loadAfter);
            report.line(
                    "run:      %.0f s from the start to the counts (%s); the phases: setup, (a) from %s, (b) from %s, "
                            + "(c) from %s",
                    (System.nanoTime() - started) / 1e9,
                    java.time.LocalTime.now().withNano(0),
                    phaseStarts.get(0),
                    phaseStarts.get(1),
                    phaseStarts.get(2));
            report.line(
                    "logs:     %s (nodes), %s/agent-*.log (agents)",
                    WORK.resolve("logs").resolve("bench.log"), WORK.resolve("logs"));
            return 0;
        } finally {
            progress("shutting down streams, VMs, wires, agents, nodes and Cassandra");
            if (fabric != null) {
                fabric.close();
            }
            if (cluster != null) {
                cluster.close();
            }
            cassandra.close();
            writeReport();
        }
    }

    private static long lostIn(List<FailoverReport.Failover> fs) {
        return fs.stream()
                .filter(f -> f.out != null)
                .mapToLong(f -> f.out.lost() + f.in.lost())
                .sum();
    }

    private void writeReport() {
        report.write(WORK.resolve("report.txt"));
    }

    private void header() {
        report.line("Portmesh switch-VM failover benchmark (io.portmesh.loadtest.failover.FailoverBenchmark)");
        report.line("date:     %s", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        report.line("command:  %s", MachineInfo.commandLine(args));
        report.line("machine:  %s", MachineInfo.summary());
        report.line(
                "options:  --hosts %d --peer-hosts %d --switches %d --rate %d --after %d --settle %d --takeover-timeout "
                        + "%d --start-timeout %d --max-seconds %d%s",
                hosts,
                peerHosts,
                switches,
                rate,
                afterMs,
                settleSeconds,
                takeoverSeconds,
                startSeconds,
                maxSeconds,
                bindAfterStandby ? " --bind-after-standby" : "");
    }

    static void progress(String step) {
        System.err.println("[failover-benchmark " + java.time.LocalTime.now().withNano(0) + "] " + step);
    }
}
