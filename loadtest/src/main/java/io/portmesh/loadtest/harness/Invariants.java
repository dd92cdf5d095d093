package io.portmesh.loadtest.harness;

import io.portmesh.agent.control.MasterGrant;
import io.portmesh.loadtest.nodeloss.AgentStates;
import io.portmesh.model.flow.FlowDiff;
import io.portmesh.model.flow.FlowPlan;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The run's invariants, each a pure check over what was recorded (so that each is tested on recorded observations,
 * broken on purpose, as well as run live). Times are milliseconds from the start of the load; a violation says what
 * was wrong, where (port, host, stream...) and when.
 */
public final class Invariants {
    public static final String ACKED_WRITES = "acknowledged-writes";
    public static final String FLOWS = "flows-converge";
    public static final String VLANS = "vlan-once-per-host";
    public static final String MASTERS = "one-master-per-host";
    public static final String FRAMES = "no-loss-outside-windows";

    /** One invariant broken: which, what, where, and when (ms from the load's start). */
    public record Violation(String invariant, String what, String where, long atMs) {
        public String describe() {
            return String.format("%s at %.1f s on %s: %s", invariant, atMs / 1e3, where, what);
        }
    }

    /** What an acknowledged write left: a port bound, existing (created; bound or not), unbound, or deleted. */
    public enum Left {
        BOUND,
        EXISTS,
        UNBOUND,
        GONE
    }

    /**
     * The last write the API acknowledged on a port, at {@code atMs}: bound to host on VLAN (its bind answered 2xx),
     * created (its create answered 2xx, its bind not: it must exist), unbound (it must exist, bound nowhere), or
     * deleted (it must be gone).
     */
    public record Ack(String port, String host, int vlan, long atMs, Left left) {
        public Ack(String port, String host, int vlan, long atMs) {
            this(port, host, vlan, atMs, Left.BOUND);
        }

        public static Ack created(String port, long atMs) {
            return new Ack(port, null, -1, atMs, Left.EXISTS);
        }

        public static Ack unbound(String port, long atMs) {
            return new Ack(port, null, -1, atMs, Left.UNBOUND);
        }

        public static Ack deleted(String port, long atMs) {
            return new Ack(port, null, -1, atMs, Left.GONE);
        }

        String describe() {
            return "acknowledged at " + String.format("%.1f s", atMs / 1e3)
                    + switch (left) {
                        case BOUND -> " as bound to " + host + " on VLAN " + vlan;
                        case EXISTS -> " as created";
                        case UNBOUND -> " as unbound";
                        case GONE -> " as deleted";
                    };
        }
    }

    /** A port as read back afterwards ({@code error}: why it could not be read, else null). */
    public record ReadBack(String port, String host, Integer vlan, String mac, String error) {
        public ReadBack(String port, String host, Integer vlan, String error) {
            this(port, host, vlan, null, error);
        }

        /** A node answered 404: the port does not exist. */
        public boolean gone() {
            return error != null && error.startsWith(NOT_FOUND);
        }
    }

    /** How a {@link ReadBack}'s error starts when a node answered 404. */
    public static final String NOT_FOUND = "not found: ";

    /** A port as the API showed it at one reading ({@code host}, {@code vlan} null while unbound). */
    public record PortRow(String port, String sw, String mac, String host, Integer vlan) {}

    /** One reading of a host's agent: how many of its controller connections were MASTER. */
    public record MasterSample(String host, long atMs, long masters) {}

    /** The frames lost so far (sent - received over every stream) at {@code atMs}. */
    public record FrameSample(long atMs, long lost) {}

    /**
     * A link fault's record: the frames the streams through its host lost of those they sent in its window [fromMs,
     * toMs] (start to heal plus delay), and the frames the link dropped (by its loss, and over its delay line's bound).
     */
    public record LinkLoss(String fault, String host, long fromMs, long toMs, long lost, long dropped) {}

    /** A fault's declared loss window, [fromMs, toMs]. */
    public record Window(long fromMs, long toMs, String fault) {
        boolean overlaps(long a, long b) {
            return a <= toMs && b >= fromMs && toMs > fromMs;
        }
    }

    private Invariants() {}

