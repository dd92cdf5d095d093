package io.portmesh.loadtest.nodeloss;

import io.portmesh.loadtest.demo.HostSlots;
import io.portmesh.loadtest.demo.RestClient;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The hosts of a {@link NodeLossFabric} with an HA pair of agents (docs/architecture.md section 7.2), both in JVMs of
 * their own ({@link AgentJvms}), set up as {@code FailoverFabric} and the demo set theirs up: slot a's agent on the
 * registered tunnel endpoint, slot b's on one of its own, both started with the trunk down and each other's pair-fence
 * address. Slot a starts first and the VMs are bound while it is the only one; slot b starts once every slot a is
 * active with its trunk up: a slot that is not connected within a new Host entity's start grace is taken for lost
 * (the other would be made active), and a standby that first connects after the VMs' switches exist still reaches
 * them (its endpoint goes to every switch the host has ports in). What a settled pair host is: {@link HostSettling}.
 */
final class PairHosts {
    private static final Duration POLL = Duration.ofMillis(250);

    private final AgentJvms jvms;
    private final List<RestClient> apis;
    /** Slot b's tunnel endpoint of each pair host. */
    private final Map<String, String> tepsB = new LinkedHashMap<>();
    /** Slot a's tunnel endpoint (the registered one) of each pair host. */
    private final Map<String, String> tepsA = new LinkedHashMap<>();

    PairHosts(AgentJvms jvms, List<RestClient> apis) {
        this.jvms = jvms;
        this.apis = apis;
    }

    /** Slot a of {@code host}'s pair started (trunk down, fenced with slot b's {@code tepB}); its trunk. */
    InetSocketAddress startSlotA(String host, String tepA, String tepB, int vxlanPort) throws Exception {
        tepsA.put(host, tepA);
        tepsB.put(host, tepB);
        return jvms.start(host, "a", tepA, vxlanPort, tepB);
    }

    /** Waits until every pair host's slot a is active with its trunk up and holding its plan. */
    void awaitSlotsA(Duration timeout) {
        require(
                HostSlots.awaitAll(
                        apis,
                        hosts(),
                        h -> HostSlots.activeAndUp(h, "a") && HostSlots.slot(h, "a", "up", true),
                        timeout,
                        POLL),
                "slot a active with its trunk up and holding its plan");
    }

    /** Starts every pair host's slot b; returns its trunk per host, once each is a ready standby. */
    Map<String, InetSocketAddress> startSlotsB(int vxlanPort, Duration timeout) throws Exception {
        Map<String, InetSocketAddress> trunks = new LinkedHashMap<>();
        for (String h : hosts()) {
            trunks.put(h, jvms.start(h, "b", tepsB.get(h), vxlanPort, tepsA.get(h)));
        }
        require(
                HostSlots.awaitAll(apis, hosts(), HostSlots.activeWithStandby("a", "b"), timeout, POLL),
                "slot a active, slot b a ready standby");
        return trunks;
    }

    List<String> hosts() {
        return List.copyOf(tepsA.keySet());
    }

    boolean has(String host) {
        return tepsA.containsKey(host);
    }

    private void require(long[] seen, String what) {
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < seen.length; i++) {
            if (seen[i] < 0) {
                missing.add(hosts().get(i));
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("pair hosts not " + what + " in time: " + missing);
        }
    }
}
