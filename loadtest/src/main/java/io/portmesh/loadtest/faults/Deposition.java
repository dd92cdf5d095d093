package io.portmesh.loadtest.faults;

import io.portmesh.agent.control.ControllerRoles;
import io.portmesh.loadtest.faults.MastershipWatch.Reading;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the loss of one controller did to one agent's mastership, read from a {@link MastershipWatch}: its master before
 * the loss, the first reading after it in which another controller was MASTER (the successor), and what the lost
 * controller changed on the agent before and after that reading.
 *
 * @param host the agent's host
 * @param before the last reading before the loss began (null if none)
 * @param successor the first reading at or after the loss began whose MASTER is not the lost controller (null: none)
 * @param lostClosedAtNanos the first reading at or after the loss began without the lost controller's connection (-1:
 *     none)
 * @param lostAppliedBeforeSuccessor changes the lost controller applied from the loss to the successor's reading
 * @param lostAppliedAfterSuccessor changes it applied after the successor's reading (a deposed controller writing)
 * @param lostGrantsAfterSuccessor MASTER grants it got after the successor's reading (a deposed controller taking over)
 * @param lostRefusedAsSlave its changes refused with IS_SLAVE since the loss
 * @param lostStaleRequests its role requests refused as stale since the loss
 */
public record Deposition(
        String host,
        Reading before,
        Reading successor,
        long lostClosedAtNanos,
        long lostAppliedBeforeSuccessor,
        long lostAppliedAfterSuccessor,
        long lostGrantsAfterSuccessor,
        long lostRefusedAsSlave,
        long lostStaleRequests) {

    /** One per watched agent; {@code lostPort}: the lost controller's OpenFlow port; {@code fromNanos}: the loss. */
    public static List<Deposition> of(MastershipWatch watch, int lostPort, long fromNanos) {
        List<Deposition> out = new ArrayList<>();
        for (String host : watch.hosts()) {
            List<Reading> mine = watch.readings(host);
            Reading before = null;
            Reading atLoss = null;
            Reading successor = null;
            long closedAt = -1;
            for (Reading r : mine) {
                if (r.atNanos() - fromNanos < 0) {
                    before = r;
                    continue;
                }
                if (atLoss == null) {
                    atLoss = r;
                }
                if (successor == null
                        && r.masterPort().isPresent()
                        && r.masterPort().get() != lostPort) {
                    successor = r;
                }
                if (closedAt < 0
                        && r.controller(lostPort).map(c -> c.role() == null).orElse(true)) {
                    closedAt = r.atNanos();
                }
            }
            Reading last = mine.isEmpty() ? null : mine.get(mine.size() - 1);
            Optional<ControllerRoles.Controller> start = lost(before, lostPort);
            Optional<ControllerRoles.Controller> atSuccessor = lost(successor, lostPort);
            Optional<ControllerRoles.Controller> end = lost(last, lostPort);
            out.add(new Deposition(
                    host,
                    before,
                    successor,
                    closedAt,
                    diff(start, successor == null ? end : atSuccessor, ControllerRoles.Controller::changesApplied),
                    successor == null ? 0 : diff(atSuccessor, end, ControllerRoles.Controller::changesApplied),
                    successor == null ? 0 : diff(atSuccessor, end, ControllerRoles.Controller::masterGrants),
                    diff(start, end, ControllerRoles.Controller::refusedAsSlave),
                    diff(start, end, ControllerRoles.Controller::staleRoleRequests)));
        }
        return out;
    }

    /** Was the lost controller this agent's master when the loss began? */
    public boolean wasMasteredByLost(int lostPort) {
        return before != null && before.masterPort().map(p -> p == lostPort).orElse(false);
    }

    private static Optional<ControllerRoles.Controller> lost(Reading r, int lostPort) {
        return r == null ? Optional.empty() : r.controller(lostPort);
    }

    private static long diff(
            Optional<ControllerRoles.Controller> from,
            Optional<ControllerRoles.Controller> to,
            java.util.function.ToLongFunction<ControllerRoles.Controller> count) {
        long a = from.map(count::applyAsLong).orElse(0L);
        long b = to.map(count::applyAsLong).orElse(a);
        return b - a;
    }
}
