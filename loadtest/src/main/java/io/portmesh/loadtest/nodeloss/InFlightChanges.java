package io.portmesh.loadtest.nodeloss;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Which flow-mods that added no flow ({@link StateSampler.Interval}) a change in flight explains. The load only creates
 * and binds, so every flow-mod of a change that goes through adds a flow. One that did not add a flow rewrote or
 * removed one; a change in flight does that when it was stranded and is then rolled back or repeated: a bind whose
 * call failed (503, cut) leaves the port's change in its journal, and the port's next request resumes it by first
 * unbinding on the host (LogicalPortEntity.resume: the host's flows of that port are removed, then the repeated bind
 * installs them again). So such flow-mods on host h in an interval are explained when a bind on h, or on the other host
 * of its switch (the binding fans out there), was in flight then (started, not yet answered 2xx, up to the interval's
 * end) and had a failed call before. Anything else (a re-mastered host's reconciliation rewriting or removing flows
 * while no stranded change touched it) is beyond the changes in flight. Granularity: the sampler's interval (250 ms).
 */
public final class InFlightChanges {
    /** An interval, and the stranded changes in flight that explain it (empty: none does). */
    public record Attributed(StateSampler.Interval interval, String host, List<String> ports) {
        public boolean explained() {
            return !ports.isEmpty();
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
                }
            }
            out.add(new Attributed(i, host, ports));
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
