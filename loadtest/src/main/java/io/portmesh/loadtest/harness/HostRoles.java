package io.portmesh.loadtest.harness;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.loadtest.bind.Sleep;
import io.portmesh.loadtest.demo.Nodes;
import io.portmesh.loadtest.demo.RestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongUnaryOperator;

/**
 * {@code one-master-per-host} on the hosts whose agents run in JVMs of their own (their roles are read from {@code GET
 * /v1/hosts/{id}}, not from the agents as {@code MastershipWatch} reads those of the runner's JVM): no slot of a host
 * with two MASTER connections (a pair host's slots have a master each: both hold the plan), and no pair host with both
 * slots forwarding at once, both trunks confirmed up while both are connected (a dead agent's last confirmed state
 * forwards nothing). Read every second during the run on a thread of its own and once after it; each (host, what)
 * reported once, at its first reading, with how many readings showed it.
 */
final class HostRoles implements AutoCloseable {
    private static final Duration EVERY = Duration.ofSeconds(1);
    private static final Duration READ_WAIT = Duration.ofSeconds(2);

    private final List<RestClient> apis;
    private final List<String> hosts;
    private final LongUnaryOperator runMs;
    private final Map<String, Invariants.Violation> first = new LinkedHashMap<>();
    private final Map<String, Integer> readings = new LinkedHashMap<>();
    private final Thread sampler;
    private volatile boolean stopped;
    private int samples;

    private HostRoles(List<RestClient> apis, List<String> hosts, LongUnaryOperator runMs) {
        this.apis = apis;
        this.hosts = List.copyOf(hosts);
        this.runMs = runMs;
        this.sampler = new Thread(this::sampleUntilStopped, "host-roles");
        sampler.setDaemon(true);
    }

    /** Reading {@code hosts} every second from now; none read when the list is empty. */
    static HostRoles start(List<RestClient> apis, List<String> hosts, LongUnaryOperator runMs) {
        HostRoles p = new HostRoles(apis, hosts, runMs);
        if (!hosts.isEmpty()) {
            p.sampler.start();
        }
        return p;
    }

    private void sampleUntilStopped() {
        while (!stopped) {
            readOnce();
            Sleep.millis(EVERY.toMillis());
        }
    }

    /** One reading of every host (a host no node answers for within 2 s is not read this time). */
    synchronized void readOnce() {
        for (String h : hosts) {
            try {
                JsonNode info = Nodes.callAny(apis, n -> n.get("/v1/hosts/" + h), READ_WAIT);
                samples++;
                for (Invariants.Violation v : violations(h, info, runMs.applyAsLong(System.nanoTime()))) {
                    first.putIfAbsent(v.where() + ": " + v.what(), v);
                    readings.merge(v.where() + ": " + v.what(), 1, Integer::sum);
                }
            } catch (Exception | AssertionError e) {
                // a node down or slow: read again next time
            }
        }
    }

    /** The roles of one host's reading that break the invariant. */
    static List<Invariants.Violation> violations(String host, JsonNode info, long atMs) {
        List<Invariants.Violation> out = new ArrayList<>();
        List<String> forwarding = new ArrayList<>();
        for (JsonNode slot : info.path("slots")) {
            String name = slot.path("slot").asText();
            long masters = 0;
            for (JsonNode a : info.path("agents")) {
                masters += name.equals(a.path("slot").asText())
                                && "MASTER".equals(a.path("role").asText())
                        ? 1
                        : 0;
            }
            if (masters > 1) {
                out.add(new Invariants.Violation(
                        Invariants.MASTERS, masters + " MASTER connections of slot " + name, "host " + host, atMs));
            }
            if ("up".equals(slot.path("trunk").asText())
                    && slot.path("connections").asInt() > 0) {
                forwarding.add(name);
            }
        }
        if (forwarding.size() > 1) {
            out.add(new Invariants.Violation(
                    Invariants.MASTERS,
                    "slots " + forwarding + " both forwarding (trunks up, connected)",
                    "host " + host,
                    atMs));
        }
        return out;
    }

    /** The violations seen so far, each once, with the count of readings that showed it. */
    synchronized List<Invariants.Violation> found() {
        List<Invariants.Violation> out = new ArrayList<>();
        first.forEach((k, v) -> out.add(new Invariants.Violation(
                v.invariant(), v.what() + " in " + readings.get(k) + " reading(s)", v.where(), v.atMs())));
        return out;
    }

    /** Host readings taken (for {@code checked.master-readings}). */
    synchronized int samples() {
        return samples;
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        sampler.join(5_000);
    }
}
