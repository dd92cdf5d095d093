package io.portmesh.sharding.service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * When a port was on which host, from its own events in journal order: bound there, or the destination of a live move
 * from its start (the port is on both hosts while it moves) until it is unbound, moved away or rolled back. A port's
 * history shows the failovers of the hosts it was on at the time (docs/architecture.md section 7.2).
 */
final class PortHostSpans {
    /** [from, until] in epoch milliseconds; until is {@code Long.MAX_VALUE} while the port is still there. */
    record Span(String host, long from, long until) {
        boolean covers(long at) {
            return at >= from && at <= until;
        }
    }

    private final List<Span> spans = new ArrayList<>();
    private final Map<String, Long> openSince = new HashMap<>();
    private String movingTo;

    /** Takes the port's next event (its name and fields as the history shows them) written at {@code at}. */
    void add(String event, Map<String, Object> detail, long at) {
        switch (event) {
            case "Bound" -> {
                closeAll(at);
                open(String.valueOf(detail.get("host")), at);
            }
            case "Unbound", "Deleted" -> closeAll(at);
            case "MoveStarted" -> {
                movingTo = String.valueOf(detail.get("to"));
                open(movingTo, at);
            }
            case "MoveCompleted" -> {
                String to = movingTo;
                for (String h : Set.copyOf(openSince.keySet())) {
                    if (!h.equals(to)) {
                        close(h, at);
                    }
                }
                movingTo = null;
            }
            case "MoveRolledBack" -> {
                if (movingTo != null) {
                    close(movingTo, at);
                }
                movingTo = null;
            }
            default -> {}
        }
    }

    /** The hosts the port was ever on. */
    Set<String> hosts() {
        Set<String> out = new java.util.TreeSet<>(openSince.keySet());
        spans.forEach(s -> out.add(s.host()));
        return out;
    }

    /** Whether the port was on {@code host} at {@code at}. */
    boolean on(String host, long at) {
        Long since = openSince.get(host);
        if (since != null && at >= since) {
            return true;
        }
        return spans.stream().anyMatch(s -> s.host().equals(host) && s.covers(at));
    }

    private void open(String host, long at) {
        openSince.putIfAbsent(host, at);
    }

    private void close(String host, long at) {
        Long since = openSince.remove(host);
        if (since != null) {
            spans.add(new Span(host, since, at));
        }
    }

    private void closeAll(long at) {
        for (String h : Set.copyOf(openSince.keySet())) {
            close(h, at);
        }
    }
}
