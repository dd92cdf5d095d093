package io.portmesh.loadtest.move;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.agent.io.TrunkPort;
import io.portmesh.cluster.LocalCluster;
import io.portmesh.cluster.LocalPorts;
import io.portmesh.loadtest.bind.BarrierProbe;
import io.portmesh.loadtest.bind.BenchHosts;
import io.portmesh.loadtest.bind.CassandraWriteProbe;
import io.portmesh.loadtest.bind.MachineInfo;
import io.portmesh.loadtest.bind.Samples;
import io.portmesh.loadtest.bind.Sleep;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.model.flow.DatapathPorts;
import io.portmesh.persistence.EmbeddedCassandra;
import io.portmesh.persistence.EmbeddedCassandraSettings;
import io.portmesh.persistence.Replication;
import io.portmesh.persistence.SchemaInstaller;
import io.portmesh.sharding.service.BindingResult;
import io.portmesh.sharding.service.MigrationInfo;
import io.portmesh.sharding.service.NetworkService;
import io.portmesh.sharding.service.PortInfo;
import io.portmesh.sim.FrameStream;
import io.portmesh.sim.PseudoWire;
import io.portmesh.sim.SimulatedVm;
import io.portmesh.sim.StreamStats;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
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
    private static final int CQL_PORT = 19252;
    private static final int STORAGE_PORT = 17252;
    private static final int NODES = 3;
    private static final int CASSANDRA_WRITES = 500;
    private static final int BARRIERS = 200;
    private static final int IDLE_BINDS = 20;
    private static final String DATACENTER = "datacenter1";
    private static final Duration PROBE_PERIOD = Duration.ofMillis(200);
    private static final Duration ASK = Duration.ofSeconds(30);
    /** getMigration polling per moving port: the figures come from MigrationInfo's times, not from the poll. */
    private static final Duration POLL = Duration.ofMillis(250);

    private static final double TARGET_P99_MS = 50;

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

    @CommandLine.Option(names = "--seed", defaultValue = "16", description = "seed of the random placement")
    long seed;

    private String[] args = new String[0];
    private final List<String> report = new ArrayList<>();

    public static void main(String[] args) {
        System.setProperty(
                "portmesh.bench.log", WORK.resolve("logs").toAbsolutePath().toString());
        System.setProperty("logback.configurationFile", "io/portmesh/loadtest/bind/bench-logback.xml");
        MoveBenchmark b = new MoveBenchmark();
        b.args = args.clone();
        System.exit(new CommandLine(b).execute(args));
    }

    /** One simulated VM on a host's wire, bound to a port. */
    private static final class Vm {
        final String port;
        final SimulatedVm sim;
        int host;

        Vm(String port, SimulatedVm sim, int host) {
            this.port = port;
            this.sim = sim;
            this.host = host;
        }
    }

    /** What one move measured; negative when not reached. */
    private static final class MoveResult {
        long readyNanos = -1; // startMigration(wait=realized) latency
        long movedWallMs = -1; // the VM moved (its RARP), wall clock
        MigrationInfo start;
        MigrationInfo end;
        String failure;

        long activatedAtMs() {
            return end == null ? -1 : epochMs(end.activatedAt());
        }

        long repointedAtMs() {
            return end == null ? -1 : epochMs(end.repointedAt());
        }

        long endedAtMs() {
            return end == null ? -1 : epochMs(end.endedAt());
        }

        long startedAtMs() {
            return end == null ? -1 : epochMs(end.startedAt());
        }

        /** An ISO-8601 instant of MigrationInfo in epoch milliseconds, -1 when not reached. */
        private static long epochMs(String instant) {
            return instant == null ? -1 : Instant.parse(instant).toEpochMilli();
        }

        boolean completed() {
            return end != null && MigrationInfo.COMPLETED.equals(end.state());
        }
    }

    @Override
    public Integer call() throws Exception {
        if (ports < 1 || rate < 1 || warmup < 0 || switches < 1 || hosts < 3 || hosts > BenchHosts.MAX_HOSTS) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this),
                    "need ports >= 1, rate >= 1, warmup >= 0, 3 <= hosts <= " + BenchHosts.MAX_HOSTS);
        }
        long runDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
        startWatchdog();
        String run = Long.toString(System.currentTimeMillis() % 2_176_782_336L, 36);
        Random random = new Random(seed);
        header();
        EmbeddedCassandra cassandra = new EmbeddedCassandra(EmbeddedCassandraSettings.defaults()
                .withWorkDir(WORK.resolve("cassandra"))
                .withNativePort(CQL_PORT)
                .withStoragePort(STORAGE_PORT)
                .withCleanStart(true));
        LocalCluster cluster = null;
        BenchHosts simulated = null;
        List<PseudoWire> wires = new ArrayList<>();
        List<Vm> vms = new ArrayList<>();
        List<FrameStream> streams = new ArrayList<>();
        try {
            progress("starting Cassandra on 127.0.0.1:" + CQL_PORT);
            cassandra.start();
            new SchemaInstaller(Replication.simple(1)).install(cassandra.contactPoint(), DATACENTER);
            progress("starting " + NODES + " controller nodes");
            cluster = LocalCluster.start(
                    LocalPorts.freeTcpPorts(NODES),
                    new int[NODES],
                    cassandraConfig(cassandra.contactPointString()),
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
            Fabric fabric = new Fabric(cluster.services(), simulated.ids(), agents, wires);

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
                List<Vm> w = new ArrayList<>();
                for (int i = 0; i < warmup; i++) {
                    w.add(fabric.vm(sw, 0xF0, i, random.nextInt(hosts)));
                }
                vms.addAll(w);
                List<MoveResult> wr = moveAll(fabric, w, random, runDeadline);
                long done = wr.stream().filter(MoveResult::completed).count();
                line(
                        "warm-up:  %d ports moved concurrently without traffic, not measured: %d COMPLETED, "
                                + "startMigration p50 %.1f ms, RARP -> endedAt p50 %.1f ms",
                        warmup, done, pct(readies(wr), 50), pct(movedToEnded(wr), 50));
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
                List<Vm> movers = new ArrayList<>();
                List<Vm> peers = new ArrayList<>();
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
                long rcvbufBefore = udpReceiveBufferErrors();
                progress(String.format(
                        "starting %d streams at %d frames/s each (%,d frames/s in all)",
                        2 * ports, rate, 2L * ports * rate));
                for (int i = 0; i < ports; i++) {
                    streams.add(stream(movers.get(i).sim, peers.get(i).sim, streamSeconds));
                    streams.add(stream(peers.get(i).sim, movers.get(i).sim, streamSeconds));
                }
                Sleep.millis(2_000);
                StreamStats before = sum(streams, false);

                progress("moving all " + ports + " ports at once");
                String loadBefore = MachineInfo.loadAverage();
                cql.startBackground(PROBE_PERIOD);
                long wallStart = System.currentTimeMillis();
                List<MoveResult> results = moveAll(fabric, movers, random, runDeadline);
                Samples during = cql.stopBackground();
                String loadAfter = MachineInfo.loadAverage();
                Sleep.millis(1_000);
                progress("stopping the streams and counting");
                streams.forEach(FrameStream::stop);
                StreamStats total = sum(streams, true);
                long rcvbufDropped = udpReceiveBufferErrors() - rcvbufBefore;
                lostByOutcome(results, streams);
                results(results, wallStart, before, total, writes, barriers, idleBinds, during, cql.backgroundErrors());
                line(
                        "kernel:   UDP datagrams dropped because a socket's receive buffer was full during the traffic"
                                + " (/proc/net/snmp RcvbufErrors, every socket on the machine): %,d%s",
                        rcvbufDropped,
                        rcvbufDropped > 0 && total.lost() > 0
                                ? " -- frames lost to receivers (agents' or VMs' threads) that did not keep up"
                                : "");
                line(
                        "load average (1/5/15 min) before the moves %s, after %s (the machine is shared)",
                        loadBefore, loadAfter);
                line("logs: %s", WORK.resolve("logs").resolve("bench.log"));
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
            print();
        }
    }

    /** The hosts, their agents' trunks and wires, and the API of every node (asks go round-robin). */
    private record Fabric(
            List<NetworkService> services, List<HostId> hosts, List<DatapathAgent> agents, List<PseudoWire> wires) {
        NetworkService api(int i) {
            return services.get(Math.floorMod(i, services.size()));
        }

        /** The inventory configures the port group of {@code vlan} on host {@code h}. */
        void portGroup(int h, int vlan) {
            ((TrunkPort) agents.get(h).ports().get(DatapathPorts.TRUNK))
                    .bindVlan(vlan, wires.get(h).localAddress());
        }

        /** A port bound (realized) on host {@code h} and its VM on that host's wire. */
        Vm vm(SwitchId sw, int kind, int i, int h) throws Exception {
            Mac mac = Mac.parse(
                    String.format("52:54:%02x:%02x:%02x:%02x", kind, (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF));
            Ipv4 ip = Ipv4.parse(String.format("10.%d.%d.%d", kind, (i >> 8) & 0xFF, i & 0xFF));
            PortInfo p = await(api(i).createPort(sw, mac, List.of(ip), Optional.empty()));
            BindingResult b = await(api(i).bindPort(PortId.of(p.id()), hosts.get(h), true));
            if (!b.realization().realized()) {
                throw new IllegalStateException(
                        "binding of " + mac + " on " + hosts.get(h) + " not realized: " + b.realization());
            }
            portGroup(h, b.vlan());
            return new Vm(p.id(), new SimulatedVm(mac, ip, b.vlan(), wires.get(h)), h);
        }
    }

    /**
     * Moves every VM of {@code vms} at once to another random host, one thread each: startMigration(wait=realized),
     * the destination's port group, the VM resumes there with its RARP, then polls until the move has ended.
     */
    private List<MoveResult> moveAll(Fabric f, List<Vm> vms, Random random, long runDeadline)
            throws InterruptedException {
        List<MoveResult> results = new ArrayList<>();
        List<Integer> targets = new ArrayList<>();
        for (Vm v : vms) {
            results.add(new MoveResult());
            targets.add(other(random, v.host));
        }
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(vms.size());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < vms.size(); i++) {
            Vm v = vms.get(i);
            MoveResult r = results.get(i);
            int to = targets.get(i);
            NetworkService api = f.api(i);
            Thread t = new Thread(
                    () -> {
                        try {
                            go.await();
                            moveOne(f, api, v, to, r, runDeadline);
                        } catch (Exception | AssertionError e) {
                            r.failure = e.toString();
                        } finally {
                            done.countDown();
                        }
                    },
                    "bench-move-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        go.countDown();
        long waitMs = Math.min(
                TimeUnit.SECONDS.toMillis(moveTimeoutSeconds) + 10_000,
                TimeUnit.NANOSECONDS.toMillis(runDeadline - System.nanoTime()));
        if (!done.await(Math.max(0, waitMs), TimeUnit.MILLISECONDS)) {
            threads.forEach(Thread::interrupt);
            progress(done.getCount() + " moves still running after " + waitMs + " ms: counted as failed");
        }
        return results;
    }

    private void moveOne(Fabric f, NetworkService api, Vm v, int to, MoveResult r, long runDeadline) throws Exception {
        long deadline = Math.min(runDeadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(moveTimeoutSeconds));
        long t0 = System.nanoTime();
        MigrationInfo m = api.startMigration(PortId.of(v.port), f.hosts().get(to), true)
                .toCompletableFuture()
                .get(remainingMs(deadline), TimeUnit.MILLISECONDS);
        r.readyNanos = System.nanoTime() - t0;
        r.start = m;
        if (!MigrationInfo.MIGRATING.equals(m.state()) || !m.realization().realized()) {
            r.failure = "startMigration answered " + m;
            return;
        }
        f.portGroup(to, m.toVlan());
        r.movedWallMs = System.currentTimeMillis();
        v.sim.moveTo(f.wires().get(to), m.toVlan(), true);
        v.host = to;
        MigrationInfo last = null;
        while (System.nanoTime() - deadline < 0) {
            last = api.getMigration(PortId.of(v.port))
                    .toCompletableFuture()
                    .get(Math.max(1, remainingMs(deadline)), TimeUnit.MILLISECONDS);
            if (MigrationInfo.COMPLETED.equals(last.state())
                    || MigrationInfo.ROLLED_BACK.equals(last.state())
                    || MigrationInfo.CANCELLED.equals(last.state())) {
                r.end = last;
                if (!r.completed()) {
                    r.failure = "ended " + last.state();
                }
                return;
            }
            Sleep.millis(POLL.toMillis());
        }
        r.end = null;
        r.failure = "not ended within " + moveTimeoutSeconds + " s: " + last;
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

    private void results(
            List<MoveResult> rs,
            long wallStart,
            StreamStats before,
            StreamStats total,
            Samples writes,
            Samples barriers,
            Samples idleBinds,
            Samples during,
            int duringErrors) {
        List<MoveResult> ok = rs.stream().filter(MoveResult::completed).toList();
        line("");
        line(
                "moves:    %d started, %d COMPLETED, %d failed or unfinished",
                rs.size(), ok.size(), rs.size() - ok.size());
        rs.stream().filter(r -> r.failure != null).limit(5).forEach(r -> line("          e.g. %s", r.failure));
        long activatedByRarp =
                ok.stream().filter(r -> "RARP".equals(r.end.activatedBy())).count();
        line("          activated by RARP: %d of %d completed", activatedByRarp, ok.size());
        if (!ok.isEmpty()) {
            long firstStart = Math.min(
                    wallStart,
                    ok.stream().mapToLong(MoveResult::startedAtMs).min().orElse(wallStart));
            long lastEnd = ok.stream().mapToLong(MoveResult::endedAtMs).max().orElse(wallStart);
            double seconds = Math.max(1, lastEnd - firstStart) / 1e3;
            line(
                    "          %d moves in %.2f s (first start to last endedAt): %.1f moves/s",
                    ok.size(), seconds, ok.size() / seconds);
        }
        line("");
        line("latency (ms)                                            n     p50     p99     max");
        row("start -> B ready (startMigration, wait=realized)", readies(rs));
        List<Double> repointed = times(
                ok.stream().filter(r -> r.repointedAtMs() > 0).toList(), r -> r.repointedAtMs() - r.activatedAtMs());
        row("activation -> all peers re-pointed (activatedAt -> repointedAt)", repointed);
        row("RARP -> move ended (moved -> endedAt: + source released)", movedToEnded(rs));
        row("activatedAt -> endedAt (MigrationInfo)", times(ok, r -> r.endedAtMs() - r.activatedAtMs()));
        row("RARP -> activatedAt (moved -> activation seen)", times(ok, r -> r.activatedAtMs() - r.movedWallMs));
        row("startedAt -> endedAt (whole move)", times(ok, r -> r.endedAtMs() - r.startedAtMs()));
        double p99 = pct(repointed, 99);
        line(
                "target:   activation -> all peers re-pointed p99 <= %.0f ms: %s (p99 %.1f ms; %d of %d completed"
                        + " moves re-pointed within the realization timeout)",
                TARGET_P99_MS,
                repointed.isEmpty() ? "no data" : p99 <= TARGET_P99_MS ? "met" : "NOT met",
                p99,
                repointed.size(),
                ok.size());
        line("          (MigrationInfo times are epoch milliseconds: the three rows from them are +-1 ms)");
        line("");
        line(
                "frames:   %s streams at %d frames/s each (%,d frames/s in all)",
                2 * rs.size(), rate, 2L * rs.size() * rate);
        line(
                "          sent %,d, received %,d, LOST %,d (target 0), duplicates %,d, out of order %,d",
                total.sent(), total.received(), total.lost(), total.duplicates(), total.outOfOrder());
        line(
                "          (2 s into the traffic, before the moves: sent %,d, not yet received %,d, duplicates %d)",
                before.sent(), before.lost(), before.duplicates());
        line(lossLine);
        line("");
        line("floor, idle, measured in this run before the moves:");
        line(
                "          Cassandra INSERT (QUORUM, RF 1, sequential, n %d): median %.3f ms, p99 %.3f ms",
                writes.count(), writes.medianMs(), writes.percentileMs(99));
        line(
                "          barrier round trip to an agent over loopback TCP (n %d): median %.3f ms, p99 %.3f ms",
                barriers.count(), barriers.medianMs(), barriers.percentileMs(99));
        line(
                "          bind wait=realized of a new port on an idle switch, one host (n %d): median %.1f ms, "
                        + "p99 %.1f ms",
                idleBinds.count(), idleBinds.medianMs(), idleBinds.percentileMs(99));
        if (during != null) {
            line(
                    "          Cassandra INSERT during the moves (one every %d ms, n %d, %d errors): median %.3f ms, "
                            + "p99 %.3f ms, max %.3f ms",
                    PROBE_PERIOD.toMillis(),
                    during.count(),
                    duringErrors,
                    during.medianMs(),
                    during.percentileMs(99),
                    during.maxMs());
        }
    }

    /** Frames lost on the two streams of each mover, summed over moves that completed and over the others. */
    private void lostByOutcome(List<MoveResult> rs, List<FrameStream> streams) {
        long lostOk = 0, lostFailed = 0, movesWithLoss = 0, fromMover = 0, toMover = 0;
        for (int i = 0; i < rs.size(); i++) {
            long out = streams.get(2 * i).stats().lost(); // the moved VM -> its peer
            long in = streams.get(2 * i + 1).stats().lost(); // the peer -> the moved VM
            fromMover += out;
            toMover += in;
            long lost = out + in;
            if (lost > 0) {
                movesWithLoss++;
            }
            if (rs.get(i).completed()) {
                lostOk += lost;
            } else {
                lostFailed += lost;
            }
        }
        lossLine = String.format(
                "          lost on the streams of completed moves %,d, of failed or unfinished moves %,d; "
                        + "%d moved ports lost at least one frame; sent by the moved VMs %,d, sent to them %,d",
                lostOk, lostFailed, movesWithLoss, fromMover, toMover);
    }

    private String lossLine = "";

    private interface Span {
        long ms(MoveResult r);
    }

    private static List<Double> times(List<MoveResult> rs, Span s) {
        return rs.stream().map(r -> (double) s.ms(r)).sorted().toList();
    }

    /** startMigration's latency, in ms with microsecond resolution (timed here with nanoTime). */
    private static List<Double> readies(List<MoveResult> rs) {
        return rs.stream()
                .filter(r -> r.readyNanos >= 0)
                .map(r -> r.readyNanos / 1e6)
                .sorted()
                .toList();
    }

    private static List<Double> movedToEnded(List<MoveResult> rs) {
        return times(rs.stream().filter(MoveResult::completed).toList(), r -> r.endedAtMs() - r.movedWallMs);
    }

    private void row(String what, List<Double> values) {
        line("  %-50s %4d %7.1f %7.1f %7.1f", what, values.size(), pct(values, 50), pct(values, 99), pct(values, 100));
    }

    private static double pct(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] ms = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int i = (int) Math.ceil(p / 100.0 * ms.length) - 1;
        return ms[Math.max(0, Math.min(ms.length - 1, i))];
    }

    private FrameStream stream(SimulatedVm from, SimulatedVm to, int seconds) {
        return FrameStream.from(from)
                .to(to)
                .rate(rate)
                .count((long) rate * seconds)
                .maxDuration(Duration.ofSeconds(seconds))
                .start();
    }

    /** The sum over the streams; with {@code settle}, after each has been given up to 3 s in all to drain. */
    private static StreamStats sum(List<FrameStream> streams, boolean settle) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        long sent = 0, received = 0, lost = 0, dups = 0, ooo = 0, invalid = 0;
        for (FrameStream s : streams) {
            StreamStats st = settle
                    ? s.awaitReceived(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())))
                    : s.stats();
            sent += st.sent();
            received += st.received();
            lost += st.lost();
            dups += st.duplicates();
            ooo += st.outOfOrder();
            invalid += st.invalid();
        }
        return new StreamStats(sent, received, lost, dups, ooo, invalid);
    }

    private int other(Random random, int h) {
        int o = random.nextInt(hosts - 1);
        return o >= h ? o + 1 : o;
    }

    private static long remainingMs(long deadlineNanos) {
        return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    }

    private static void checkDeadline(long deadline, String what) {
        if (System.nanoTime() - deadline >= 0) {
            throw new IllegalStateException("the run's maximum passed while " + what);
        }
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(ASK.toSeconds(), TimeUnit.SECONDS);
    }

    /** Halts the JVM if the run (shutdown included) overruns its maximum by a minute: a hung close must not hang. */
    private void startWatchdog() {
        Thread w = new Thread(
                () -> {
                    try {
                        Thread.sleep(TimeUnit.SECONDS.toMillis(maxSeconds + 60L));
                    } catch (InterruptedException e) {
                        return;
                    }
                    System.err.println(
                            "[move-benchmark] run exceeded --max-seconds " + maxSeconds + " + 60 s: halting");
                    print();
                    Runtime.getRuntime().halt(3);
                },
                "bench-move-watchdog");
        w.setDaemon(true);
        w.start();
    }

    private void header() {
        Runtime rt = Runtime.getRuntime();
        line("Portmesh live-move benchmark (io.portmesh.loadtest.move.MoveBenchmark)");
        line("date:     %s", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        line("command:  %s", MachineInfo.commandLine(args));
        line(
                "machine:  nproc %d, MemTotal %s, JVM maxMemory %,d MiB, Java %s (%s), load average %s",
                rt.availableProcessors(),
                MachineInfo.memTotal(),
                rt.maxMemory() / (1024 * 1024),
                System.getProperty("java.version"),
                System.getProperty("java.vm.name"),
                MachineInfo.loadAverage());
        line(
                "options:  --hosts %d --ports %d --rate %d --warmup %d --move-timeout %d --max-seconds %d --switches %d --seed %d",
                hosts, ports, rate, warmup, moveTimeoutSeconds, maxSeconds, switches, seed);
        line(
                "setup:    embedded Cassandra (child JVM, RF 1), %d controller nodes, %d agents and %d pseudo-wires, "
                        + "all in this JVM; %d switch(es); %d moved ports each with a fixed peer on another host; "
                        + "traffic %d streams x %d frames/s = %,d frames/s",
                NODES, hosts, hosts, switches, ports, 2 * ports, rate, 2L * ports * rate);
    }

    private synchronized void line(String format, Object... values) {
        String s = String.format(format, values);
        report.add(s);
        System.out.println(s);
    }

    private synchronized void print() {
        try {
            Files.createDirectories(WORK);
            Files.write(WORK.resolve("report.txt"), report);
        } catch (IOException e) {
            System.err.println("report not written: " + e);
        }
    }

    private static void progress(String step) {
        System.err.println("[move-benchmark " + java.time.LocalTime.now().withNano(0) + "] " + step);
    }

    private static Config cassandraConfig(String contactPoint) {
        return ConfigFactory.parseString("""
                portmesh.cassandra.contact-point = "%s"
                portmesh.cassandra.local-datacenter = "datacenter1"
                portmesh.cassandra.embedded.enabled = off
                datastax-java-driver.basic.contact-points = ["%s"]
                datastax-java-driver.basic.load-balancing-policy.local-datacenter = "datacenter1"
                """.formatted(contactPoint, contactPoint));
    }

    /** Datagrams the kernel dropped because a UDP socket's receive buffer was full, since boot; -1 when unknown. */
    static long udpReceiveBufferErrors() {
        try {
            List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/net/snmp"));
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (lines.get(i).startsWith("Udp:") && lines.get(i + 1).startsWith("Udp:")) {
                    List<String> names = List.of(lines.get(i).split("\\s+"));
                    String[] values = lines.get(i + 1).split("\\s+");
                    return Long.parseLong(values[names.indexOf("RcvbufErrors")]);
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux, or another format
        }
        return -1;
    }
}
