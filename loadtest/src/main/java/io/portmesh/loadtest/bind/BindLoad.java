package io.portmesh.loadtest.bind;

import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.sharding.service.BindingResult;
import io.portmesh.sharding.service.NetworkService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Creates and binds ports at a steady offered rate (open loop: the next port starts on schedule whether or not the
 * earlier ones finished), each as createPort then bindPort with waitRealized. Latency runs from the port's scheduled
 * start, so a stalled issuer cannot hide queueing (no coordinated omission).
 *
 * <p>Layout: port k goes to switch k mod S and host (k div S + k mod S) mod H: the ports of a switch go to consecutive
 * hosts, so a switch spans min(H, its ports) distinct hosts (all 50 with the defaults: each binding then fans out to
 * every host that already has a port of the switch), and consecutive ports land on different hosts. Requests go
 * round-robin to the nodes, as REST calls behind a load balancer would.
 */
final class BindLoad {
    private final List<NetworkService> nodes;
    private final List<SwitchId> switches;
    private final List<HostId> hosts;

    BindLoad(List<NetworkService> nodes, List<SwitchId> switches, List<HostId> hosts) {
        this.nodes = nodes;
        this.switches = switches;
        this.hosts = hosts;
    }

    int switchOf(int k) {
        return k % switches.size();
    }

    int hostOf(int k) {
        return (k / switches.size() + k % switches.size()) % hosts.size();
    }

    /**
     * The layout in numbers, computed from the code's rules: a binding makes every host that has a bound port in the
     * switch (the new one included) recompile that switch's slice of its plan and push the difference
     * (LogicalSwitchEntity.tellHosts, HostEntity.onMembers); the hosts persist nothing for it.
     */
    String describeLayout(int ports) {
        int minHosts = Integer.MAX_VALUE;
        int maxHosts = 0;
        long fanOut = 0;
        int maxFanOut = 0;
        List<java.util.Set<Integer>> hostsOf = new ArrayList<>();
        for (int s = 0; s < switches.size(); s++) {
            hostsOf.add(new java.util.HashSet<>());
        }
        for (int k = 0; k < ports; k++) {
            java.util.Set<Integer> on = hostsOf.get(switchOf(k));
            on.add(hostOf(k));
            fanOut += on.size();
            maxFanOut = Math.max(maxFanOut, on.size());
        }
        for (java.util.Set<Integer> on : hostsOf) {
            minHosts = Math.min(minHosts, on.size());
            maxHosts = Math.max(maxHosts, on.size());
        }
        long persists = 5L * ports;
        return String.format(
                "port k -> switch k mod %d, host (k div %d + k mod %d) mod %d; each switch spans %d-%d hosts; "
                        + "a binding fans out to %.1f hosts on average (max %d), so the run persists %,d events "
                        + "(5 per port) and makes %,d host plan updates",
                switches.size(),
                switches.size(),
                switches.size(),
                hosts.size(),
                minHosts,
                maxHosts,
                (double) fanOut / ports,
                maxFanOut,
                persists,
                fanOut);
    }

    BindResults run(int ports, double rate, Duration drainTimeout) {
        BindResults r = new BindResults(ports);
        AtomicInteger inFlight = new AtomicInteger();
        List<CompletableFuture<?>> all = new ArrayList<>(ports);
        long period = (long) (1e9 / rate);
        long start = System.nanoTime();
        long lastIssue = start;
        for (int k = 0; k < ports; k++) {
            long intended = start + k * period;
            long wait;
            while ((wait = intended - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            lastIssue = System.nanoTime();
            r.maxIssueLagNanos = Math.max(r.maxIssueLagNanos, lastIssue - intended);
            r.maxInFlight = Math.max(r.maxInFlight, inFlight.incrementAndGet());
            all.add(issue(k, intended, r, inFlight));
        }
        r.issueSeconds = (lastIssue - start) / 1e9;
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                    .get(drainTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // counted below: whatever has not finished by now is reported as unfinished
        } catch (Exception e) {
            // each port's own failure was recorded by its callback
        }
        r.totalSeconds = (System.nanoTime() - start) / 1e9;
        r.unfinished = (int) all.stream().filter(f -> !f.isDone()).count();
        return r;
    }

    private CompletableFuture<?> issue(int k, long intended, BindResults r, AtomicInteger inFlight) {
        NetworkService api = nodes.get(k % nodes.size());
        SwitchId sw = switches.get(switchOf(k));
        HostId host = hosts.get(hostOf(k));
        Mac mac = new Mac(0x52_54_00_00_00_00L | (k + 1));
        Ipv4 ip = new Ipv4(0x0A_00_00_01 + k);
        long[] createdAt = new long[1];
        return api.createPort(sw, mac, List.of(ip), Optional.empty())
                .thenCompose(p -> {
                    createdAt[0] = System.nanoTime();
                    r.created(k, p.id());
                    return api.bindPort(PortId.of(p.id()), host, true);
                })
                .toCompletableFuture()
                .whenComplete((BindingResult b, Throwable e) -> {
                    long now = System.nanoTime();
                    inFlight.decrementAndGet();
                    if (e != null) {
                        r.failed(k, createdAt[0] == 0 ? "createPort" : "bindPort", unwrap(e));
                    } else {
                        r.completed(
                                k,
                                now - intended,
                                createdAt[0] - intended,
                                now - createdAt[0],
                                b.realization().realized(),
                                b.realization().pendingHosts());
                    }
                });
    }

    /**
     * Deletes ports (unbinding them, waiting for realization) at {@code rate}: the warm-up's ports must not stay in
     * the hosts' plans during the measured run. Returns how many deletes failed or did not finish in time.
     */
    int deleteAll(List<String> portIds, double rate, Duration timeout) {
        List<CompletableFuture<?>> all = new ArrayList<>();
        long period = (long) (1e9 / rate);
        long start = System.nanoTime();
        for (int i = 0; i < portIds.size(); i++) {
            long wait;
            while ((wait = start + i * period - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            all.add(nodes.get(i % nodes.size())
                    .deletePort(PortId.of(portIds.get(i)), true)
                    .toCompletableFuture());
        }
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // counted below
        }
        return (int) all.stream()
                .filter(f -> !f.isDone() || f.isCompletedExceptionally())
                .count();
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        for (int i = 0; i < 5 && t instanceof CompletionException && t.getCause() != null; i++) {
            t = t.getCause();
        }
        return t;
    }
}
