package io.portmesh.loadtest.nodeloss;

import io.portmesh.loadtest.nodeloss.PortLoad.Call;
import io.portmesh.loadtest.nodeloss.PortLoad.Outcome;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The API calls of a load that overlap a time window (a node's loss, a rolling restart): how many, how many failed and
 * how, and which failures a client could not have known to retry. Retryable: a 503 (an entity did not answer in time)
 * that says when with Retry-After (the controller sends it on every 503 since issue 18), a refused connection to a
 * node that was down then, and a connection cut on a node that died or stopped while the call was on it. Not
 * retryable: a 503 without Retry-After, a timeout of the client (35 s), any other status, and a refused or cut
 * connection to a node that was not down.
 */
public record CallFigures(
        int calls,
        int failed,
        Map<Outcome, Integer> failures,
        int unavailable,
        int unavailableWithRetryAfter,
        List<Call> notRetryable) {

    /** A node (0-based) down from {@code fromNanos} until {@code toNanos} (it answered as Up again then). */
    public record Down(int node, long fromNanos, long toNanos) {
        boolean covers(Call c) {
            return c.node() == node && c.endNanos() - fromNanos >= 0 && c.startNanos() - toNanos <= 0;
        }
    }

    /** The calls that ended at or after {@code from} and started before {@code to}. */
    public static CallFigures of(List<Call> all, long from, long to, List<Down> down) {
        int calls = 0;
        int failed = 0;
        int unavailable = 0;
        int withRetryAfter = 0;
        Map<Outcome, Integer> failures = new EnumMap<>(Outcome.class);
        List<Call> notRetryable = new ArrayList<>();
        for (Call c : all) {
            if (c.endNanos() - from < 0 || c.startNanos() - to >= 0) {
                continue;
            }
            calls++;
            if (!c.failed()) {
                continue;
            }
            failed++;
            failures.merge(c.outcome(), 1, Integer::sum);
            boolean onDownNode = down.stream().anyMatch(d -> d.covers(c));
            switch (c.outcome()) {
                case UNAVAILABLE -> {
                    unavailable++;
                    if (c.retryAfter() != null) {
                        withRetryAfter++;
                    } else {
                        notRetryable.add(c);
                    }
                }
                case REFUSED, CUT -> {
                    if (!onDownNode) {
                        notRetryable.add(c);
                    }
                }
                default -> notRetryable.add(c);
            }
        }
        return new CallFigures(calls, failed, failures, unavailable, withRetryAfter, notRetryable);
    }

    public double failedShare() {
        return calls == 0 ? 0 : (double) failed / calls;
    }

    /** E.g. {@code 12 of 340 calls failed (3.5%): UNAVAILABLE 8 (Retry-After on 0), REFUSED 4; not retryable: 0}. */
    public String describe() {
        StringBuilder s =
                new StringBuilder(String.format("%d of %d calls failed (%.1f%%)", failed, calls, 100 * failedShare()));
        if (!failures.isEmpty()) {
            List<String> parts = new ArrayList<>();
            failures.forEach((o, n) -> parts.add(o + " " + n
                    + (o == Outcome.UNAVAILABLE ? " (Retry-After on " + unavailableWithRetryAfter + ")" : "")));
            s.append(": ").append(String.join(", ", parts));
        }
        s.append("; not retryable: ").append(notRetryable.size());
        notRetryable.stream()
                .limit(5)
                .forEach(c -> s.append("\n    ")
                        .append(c.what())
                        .append(" on node ")
                        .append(c.node() + 1)
                        .append(": ")
                        .append(c.outcome())
                        .append(' ')
                        .append(c.status())
                        .append(' ')
                        .append(c.detail()));
        return s.toString();
    }
}
