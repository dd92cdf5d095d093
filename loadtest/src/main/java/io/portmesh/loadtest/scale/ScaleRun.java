package io.portmesh.loadtest.scale;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.portmesh.loadtest.ChildProcesses;
import io.portmesh.loadtest.RunWatchdog;
import io.portmesh.loadtest.bind.MachineInfo;
import io.portmesh.loadtest.bind.Sleep;
import io.portmesh.loadtest.harness.RunReport;
import io.portmesh.loadtest.nodeloss.ControllerNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * The scale run of issue 19 ({@code loadtest/portmesh-scale loadtest/scenarios/scale.conf}): brings up the scenario's
 * hosts (two agents each, all in this JVM), switches and ports through the REST API at the rate the cluster takes,
 * measures the memory of every process at the scenario's points and writes {@code report.json} and {@code
 * summary.txt} ({@link ScaleReport}). Each phase is bounded; what did not come up in time is in the report with the
 * reason, and the run stops there. Exit status: 0 everything came up, 1 not all of it, 2 the run failed.
 */
@CommandLine.Command(name = "portmesh-scale", mixinStandardHelpOptions = true, description = "the 1,000-host scale run")
public final class ScaleRun implements Callable<Integer> {
    @CommandLine.Parameters(index = "0", description = "the scenario file (loadtest/scenarios/scale.conf)")
    Path scenario;

    @CommandLine.Option(names = "--out", description = "report directory (default target/scale-<time>)")
    Path out;

    @CommandLine.Option(
            names = "--cassandra-ports",
            split = ",",
            description = "native,storage port of the run's own embedded Cassandra (default: free ones)")
    int[] cassandraPorts;

    @CommandLine.Option(
            names = "--set",
            description = "a scenario key overridden, e.g. --set hosts=100 --set ports=2000 (repeatable)")
    List<String> overrides = new ArrayList<>();

    private ScaleReport report;
    /** While the run holds it, for a shutdown hook or the watchdog to stop (its close runs once). */
    private volatile ScaleFabric fabric;

    private final long t0 = System.nanoTime();

