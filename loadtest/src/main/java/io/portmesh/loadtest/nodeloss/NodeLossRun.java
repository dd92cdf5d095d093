package io.portmesh.loadtest.nodeloss;

import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.loadtest.bind.Sleep;
import io.portmesh.sim.StreamStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The frame of a node-loss test: the fabric ({@link NodeLossFabric}) under traffic and a create+bind load, a warm-up,
 * a baseline window, then the test's event (a kill, a rolling restart) in between {@link #start} and {@link #finish},
 * and after it the figures every such test asserts: acknowledged writes read back, frames lost, flow-mods the changes
 * do not explain, the calls that failed during the event and whether each was retryable, and no host with two
 * masters.
 */
public final class NodeLossRun implements AutoCloseable {
    /**
     * How the run is paced; {@code maxRun} bounds the traffic and the load (they are stopped when the run finishes, and
     * must not end before: the event may take minutes on a loaded machine).
     */
    public record Options(
            NodeLossFabric.Settings fabric,
            double rate,
            Duration warmUp,
            Duration baseline,
            Duration afterEvent,
            Duration maxRun,
            Duration timeout) {
        public static Options defaults() {
            return new Options(
                    NodeLossFabric.Settings.defaults(),
                    5,
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(15),
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(300),
                    Duration.ofSeconds(120));
        }

        public Options withFabric(NodeLossFabric.Settings f) {
            return new Options(f, rate, warmUp, baseline, afterEvent, maxRun, timeout);
        }

        /** The same with other fixed phases: the warm-up, the baseline before the event, the load after it. */
        public Options withPhases(Duration warmUp, Duration baseline, Duration afterEvent) {
            return new Options(fabric, rate, warmUp, baseline, afterEvent, maxRun, timeout);
        }
    }

    /** What the run shows once the event is over and the load has stopped. */
    public record Figures(
            long baselineUnexplainedFlowMods,
            long unexplainedFlowMods,
            long unexplainedBeyondInFlight,
            long flowModsApplied,
            StreamStats frames,
            int ops,
            int acked,
            List<String> notReadBack,
            CallFigures calls,
            List<String> twoMasters,
            List<Long> generationRises,
            List<InFlightChanges.Attributed> unexplainedWhere,
            List<String> unsettled,
            int undrained) {}

    private final Options options;
    private final NodeLossFabric fabric;
    private final PortLoad load;
    private long baselineFromNanos;
    private long eventFromNanos;
    private List<DatapathAgent.ControlState> baselineStart;
    private List<DatapathAgent.ControlState> beforeEvent;
    private StateSampler sampler;

    private NodeLossRun(Options options, NodeLossFabric fabric) {
        this.options = options;
        this.fabric = fabric;
        this.load = fabric.newLoad();
    }

    /** Sets up, starts traffic and load, waits out the warm-up and the baseline; returns right before the event. */
    public static NodeLossRun start(Options o, String cassandra, Path logs) throws Exception {
        NodeLossRun r = new NodeLossRun(o, NodeLossFabric.start(o.fabric(), cassandra, logs, o.timeout()));
        try {
            r.fabric.startTraffic(o.maxRun());
            r.load.start(o.rate(), (int) (o.rate() * o.maxRun().toSeconds()), o.maxRun());
            Sleep.millis(o.warmUp().toMillis());
            r.sampler = StateSampler.start(r.fabric.agents(), Duration.ofMillis(250), o.maxRun());
            r.baselineStart = AgentStates.read(r.fabric.agents());
            r.baselineFromNanos = System.nanoTime();
            Sleep.millis(o.baseline().toMillis());
            r.beforeEvent = AgentStates.read(r.fabric.agents());
            r.eventFromNanos = System.nanoTime();
            return r;
        } catch (Exception | Error e) {
            r.close();
            throw e;
        }
    }

    public NodeLossFabric fabric() {
        return fabric;
    }

    public PortLoad load() {
        return load;
    }

