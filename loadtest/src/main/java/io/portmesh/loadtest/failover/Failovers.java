package io.portmesh.loadtest.failover;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.loadtest.bind.Sleep;
import io.portmesh.loadtest.demo.FailoverMetrics;
import io.portmesh.loadtest.demo.HostSlots;
import io.portmesh.loadtest.demo.RestClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The failovers {@link FailoverBenchmark} does on a started {@link FailoverFabric}, and how each is measured.
 *
 * <p>Each failover has streams of its own: the pair's streams so far end (and drain), new ones start 500 ms before the
 * kill (or the API call) and end {@code --after} ms after the failover took effect and the controller observed the
 * re-pointing, and then the pair's next streams start. Counted once every stream has ended and drained, lost frames are
 * exact (a count read while frames are in flight would take those for lost: under load tens of milliseconds' worth).
 * Its controller phases are the difference of two readings of every node's {@code /metrics}: with one failover in
 * between, its own.
 */
final class Failovers {
    private static final Duration POLL_FAST = Duration.ofMillis(10);
    private static final Duration METRICS_WAIT = Duration.ofSeconds(10);
    /** Traffic on a failover's own streams before the failover starts. */
    private static final Duration LEAD_IN = Duration.ofMillis(500);

    private final FailoverFabric fabric;
    private final FailoverReport report;

    Failovers(FailoverFabric fabric, FailoverReport report) {
        this.fabric = fabric;
        this.report = report;
    }

    /** (a) SIGKILL of host {@code i}'s active agent (slot a), measured until slot b is active and up, plus {@code afterMs}. */
    FailoverReport.Failover kill(int i, Duration takeover, int afterMs) {
        HostPair p = fabric.pair(i);
        FailoverReport.Failover f = new FailoverReport.Failover(p.host, false);
        try {
            FailoverMetrics before = begin(f, p);
            long[] activeSeen = {-1};
            f.startWallMs = System.currentTimeMillis();
            f.startNanos = System.nanoTime();
            p.a.kill();
            p.killed = true;
            HostSlots.Polled up = HostSlots.await(
                    fabric.api(i),
                    p.host,
                    h -> {
                        if (activeSeen[0] < 0 && "b".equals(h.path("activeSlot").asText())) {
                            activeSeen[0] = System.nanoTime();
                        }
                        return HostSlots.activeAndUp(h, "b");
                    },
                    takeover,
                    POLL_FAST);
            if (activeSeen[0] >= 0) {
                f.activeSeenMs = (activeSeen[0] - f.startNanos) / 1e6;
            }
            if (up.done()) {
                f.trunkUpSeenMs = (up.atNanos() - f.startNanos) / 1e6;
            } else {
                f.failure = "slot b not active with its trunk up within " + takeover.toSeconds() + " s: "
                        + HostSlots.describe(up.host());
            }
            finish(f, p, before, afterMs);
        } catch (Exception e) {
            f.failure = e.toString();
        }
        return f;
    }

    /** (b) Starts every killed agent again (trunk down, as configured); the seconds each took to be the ready standby. */
    List<Double> restartKilled(Duration timeout) throws Exception {
        List<HostPair> killed = fabric.pairs().stream().filter(p -> p.killed).toList();
        long[] started = new long[killed.size()];
        for (int k = 0; k < killed.size(); k++) {
            fabric.launchSlotA(killed.get(k));
            started[k] = System.nanoTime();
        }
        long[] seen = HostSlots.awaitAll(
                fabric.apis(),
                killed.stream().map(p -> p.host).toList(),
                HostSlots.activeWithStandby("b", "a"),
                timeout,
                FailoverFabric.POLL);
        List<Double> seconds = new ArrayList<>();
        for (int k = 0; k < killed.size(); k++) {
            if (seen[k] >= 0) {
                killed.get(k).rejoined = true;
                seconds.add((seen[k] - started[k]) / 1e9);
            }
        }
        return seconds;
    }

    int killedCount() {
        return (int) fabric.pairs().stream().filter(p -> p.killed).count();
    }

    boolean readyToSwitchBack(int i) {
        return fabric.pair(i).rejoined;
    }

    /** (c) A planned failover of host {@code i} back to slot a through the API, plus {@code afterMs} of traffic. */
    FailoverReport.Failover switchBack(int i, Duration takeover, int afterMs) {
        HostPair p = fabric.pair(i);
        FailoverReport.Failover f = new FailoverReport.Failover(p.host, true);
        try {
            FailoverMetrics before = begin(f, p);
            f.startWallMs = System.currentTimeMillis();
            f.startNanos = System.nanoTime();
            RestClient.Response r = fabric.api(i).post("/v1/hosts/" + p.host + "/failover", Map.of());
            f.apiMs = (System.nanoTime() - f.startNanos) / 1e6;
            f.apiStatus = r.status();
            if (!r.ok()) {
                f.failure = "answered " + r.status() + " " + r.body();
            } else if (!HostSlots.activeAndUp(r.body(), "a")) {
                // answered at the realization timeout before slot a's trunk was confirmed up: wait for it
                HostSlots.Polled up =
                        HostSlots.await(fabric.api(i), p.host, h -> HostSlots.activeAndUp(h, "a"), takeover, POLL_FAST);
                if (!up.done()) {
                    f.failure = "slot a not active with its trunk up within " + takeover.toSeconds() + " s: "
                            + HostSlots.describe(up.host());
                }
            }
            finish(f, p, before, afterMs);
        } catch (Exception e) {
            f.failure = e.toString();
        }
        return f;
    }

    /**
     * The failover's own streams (the pair's streams so far end, new ones start) with {@link #LEAD_IN} of traffic
     * before it, and the controller's metrics before it.
     */
    private FailoverMetrics begin(FailoverReport.Failover f, HostPair p) throws Exception {
        fabric.roll(p);
        f.outStream = p.out;
        f.inStream = p.in;
        Sleep.millis(LEAD_IN.toMillis());
        return FailoverMetrics.read(fabric.apis());
    }

    /** Traffic for {@code afterMs} more and the controller's re-pointing observed (bounded); then the streams end. */
    private void finish(FailoverReport.Failover f, HostPair p, FailoverMetrics before, int afterMs) throws Exception {
        Sleep.millis(afterMs);
        f.controller = FailoverMetrics.awaitPhase(fabric.apis(), before, "repointed", METRICS_WAIT)
                .since(before);
        fabric.roll(p);
    }

    /** Every failover's frames, once all streams have ended and drained: late duplicates included. */
    static void count(List<FailoverReport.Failover> fs) {
        for (FailoverReport.Failover f : fs) {
            if (f.outStream != null) {
                f.out = f.outStream.stats();
                f.in = f.inStream.stats();
            }
        }
    }

    /**
     * When each failover was persisted, from the journal ({@code ActiveSlotChanged} in the VM's port history, epoch
     * milliseconds): the first one to the failover's slot at or after its start.
     */
    void persistedTimes(List<FailoverReport.Failover> unplanned, List<FailoverReport.Failover> planned) {
        for (HostPair p : fabric.pairs()) {
            JsonNode events;
            try {
                events = fabric.api(0)
                        .expectOk(fabric.api(0).get("/v1/ports/" + p.port + "/history"), "port history")
                        .path("events");
            } catch (Exception e) {
                report.line("history of %s not read: %s", p.port, e);
                continue;
            }
            for (List<FailoverReport.Failover> fs : List.of(unplanned, planned)) {
                for (FailoverReport.Failover f : fs) {
                    if (!f.host.equals(p.host)) {
                        continue;
                    }
                    String slot = f.planned ? "a" : "b";
                    boolean found = false;
                    for (JsonNode e : events) {
                        JsonNode d = e.path("detail");
                        if (!"ActiveSlotChanged".equals(e.path("event").asText())
                                || !p.host.equals(d.path("host").asText())
                                || !slot.equals(d.path("slot").asText())) {
                            continue;
                        }
                        long at = Instant.parse(e.path("at").asText()).toEpochMilli();
                        if (at >= f.startWallMs - 1) {
                            f.persistedMs = at - f.startWallMs;
                            found = true;
                            break;
                        }
                    }
                    if (!found) {
                        FailoverBenchmark.progress("no ActiveSlotChanged to slot " + slot + " of " + p.host + " after "
                                + Instant.ofEpochMilli(f.startWallMs) + " in the history of " + p.port + ": " + events);
                    }
                }
            }
        }
    }
}