    public static void main(String[] args) {
        System.exit(new CommandLine(new ScaleRun()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        ScaleSettings s = ScaleSettings.read(scenario, overrides);
        if (out == null) {
            out = Path.of("target", "scale-" + Instant.now().toString().replace(':', '-'));
        }
        Files.createDirectories(out);
        report = new ScaleReport(s);
        report.machine("machine", MachineInfo.summary());
        report.machine("load-average.start", MachineInfo.loadAverage());
        report.machine("started", Instant.now().toString());
        long deadline = t0 + s.maxRun().toNanos();
        // The node JVMs and Cassandra are processes of their own: a halted or terminated run stops them first.
        RunWatchdog.start("scale", s.maxRun().toSeconds() + 120, () -> {
            write();
            // bounded: the watchdog is the run's last time bound, it halts the JVM after this whatever happened
            Thread stop = new Thread(
                    () -> {
                        try {
                            stopFabric();
                        } finally {
                            ChildProcesses.stopAll(Duration.ofSeconds(10));
                        }
                    },
                    "scale-run-watchdog-stop");
            stop.start();
            try {
                stop.join(TimeUnit.SECONDS.toMillis(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ChildProcesses.Hook onTerm = ChildProcesses.onSignal(
                "scale-run",
                () -> {
                    report.error("the run was stopped by a signal before its end");
                    write(); // the figures so far, before the processes that made them go
                    stopFabric();
                },
                Duration.ofSeconds(10));
        say(
                "%s: %d hosts x %d agents, %d switches, %d ports; %s",
                s.name(), s.hosts(), s.agentsPerHost(), s.switches(), s.ports(), MachineInfo.summary());
        try (ScaleFabric f = ScaleFabric.start(s, out, cassandraPorts)) {
            fabric = f;
            say("Cassandra and 3 nodes up");
            boolean complete = bringUp(s, f, deadline);
            counts(f);
            report.machine("load-average.end", MachineInfo.loadAverage());
            write();
            return complete ? 0 : 1;
        } catch (Exception | Error e) {
            report.error(e.toString());
            write();
            e.printStackTrace();
            return 2;
        } finally {
            fabric = null; // closed by the try
            onTerm.remove();
        }
    }

    /**
     * From the watchdog or a signal: stops agents, nodes and Cassandra if the run still holds them; then {@link
     * ChildProcesses#stopAll} stops every process this JVM started that still runs (nodes and Cassandra started before
     * the fabric was handed over, or a close that failed halfway): none of them may outlive the run.
     */
    private void stopFabric() {
        ScaleFabric f = fabric;
        if (f != null) {
            f.close();
        }
    }

    /** The phases in order; false (with the reason noted) at the first that did not complete. */
    private boolean bringUp(ScaleSettings s, ScaleFabric f, long deadline) throws Exception {
        measure(f, "empty", 0, 0, 0);
        if (!phase("hosts", s.hosts(), s.concurrency(), deadline, f::registerHost)) {
            return false;
        }
        f.pickVxlanPort();
        if (!phase("agents", s.hosts(), 4, deadline, f::startAgents)) {
            return false;
        }
        if (!awaitHostsReady(
                s, f, Math.min(deadline, System.nanoTime() + s.setupTimeout().toNanos()))) {
            return false;
        }
        measure(f, "hosts", s.hosts(), 0, 0);
        if (!phase("switches", s.switches(), s.concurrency(), deadline, f::createSwitch)) {
            return false;
        }
        measure(f, "ports-0", s.hosts(), s.switches(), 0);
        List<Integer> marks = new ArrayList<>(s.memoryAt());
        if (marks.isEmpty() || marks.get(marks.size() - 1) != s.ports()) {
            marks.add(s.ports());
        }
        java.util.concurrent.atomic.AtomicInteger notRealized = new java.util.concurrent.atomic.AtomicInteger();
        int from = 0;
        long portsStart = System.nanoTime();
        for (int mark : marks) {
            BoundedCalls.Outcome o = BoundedCalls.run(from, mark, s.concurrency(), deadline, k -> {
                double[] ms = f.createAndBind(k);
                report.port(k, ms[0], ms[1]);
                if (ms[2] > 0) {
                    notRealized.incrementAndGet();
                }
            });
            from += o.done() + o.failed();
            report.phase("ports", from, (System.nanoTime() - portsStart) / 1e9);
            report.count("ports.not-realized-in-time", notRealized.get());
            report.count("calls.retried-after-503", f.retries());
            report.count("ports.found-made-by-an-unanswered-create", f.adopted());
            say(
                    "ports: %,d of %,d (%d failed, %d answered 202) at %.1f/s",
                    from, s.ports(), o.failed(), notRealized.get(), report.rate("ports"));
            if (o.failed() > 0 || o.pastDeadline()) {
                report.note("ports stopped at " + from + ": " + o.failed() + " failed " + o.failures()
                        + (o.pastDeadline() ? ", max-run passed" : ""));
                return false;
            }
            measure(f, "ports-" + mark, s.hosts(), s.switches(), mark);
        }
        return true;
    }

    private boolean phase(String name, int count, int concurrency, long deadline, BoundedCalls.Op op)
            throws InterruptedException {
        say("%s: %,d ...", name, count);
        BoundedCalls.Outcome o = BoundedCalls.run(0, count, concurrency, deadline, op);
        report.phase(name, o.done(), o.seconds());
        say(
                "%s: %,d done, %d failed in %.1f s (%.1f/s)",
                name, o.done(), o.failed(), o.seconds(), o.done() / o.seconds());
        if (o.failed() > 0 || o.pastDeadline()) {
            report.note(name + " stopped at " + o.done() + " of " + count + ": " + o.failed() + " failed "
                    + o.failures() + (o.pastDeadline() ? ", max-run passed" : ""));
            return false;
        }
        return true;
    }

    /** Polls every host not ready yet until all are (or the time is up: the ones left are noted, a few described). */
    private boolean awaitHostsReady(ScaleSettings s, ScaleFabric f, long until) throws InterruptedException {
        long start = System.nanoTime();
        List<Integer> pending = new ArrayList<>();
        for (int i = 0; i < s.hosts(); i++) {
            pending.add(i);
        }
        while (!pending.isEmpty() && System.nanoTime() - until < 0) {
            ConcurrentLinkedQueue<Integer> ready = new ConcurrentLinkedQueue<>();
            List<Integer> round = List.copyOf(pending);
            BoundedCalls.run(0, round.size(), s.concurrency(), until, j -> {
                if (f.hostReady(round.get(j))) {
                    ready.add(round.get(j));
                }
            });
            pending.removeAll(ready);
            say(
                    "hosts ready: %,d of %,d after %.0f s",
                    s.hosts() - pending.size(), s.hosts(), (System.nanoTime() - start) / 1e9);
            if (!pending.isEmpty()) {
                Sleep.millis(1000);
            }
        }
        report.phase("hosts-ready", s.hosts() - pending.size(), (System.nanoTime() - start) / 1e9);
        if (!pending.isEmpty()) {
            List<String> some = new ArrayList<>();
            for (int i : pending.subList(0, Math.min(5, pending.size()))) {
                some.add(f.describeHost(i));
            }
            report.note(pending.size() + " hosts not ready in time, e.g. " + some);
            return false;
        }
        return true;
    }

    /** What the bring-up wrote to Cassandra and sent the agents, counted once it is over. */
    private void counts(ScaleFabric f) {
        report.count("agents.flow-mods-applied", f.flowModsApplied());
        JournalRows.count(f.cassandraAddress()).forEach((k, v) -> report.count("cassandra.rows." + k, v));
    }

    private void measure(ScaleFabric f, String label, int hosts, int switches, int ports) {
        long t = System.nanoTime();
        ControllerNodes n = f.nodes();
        long[] heap = new long[ControllerNodes.SIZE];
        long[] rss = new long[ControllerNodes.SIZE];
        for (int i = 0; i < ControllerNodes.SIZE; i++) {
            heap[i] = MemoryProbe.liveHeap(n.node(i).pid());
            rss[i] = MemoryProbe.resident(n.node(i).pid());
        }
        long c = f.cassandraPid();
        MemoryPoint p = new MemoryPoint(
                label,
                hosts,
                f.agentCount(),
                switches,
                ports,
                heap,
                rss,
                MemoryProbe.ownLiveHeap(),
                MemoryProbe.resident(ProcessHandle.current().pid()),
                MemoryProbe.liveHeap(c),
                MemoryProbe.resident(c),
                MemoryProbe.diskBytes(f.cassandraDir()));
        report.memory(p);
        say("memory %s (%.1f s to measure)", p, (System.nanoTime() - t) / 1e9);
    }

    private synchronized void write() {
        if (report == null) {
            return;
        }
        report.machine("elapsed-seconds", String.format("%.1f", (System.nanoTime() - t0) / 1e9));
        try {
            RunReport.replace(
                    out.resolve("report.json"),
                    new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report.toJson()));
            RunReport.replace(out.resolve("summary.txt"), String.join("\n", report.summary()) + "\n");
            report.summary().forEach(System.out::println);
            System.out.println("report: " + out.resolve("report.json"));
        } catch (java.io.IOException e) {
            System.err.println("could not write the report: " + e);
        }
    }

    private void say(String format, Object... args) {
        System.out.printf("[%6.1f s] %s%n", (System.nanoTime() - t0) / 1e9, String.format(format, args));
    }
}