    /**
     * Every acknowledged write is read back as it was acknowledged: bound to its host, on its VLAN; existing; unbound
     * (existing, bound nowhere); or gone (a 404).
     */
    public static List<Violation> ackedWrites(List<Ack> acks, Map<String, ReadBack> read, long atMs) {
        List<Violation> out = new ArrayList<>();
        for (Ack a : acks) {
            ReadBack r = read.get(a.port());
            String want = a.describe();
            if (a.left() == Left.GONE) {
                if (r == null || !r.gone()) {
                    out.add(new Violation(
                            ACKED_WRITES,
                            want + ", " + (r == null ? "not read" : r.error() != null ? r.error() : "still exists"),
                            "port " + a.port(),
                            atMs));
                }
            } else if (r == null || r.error() != null) {
                out.add(new Violation(
                        ACKED_WRITES,
                        want + ", not read back" + (r == null ? "" : ": " + r.error()),
                        "port " + a.port(),
                        atMs));
            } else if (a.left() == Left.UNBOUND && r.host() != null) {
                out.add(new Violation(ACKED_WRITES, want + ", reads bound to " + r.host(), "port " + a.port(), atMs));
            } else if (a.left() == Left.BOUND
                    && (!a.host().equals(r.host()) || r.vlan() == null || r.vlan() != a.vlan())) {
                out.add(new Violation(
                        ACKED_WRITES,
                        want + ", reads host " + r.host() + " VLAN " + r.vlan(),
                        "port " + a.port(),
                        atMs));
            }
        }
        return out;
    }

