package io.portmesh.loadtest.nodeloss;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Which flow-mods that added no flow ({@link StateSampler.Interval}) a change in flight explains. The load only creates
 * and binds, so every flow-mod of a change that goes through adds a flow. One that did not add a flow rewrote or
 * removed one; a change in flight does that when it was stranded and is then rolled back or repeated: a bind whose
 * call failed (503, cut) leaves the port's change in its journal, and the port's next request resumes it by first
 * unbinding on the host (BindingSteps.resume: the host's flows of that port are removed, then the repeated bind
 * installs them again). So such flow-mods on host h in an interval are explained when a bind on h, or on the other host
 * of its switch (the binding fans out there), was in flight then (started, not yet answered 2xx, up to the interval's
 * end) and had a failed call before, and only as many as removing and installing again such ports' flows makes (2 per
 * flow: 4 flows on the port's host, 1 on the other). Anything else (a re-mastered host's reconciliation rewriting or removing flows
 * while no stranded change touched it) is beyond the changes in flight. Granularity: the sampler's interval (250 ms).
 */
public final class InFlightChanges {
    /**
     * An interval, the stranded changes in flight that touched its host then, and how many flow-mods that added no flow
     * they can explain at most ({@code bound}).
     */
    public record Attributed(StateSampler.Interval interval, String host, List<String> ports, long bound) {
        public boolean explained() {
            return !ports.isEmpty() && interval.unexplained() <= bound;
        }

        public String describe(long zeroNanos) {
            StateSampler.Interval i = interval;
            return String.format(
                    "%s +%d at %.1f s (%d applied, flows %+d)%s",
                    host,
                    i.unexplained(),
                    (i.toNanos() - zeroNanos) / 1e9,
                    i.applied(),
                    i.flows(),
                    ports.isEmpty()
                            ? " NOT explained by a change in flight"
                            : " stranded change(s) in flight: " + ports);
        }
    }

    /** Flows a bound port has on its own host: classifier, unicast, hairpin, multicast (FlowCompiler rules 1, 3, 4, 6). */
    static final int LOCAL_FLOWS = 4;
    /** Flows a bound port has on the other hosts of its switch: one unicast flow to its host (rule 5). */
    static final int REMOTE_FLOWS = 1;

    private InFlightChanges() {}

    /**
     * @param hosts the hosts in agent order
     * @param hostsOfSwitch the hosts a load switch spans
     */
    public static List<Attributed> attribute(
            List<StateSampler.Interval> intervals,
            List<PortLoad.Op> ops,
            List<String> hosts,
            Function<String, List<String>> hostsOfSwitch) {
        List<Attributed> out = new ArrayList<>();
        for (StateSampler.Interval i : intervals) {
            String host = hosts.get(i.host());
            List<String> ports = new ArrayList<>();
            long bound = 0;
            for (PortLoad.Op op : ops) {
                if (op.port == null
                        || op.bindStartNanos < 0
                        || !op.bindFailedOnce
                        || !hostsOfSwitch.apply(op.target.sw()).contains(host)) {
                    continue;
                }
                boolean startedBefore = op.bindStartNanos - i.toNanos() <= 0;
                boolean notDoneBefore = !op.acked || op.bindEndNanos - i.fromNanos() >= 0;
                if (startedBefore && notDoneBefore) {
                    ports.add(op.port);
                    bound += 2 * (op.target.host().equals(host) ? LOCAL_FLOWS : REMOTE_FLOWS);
                }
            }
            out.add(new Attributed(i, host, ports, bound));
        }
        return out;
    }

    /** The flow-mods that added no flow which no change in flight explains. */
    public static long beyond(List<Attributed> attributed) {
        return attributed.stream()
                .filter(a -> !a.explained())
                .mapToLong(a -> a.interval().unexplained())
                .sum();
    }
}
