package io.portmesh.loadtest.move;

import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.agent.io.TrunkPort;
import io.portmesh.cluster.LocalCluster;
import io.portmesh.cluster.LocalPorts;
import io.portmesh.loadtest.BenchCassandra;
import io.portmesh.loadtest.FrameCounts;
import io.portmesh.loadtest.RunWatchdog;
import io.portmesh.loadtest.bind.BarrierProbe;
import io.portmesh.loadtest.bind.BenchHosts;
import io.portmesh.loadtest.bind.CassandraWriteProbe;
import io.portmesh.loadtest.bind.MachineInfo;
import io.portmesh.loadtest.bind.Samples;
import io.portmesh.loadtest.bind.Sleep;
import io.portmesh.model.HostId;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.persistence.EmbeddedCassandra;
import io.portmesh.persistence.Replication;
import io.portmesh.persistence.SchemaInstaller;
import io.portmesh.sharding.service.BindingResult;
import io.portmesh.sharding.service.NetworkService;
import io.portmesh.sharding.service.PortInfo;
import io.portmesh.sim.FrameStream;
import io.portmesh.sim.PseudoWire;
import io.portmesh.sim.SimulatedVm;
import io.portmesh.sim.StreamStats;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * Issue 16's figure: how fast live moves (vMotion) of many ports at once get the network to follow, and whether a
 * frame is lost. An embedded Cassandra (own ports, own directory), three controller nodes in this JVM, N simulated
 * hosts each with one real agent over TCP and one pseudo-wire (its port groups), all in this JVM: the benchmark
 * configures each destination's port group on the agent's trunk ({@link TrunkPort#bindVlan}), an in-process call, so
 * the agents cannot be in a JVM of their own as in {@code BindBenchmark}. M VMs ("movers") each exchange numbered
 * frames with a fixed peer VM on another host, one stream each way; then all M move at once to another host, as the
 * inventory does it: {@code startMigration(wait=realized)}, the destination's port group gets the answered VLAN, the
 * VM resumes there and sends its RARP, which activates the move; the benchmark polls until COMPLETED. Every wait is
 * bounded and the whole run has a maximum. Logs go to work/bench-move/logs/bench.log, the report to stdout and
 * work/bench-move/report.txt.
 */
@CommandLine.Command(
        name = "move-benchmark",
        mixinStandardHelpOptions = true,
        description = "Measures concurrent live port moves under numbered traffic on a 3-node controller.")
public final class MoveBenchmark implements Callable<Integer> {
    static final Path WORK = Path.of("work", "bench-move");
    private static final int NODES = 3;
    private static final int CASSANDRA_WRITES = 500;
    private static final int BARRIERS = 200;
    private static final int IDLE_BINDS = 20;
    private static final String DATACENTER = "datacenter1";
    private static final Duration ASK = Duration.ofSeconds(30);

    @CommandLine.Option(names = "--hosts", defaultValue = "50", description = "simulated hosts (one agent each)")
    int hosts;

    @CommandLine.Option(names = "--ports", defaultValue = "100", description = "ports moved (each with a fixed peer)")
    int ports;

    @CommandLine.Option(
            names = "--rate",
            defaultValue = "50",
            description = "frames/s per stream; each moved port has one stream each way with its peer")
    int rate;

    @CommandLine.Option(
            names = "--warmup",
            defaultValue = "20",
            description = "ports moved the same way (concurrently, without traffic) before the measured moves, "
                    + "not measured; 0 measures a cold move path")
    int warmup;

    @CommandLine.Option(
            names = "--move-timeout",
            defaultValue = "60",
            description = "seconds one move may take from startMigration to COMPLETED")
    int moveTimeoutSeconds;

    @CommandLine.Option(
            names = "--max-seconds",
            defaultValue = "290",
            description = "the whole run's maximum (after it, the JVM is halted)")
    int maxSeconds;

    @CommandLine.Option(
            names = "--switches",
            defaultValue = "1",
            description = "logical switches; port i and its peer are on switch i mod this (warm-up ports on the first)")
    int switches;

    @CommandLine.Option(names = "--cql-port", defaultValue = "19252", description = "the embedded Cassandra's CQL port")
    int cqlPort;

    @CommandLine.Option(
            names = "--storage-port",
            defaultValue = "17252",
            description = "the embedded Cassandra's storage port")
    int storagePort;

    @CommandLine.Option(names = "--seed", defaultValue = "16", description = "seed of the random placement")
    long seed;

    private String[] args = new String[0];
    private final MoveReport report = new MoveReport();

    public static void main(String[] args) {
        System.setProperty(
                "portmesh.bench.log", WORK.resolve("logs").toAbsolutePath().toString());
        System.setProperty("logback.configurationFile", "io/portmesh/loadtest/bind/bench-logback.xml");
        MoveBenchmark b = new MoveBenchmark();
        b.args = args.clone();
        System.exit(new CommandLine(b).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (ports < 1 || rate < 1 || warmup < 0 || switches < 1 || hosts < 3 || hosts > BenchHosts.MAX_HOSTS) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this),
                    "need ports >= 1, rate >= 1, warmup >= 0, 3 <= hosts <= " + BenchHosts.MAX_HOSTS);
        }
        long runDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
        // the run (shutdown included) may overrun its maximum by a minute: a hung close must not hang
        RunWatchdog.start("move-benchmark", maxSeconds + 60L, report::print);
        String run = Long.toString(System.currentTimeMillis() % 2_176_782_336L, 36);
        Random random = new Random(seed);
        header();
        EmbeddedCassandra cassandra = BenchCassandra.embedded(WORK.resolve("cassandra"), cqlPort, storagePort);
        LocalCluster cluster = null;
        BenchHosts simulated = null;
        List<PseudoWire> wires = new ArrayList<>();
        List<MoveFabric.Vm> vms = new ArrayList<>();
        List<FrameStream> streams = new ArrayList<>();
        try {
            progress("starting Cassandra on 127.0.0.1:" + cqlPort);
            cassandra.start();
            new SchemaInstaller(Replication.simple(1)).install(cassandra.contactPoint(), DATACENTER);
            progress("starting " + NODES + " controller nodes");
            cluster = LocalCluster.start(
                    LocalPorts.freeTcpPorts(NODES),
                    new int[NODES],
                    BenchCassandra.nodeConfig(cassandra.contactPointString()),
                    Duration.ofSeconds(90));
            progress("registering " + hosts + " hosts and starting their agents (in this JVM)");
            simulated = BenchHosts.start(
                    cluster.service(0), cluster.openflowAddresses(), hosts, run, Duration.ofSeconds(120), null);
            List<DatapathAgent> agents = simulated.agents();
            for (DatapathAgent a : agents) {
                wires.add(PseudoWire.open(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), List.of(a.trunkAddress())));
            }
            NetworkService api = cluster.service(0);
            MoveFabric fabric = new MoveFabric(cluster.services(), simulated.ids(), agents, wires, moveTimeoutSeconds);

            List<SwitchId> sws = new ArrayList<>();
            for (int i = 0; i < switches; i++) {
                SwitchId id = SwitchId.of("bench-" + run + "-move" + i);
                await(api.createSwitch(id, Optional.empty()));
                sws.add(id);
            }
            SwitchId sw = sws.get(0);

            // warm-up: ports of their own, moved concurrently without traffic, then left where they are
            if (warmup > 0) {
                progress("warm-up: creating and moving " + warmup + " ports (not measured)");
                List<MoveFabric.Vm> w = new ArrayList<>();
                for (int i = 0; i < warmup; i++) {
                    w.add(fabric.vm(sw, 0xF0, i, random.nextInt(hosts)));
                }
                vms.addAll(w);
                List<MoveReport.MoveResult> wr = fabric.moveAll(w, random, runDeadline);
                long done = wr.stream().filter(MoveReport.MoveResult::completed).count();
                report.line(
                        "warm-up:  %d ports moved concurrently without traffic, not measured: %d COMPLETED, "
                                + "startMigration p50 %.1f ms, RARP -> endedAt p50 %.1f ms",
                        warmup,
                        done,
                        Samples.percentile(MoveReport.readies(wr), 50),
                        Samples.percentile(MoveReport.movedToEnded(wr), 50));
            }

            // the floor, measured idle
            progress("measuring the floor: " + CASSANDRA_WRITES + " Cassandra writes, " + BARRIERS + " barriers, "
                    + IDLE_BINDS + " binds on an idle switch");
            try (CassandraWriteProbe cql = CassandraWriteProbe.open(cassandra.contactPoint(), DATACENTER)) {
                Samples writes = cql.sequential(CASSANDRA_WRITES);
                Samples barriers =
                        BarrierProbe.measure("127.0.0." + (BenchHosts.FIRST_TEP - 1), simulated.vxlanPort(), BARRIERS);
                Samples idleBinds = idleBinds(api, run, simulated.ids().get(0));

                // the movers and their peers
                progress("creating " + ports + " ports to move and " + ports + " fixed peers on " + hosts + " hosts");
                List<MoveFabric.Vm> movers = new ArrayList<>();
                List<MoveFabric.Vm> peers = new ArrayList<>();
                for (int i = 0; i < ports; i++) {
                    checkDeadline(runDeadline, "creating ports");
                    int h = random.nextInt(hosts);
                    int ph = other(random, h);
                    movers.add(fabric.vm(sws.get(i % switches), 0x01, i, h));
                    peers.add(fabric.vm(sws.get(i % switches), 0x02, i, ph));
                }
                vms.addAll(movers);
                vms.addAll(peers);
                int streamSeconds = Math.max(10, (int) ((runDeadline - System.nanoTime()) / 1_000_000_000L));
                long rcvbufBefore = MoveReport.udpReceiveBufferErrors();
                progress(String.format(
                        "starting %d streams at %d frames/s each (%,d frames/s in all)",
                        2 * ports, rate, 2L * ports * rate));
                for (int i = 0; i < ports; i++) {
                    streams.add(stream(movers.get(i).sim, peers.get(i).sim, streamSeconds));
                    streams.add(stream(peers.get(i).sim, movers.get(i).sim, streamSeconds));
                }
                Sleep.millis(2_000);
                StreamStats before = FrameCounts.sum(streams, false);
                MoveLossTrace trace = new MoveLossTrace(wires, agents);
                trace.startCounting();

                progress("moving all " + ports + " ports at once");
                String loadBefore = MachineInfo.loadAverage();
                cql.startBackground(MoveReport.PROBE_PERIOD);
                long wallStart = System.currentTimeMillis();
                List<MoveReport.MoveResult> results = fabric.moveAll(movers, random, runDeadline);
                Samples during = cql.stopBackground();
                String loadAfter = MachineInfo.loadAverage();
                Sleep.millis(1_000);
                progress("stopping the streams and counting");
                streams.forEach(FrameStream::stop);
                StreamStats total = FrameCounts.sum(streams, true);
                long rcvbufDropped = MoveReport.udpReceiveBufferErrors() - rcvbufBefore;
                report.lostByOutcome(results, streams);
                trace.explain(movers, peers, results, streams).forEach(l -> report.line("%s", l));
                report.results(
                        rate,
                        results,
                        wallStart,
                        before,
                        total,
                        writes,
                        barriers,
                        idleBinds,
                        during,
                        cql.backgroundErrors());
                report.line(
                        "kernel:   UDP datagrams dropped because a socket's receive buffer was full during the traffic"
                                + " (/proc/net/snmp RcvbufErrors, every socket on the machine): %,d%s",
                        rcvbufDropped,
                        rcvbufDropped > 0 && total.lost() > 0
                                ? " -- frames lost to receivers (agents' or VMs' threads) that did not keep up"
                                : "");
                report.line(
                        "load average (1/5/15 min) before the moves %s, after %s (the machine is shared)",
                        loadBefore, loadAfter);
                report.line("logs: %s", WORK.resolve("logs").resolve("bench.log"));
            }
            return 0;
        } finally {
            progress("shutting down streams, VMs, wires, agents, nodes and Cassandra");
            streams.forEach(FrameStream::close);
            vms.forEach(v -> v.sim.close());
            wires.forEach(PseudoWire::close);
            if (simulated != null) {
                simulated.close();
            }
            if (cluster != null) {
                cluster.close();
            }
            cassandra.close();
            report.print();
        }
    }

    /** A bind with wait=realized of a new port on an idle switch of its own, one host: the path with no fan-out. */
    private static Samples idleBinds(NetworkService api, String run, HostId host) throws Exception {
        SwitchId sw = SwitchId.of("bench-" + run + "-idle");
        await(api.createSwitch(sw, Optional.empty()));
        long[] nanos = new long[IDLE_BINDS];
        for (int i = 0; i < IDLE_BINDS + 5; i++) {
            Mac mac = Mac.parse(String.format("52:54:ee:00:%02x:%02x", (i >> 8) & 0xFF, i & 0xFF));
            PortInfo p = await(api.createPort(sw, mac, List.of(), Optional.empty()));
            long t = System.nanoTime();
            BindingResult b = await(api.bindPort(PortId.of(p.id()), host, true));
            long d = System.nanoTime() - t;
            if (!b.realization().realized()) {
                throw new IllegalStateException("idle bind not realized: " + b.realization());
            }
            if (i >= 5) {
                nanos[i - 5] = d;
            }
            await(api.deletePort(PortId.of(p.id()), true));
        }
        return Samples.of(nanos);
    }

    private FrameStream stream(SimulatedVm from, SimulatedVm to, int seconds) {
        return FrameStream.from(from)
                .to(to)
                .rate(rate)
                .count((long) rate * seconds)
                .maxDuration(Duration.ofSeconds(seconds))
                .start();
    }

    private int other(Random random, int h) {
        int o = random.nextInt(hosts - 1);
        return o >= h ? o + 1 : o;
    }

    private static void checkDeadline(long deadline, String what) {
        if (System.nanoTime() - deadline >= 0) {
            throw new IllegalStateException("the run's maximum passed while " + what);
        }
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(ASK.toSeconds(), TimeUnit.SECONDS);
    }

    private void header() {
        report.line("Portmesh live-move benchmark (io.portmesh.loadtest.move.MoveBenchmark)");
        report.line("date:     %s", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        report.line("command:  %s", MachineInfo.commandLine(args));
        report.line("machine:  %s", MachineInfo.summary());
        report.line(
                "options:  --hosts %d --ports %d --rate %d --warmup %d --move-timeout %d --max-seconds %d --switches %d --seed %d",
                hosts, ports, rate, warmup, moveTimeoutSeconds, maxSeconds, switches, seed);
        report.line(
                "setup:    embedded Cassandra (child JVM, RF 1), %d controller nodes, %d agents and %d pseudo-wires, "
                        + "all in this JVM; %d switch(es); %d moved ports each with a fixed peer on another host; "
                        + "traffic %d streams x %d frames/s = %,d frames/s",
                NODES, hosts, hosts, switches, ports, 2 * ports, rate, 2L * ports * rate);
    }

    static void progress(String step) {
        System.err.println("[move-benchmark " + java.time.LocalTime.now().withNano(0) + "] " + step);
    }
}