    public long baselineFromNanos() {
        return baselineFromNanos;
    }

    public long eventFromNanos() {
        return eventFromNanos;
    }

    /**
     * After the event (which ran from {@link #eventFromNanos} to {@code eventToNanos}, with nodes down as
     * {@code down} says): the load goes on for {@code afterEvent}, stops (its ops in flight drain, at most 60 s), the
     * hosts settle (bounded), the traffic stops and is counted, and every acknowledged port is read back.
     */
    public Figures finish(long eventToNanos, List<CallFigures.Down> down) throws InterruptedException {
        Sleep.millis(options.afterEvent().toMillis());
        int undrained = load.stop(Duration.ofSeconds(60));
        fabric.awaitSettled(options.timeout());
        List<String> unsettled = fabric.unsettled();
        List<DatapathAgent.ControlState> after = AgentStates.read(fabric.agents());
        sampler.close();
        StreamStats frames = fabric.stopTraffic();
        List<PortLoad.Op> ops = load.ops();
        load.write(fabric.nodes().logs(), "", eventFromNanos);
        List<InFlightChanges.Attributed> where = InFlightChanges.attribute(
                sampler.unexplained().stream()
                        .filter(i -> i.toNanos() - eventFromNanos >= 0)
                        .toList(),
                ops,
                fabric.hosts(),
                fabric::hostsOf);
        List<String> twoMasters = new ArrayList<>();
        for (int i = 0; i < after.size(); i++) {
            twoMasters.addAll(
                    AgentStates.twoMasters(fabric.hosts().get(i), after.get(i).masterGrants()));
        }
        return new Figures(
                AgentStates.unexplainedFlowMods(baselineStart, beforeEvent),
                AgentStates.unexplainedFlowMods(beforeEvent, after),
                InFlightChanges.beyond(where),
                AgentStates.flowModsApplied(beforeEvent, after),
                frames,
                ops.size(),
                (int) ops.stream().filter(o -> o.acked).count(),
                fabric.readBack(ops),
                CallFigures.of(load.calls(), eventFromNanos, eventToNanos, down),
                twoMasters,
                rises(AgentStates.generations(beforeEvent), AgentStates.generations(after)),
                where,
                unsettled,
                undrained);
    }

    private static List<Long> rises(List<Long> before, List<Long> after) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < before.size(); i++) {
            out.add(after.get(i) - before.get(i));
        }
        return out;
    }

    /** The figures in lines, for the test's output. */
    public String describe(Figures f) {
        return String.join(
                "\n",
                String.format(
                        "load: %d ops, %d acknowledged; read back wrong or missing: %d%s",
                        f.ops(),
                        f.acked(),
                        f.notReadBack().size(),
                        f.notReadBack().isEmpty()
                                ? ""
                                : " e.g. " + f.notReadBack().get(0)),
                "frames: " + f.frames(),
                String.format(
                                "flow-mods applied from before the event to the end %d, that added no flow %d, of those "
                                        + "beyond the stranded changes in flight %d (baseline window: %d added no flow)",
                                f.flowModsApplied(),
                                f.unexplainedFlowMods(),
                                f.unexplainedBeyondInFlight(),
                                f.baselineUnexplainedFlowMods())
                        + (f.unexplainedWhere().isEmpty()
                                ? ""
                                : "; by host and time from the event's start: "
                                        + f.unexplainedWhere().stream()
                                                .map(a -> a.describe(eventFromNanos))
                                                .toList()),
                "calls during the event: " + f.calls().describe(),
                "two masters: " + (f.twoMasters().isEmpty() ? "none" : f.twoMasters())
                        + "; master generation rises per host (elections and Host incarnations) from before the event: "
                        + f.generationRises(),
                "hosts not settled at the end: " + (f.unsettled().isEmpty() ? "none" : f.unsettled())
                        + "; ops still running when the load stopped: " + f.undrained());
    }

    @Override
    public void close() {
        if (sampler != null) {
            sampler.close();
        }
        fabric.close();
    }
}
