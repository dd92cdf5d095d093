package io.portmesh.loadtest.nodeloss;

import io.portmesh.agent.control.DatapathAgent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The agents' states ({@link AgentStates#read}) every {@code every}, until closed (at most {@code max}): where
 * {@link AgentStates#unexplainedFlowMods} is not 0 over a whole run, these say when, on which host, and whether flows
 * were removed meanwhile (the load only adds flows: a flow count that fell is a deletion), so that
 * {@link InFlightChanges} can tell which a change in flight explains.
 */
public final class StateSampler implements AutoCloseable {
    private record Sample(long atNanos, List<DatapathAgent.ControlState> states) {}

    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopped;

    private StateSampler(List<DatapathAgent> agents, Duration every, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        thread = new Thread(
                () -> {
                    while (!stopped && System.nanoTime() - deadline < 0) {
                        List<DatapathAgent.ControlState> s = AgentStates.read(agents);
                        synchronized (samples) {
                            samples.add(new Sample(System.nanoTime(), s));
                        }
                        try {
                            TimeUnit.NANOSECONDS.sleep(every.toNanos());
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "agent-state-sampler");
        thread.setDaemon(true);
    }

    public static StateSampler start(List<DatapathAgent> agents, Duration every, Duration max) {
        StateSampler s = new StateSampler(agents, every, max);
        s.thread.start();
        return s;
    }

    /**
     * An interval between two samples in which host {@code host}'s agent (its index) applied {@code applied} flow-mods
     * while its flows changed by {@code flows}: the flow-mods that added no flow are the difference.
     */
    public record Interval(int host, long fromNanos, long toNanos, long applied, long flows) {
        public long unexplained() {
            return applied - flows;
        }
    }

    /** Every interval in which some agent applied flow-mods that added no flow. */
    public List<Interval> unexplained() {
        List<Sample> all;
        synchronized (samples) {
            all = List.copyOf(samples);
        }
        List<Interval> out = new ArrayList<>();
        for (int i = 1; i < all.size(); i++) {
            for (int h = 0; h < all.get(i).states().size(); h++) {
                DatapathAgent.ControlState a = all.get(i - 1).states().get(h);
                DatapathAgent.ControlState b = all.get(i).states().get(h);
                long applied = b.flowModsApplied() - a.flowModsApplied();
                long flows = b.flowCount() - a.flowCount();
                if (applied != flows) {
                    out.add(new Interval(h, all.get(i - 1).atNanos(), all.get(i).atNanos(), applied, flows));
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        stopped = true;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
