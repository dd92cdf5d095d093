package io.portmesh.loadtest.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The faults of a run, planned before it starts from the scenario and the seed alone: the same scenario and seed give
 * the same list (instants and targets), whatever the machine. Instants are offsets from the start of the load. Faults
 * that would fire at or after the scenario's duration are left out; at most {@link #MAX_FAULTS} are planned.
 */
public final class FaultSchedule {
    public static final int MAX_FAULTS = 10_000;

    /**
     * One fault to inject: when (from the load's start), what, on which node or host (0-based: a host for agent-kill),
     * when its victim is restarted, how long a partition or a link fault lasts ({@code healAfter}, null for the other
     * kinds), a link fault's loss and delay ({@code link}, null for the other kinds).
     */
    public record Planned(
            int index,
            Duration at,
            Scenario.Kind kind,
            int target,
            Duration restartAfter,
            Duration allowedLoss,
            Duration healAfter,
            String slot,
            LinkSpec link) {
        public String describe() {
            return String.format(
                    "#%d %s %s%s at %.1f s%s%s%s, allowed loss %d ms",
                    index,
                    kind.key,
                    targetName(),
                    slot.equals(Scenario.ACTIVE) ? "" : " (slot " + slot + ")",
                    at.toMillis() / 1e3,
                    healAfter == null ? "" : ", healed " + healAfter.toMillis() / 1e3 + " s later",
                    restartAfter == null ? "" : ", restarted " + restartAfter.toMillis() / 1e3 + " s later",
                    link == null ? "" : ", " + link.describe(),
                    allowedLoss.toMillis());
        }

        /** The victim as the report and the progress lines name it. */
        public String targetName() {
            return switch (kind) {
                case CASSANDRA_STOP -> "(the runner's Cassandra)";
                case AGENT_KILL -> "the agent of host " + (target + 1);
                case AGENT_DISCONNECT -> "the connections of host " + (target + 1);
                case LINK -> "the VMs' links of host " + (target + 1);
                default -> "node " + (target + 1);
            };
        }
    }

    private FaultSchedule() {}

    public static List<Planned> plan(Scenario s) {
        SplittableRandom rnd = new SplittableRandom(s.seed());
        List<Planned> out = new ArrayList<>();
        for (Scenario.FaultSpec f : s.faults()) {
            for (Duration at : instants(f.when(), s.duration(), rnd)) {
                if (at.compareTo(s.duration()) < 0 && out.size() < MAX_FAULTS) {
                    int target = f.target().equals("random")
                            ? rnd.nextInt(s.targets(f.kind()))
                            : Integer.parseInt(f.target());
                    out.add(new Planned(
                            0,
                            at,
                            f.kind(),
                            target,
                            f.restartAfter(),
                            f.allowedLoss(),
                            f.healAfter(),
                            f.slot(),
                            f.link()));
                }
            }
        }
        out.sort(Comparator.comparing(Planned::at));
        List<Planned> numbered = new ArrayList<>();
        for (int i = 0; i < out.size(); i++) {
            Planned p = out.get(i);
            numbered.add(new Planned(
                    i + 1,
                    p.at(),
                    p.kind(),
                    p.target(),
                    p.restartAfter(),
                    p.allowedLoss(),
                    p.healAfter(),
                    p.slot(),
                    p.link()));
        }
        return List.copyOf(numbered);
    }

    static List<Duration> instants(Scenario.When w, Duration duration, SplittableRandom rnd) {
        List<Duration> out = new ArrayList<>();
        if (w instanceof Scenario.When.At a) {
            out.add(a.at());
        } else if (w instanceof Scenario.When.Every e) {
            Duration until = e.until() == null ? duration : e.until();
            for (Duration t = e.from(); t.compareTo(until) < 0 && out.size() < MAX_FAULTS; t = t.plus(e.every())) {
                out.add(t);
            }
        } else if (w instanceof Scenario.When.Random r) {
            long from = r.from().toMillis();
            long until = (r.until() == null ? duration : r.until()).toMillis();
            for (int i = 0; i < Math.min(r.count(), MAX_FAULTS) && until > from; i++) {
                out.add(Duration.ofMillis(rnd.nextLong(from, until)));
            }
        }
        return out;
    }
}