    /** The bound ports by "host VLAN v", in the rows' order. */
    static Map<String, List<String>> byHostVlan(List<PortRow> ports) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (PortRow p : ports) {
            if (p.host() != null && p.vlan() != null) {
                out.computeIfAbsent(p.host() + " VLAN " + p.vlan(), k -> new ArrayList<>())
                        .add(p.port());
            }
        }
        return out;
    }

    /** No VLAN booked twice on one host: two bound ports with one (host, VLAN). */
    public static List<Violation> vlans(List<PortRow> ports, long atMs) {
        List<Violation> out = new ArrayList<>();
        byHostVlan(ports).forEach((where, portIds) -> {
            if (portIds.size() > 1) {
                out.add(new Violation(VLANS, "booked by " + portIds.size() + " ports: " + portIds, where, atMs));
            }
        });
        return out;
    }

    /**
     * No host with two masters at any moment: each run of consecutive readings of a host with more than one MASTER
     * connection is one violation (when it started, how many readings and how long it lasted).
     */
    public static List<Violation> masters(List<MasterSample> samples) {
        Map<String, List<MasterSample>> byHost = new LinkedHashMap<>();
        samples.stream()
                .sorted(Comparator.comparingLong(MasterSample::atMs))
                .forEach(s ->
                        byHost.computeIfAbsent(s.host(), k -> new ArrayList<>()).add(s));
        List<Violation> out = new ArrayList<>();
        byHost.forEach((host, mine) -> {
            MasterSample first = null;
            MasterSample last = null;
            int n = 0;
            for (MasterSample s : mine) {
                if (s.masters() > 1) {
                    first = first == null ? s : first;
                    last = s;
                    n++;
                } else if (first != null) {
                    out.add(twoMasters(host, first, last, n));
                    first = null;
                    n = 0;
                }
            }
            if (first != null) {
                out.add(twoMasters(host, first, last, n));
            }
        });
        return out;
    }

    private static Violation twoMasters(String host, MasterSample first, MasterSample last, int n) {
        return new Violation(
                MASTERS,
                first.masters() + " MASTER connections in " + n + " reading(s) over " + (last.atMs() - first.atMs())
                        + " ms",
                "host " + host,
                first.atMs());
    }

    /** The same from an agent's MASTER grants: one generation granted to two controllers, or a generation going back. */
    public static List<Violation> masterGrants(String host, List<MasterGrant> grants, long atMs) {
        return AgentStates.twoMasters(host, grants).stream()
                .map(w -> new Violation(MASTERS, w, "host " + host, atMs))
                .toList();
    }

    /**
     * Frames lost outside the declared loss windows, from the lost count sampled through the run and its exact value
     * after the traffic drained ({@code finalLost} at {@code finalAtMs}). A rise of the lost count between two samples
     * is excused when that interval overlaps a window; what the final count has beyond the excused rises was lost
     * outside every window. Resolution: the sampling interval; a sample taken while frames fly counts those in flight
     * as lost (about one per stream), which can only excuse that many more.
     */
    public static List<Violation> frames(
            List<FrameSample> samples, long finalLost, long finalAtMs, List<Window> windows) {
        List<FrameSample> all = new ArrayList<>(samples);
        all.sort(Comparator.comparingLong(FrameSample::atMs));
        all.add(new FrameSample(finalAtMs, finalLost));
        long excused = 0;
        long firstOutside = -1;
        List<String> outside = new ArrayList<>();
        long prevAt = all.isEmpty() ? 0 : all.get(0).atMs();
        long prevLost = 0;
        for (FrameSample s : all) {
            long rise = s.lost() - prevLost;
            if (rise > 0) {
                long from = prevAt;
                long to = s.atMs();
                Optional<Window> w =
                        windows.stream().filter(x -> x.overlaps(from, to)).findFirst();
                if (w.isPresent()) {
                    excused += rise;
                } else {
                    firstOutside = firstOutside < 0 ? from : firstOutside;
                    if (outside.size() < 5) {
                        outside.add(String.format("+%d in %.1f-%.1f s", rise, from / 1e3, to / 1e3));
                    }
                }
            }
            prevAt = s.atMs();
            prevLost = s.lost();
        }
        long lostOutside = finalLost - Math.min(excused, finalLost);
        if (lostOutside <= 0) {
            return List.of();
        }
        return List.of(new Violation(
                FRAMES,
                lostOutside + " of " + finalLost + " frames lost outside the declared windows "
                        + windows.stream().map(Window::fault).toList()
                        + (outside.isEmpty() ? "" : "; rises " + outside),
                "the VM pairs' numbered streams",
                firstOutside < 0 ? finalAtMs : firstOutside));
    }

    /**
     * A lossy or slow link's loss is its own: the streams through its host lost no more of the frames sent in its
     * window than it dropped. More is loss the link does not explain, within a window that excuses any rise of the
     * lost count ({@link #frames}): reported under {@link #FRAMES}.
     */
    public static List<Violation> linkLoss(List<LinkLoss> links) {
        return links.stream()
                .filter(l -> l.lost() > l.dropped())
                .map(l -> new Violation(
                        FRAMES,
                        String.format(
                                "%d frames lost beyond what the link dropped: the streams through %s lost %d of the"
                                        + " frames sent in %.1f-%.1f s, link fault %s dropped %d",
                                l.lost() - l.dropped(),
                                l.host(),
                                l.lost(),
                                l.fromMs() / 1e3,
                                l.toMs() / 1e3,
                                l.fault(),
                                l.dropped()),
                        "the links of " + l.host(),
                        l.fromMs()))
                .toList();
    }

    /** The agent's installed flows and groups are the host's compiled plan; the difference said when they are not. */
    public static Optional<Violation> flows(String host, FlowPlan desired, FlowPlan installed, long atMs) {
        FlowDiff d = desired.diffFrom(installed);
        if (d.isEmpty()) {
            return Optional.empty();
        }
        String example = !d.addFlows().isEmpty()
                ? "missing (or with another cookie or hard timeout) "
                        + d.addFlows().get(0)
                : !d.modifyFlows().isEmpty()
                        ? "differs " + d.modifyFlows().get(0)
                        : !d.deleteFlows().isEmpty()
                                ? "extra " + d.deleteFlows().get(0)
                                : "groups differ";
        return Optional.of(new Violation(
                FLOWS,
                String.format(
                        "agent differs from the compiled plan (%d flows, %d groups): %d flows missing or replaced, %d differ, %d"
                                + " extra; groups %d missing, %d differ, %d extra; e.g. %s",
                        desired.flows().size(),
                        desired.groups().size(),
                        d.addFlows().size(),
                        d.modifyFlows().size(),
                        d.deleteFlows().size(),
                        d.addGroups().size(),
                        d.modifyGroups().size(),
                        d.deleteGroups().size(),
                        abbreviate(example, 300)),
                "host " + host,
                atMs));
    }

    /** The violations counted per invariant (every invariant present, 0 when it held). */
    public static Map<String, Integer> counts(List<Violation> vs) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (String k : List.of(ACKED_WRITES, FLOWS, VLANS, MASTERS, FRAMES)) {
            m.put(k, 0);
        }
        Map<String, Integer> seen = new HashMap<>();
        vs.forEach(v -> seen.merge(v.invariant(), 1, Integer::sum));
        m.putAll(seen);
        return m;
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }
}
