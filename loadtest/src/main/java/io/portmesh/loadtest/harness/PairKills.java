package io.portmesh.loadtest.harness;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.loadtest.demo.HostSlots;
import io.portmesh.loadtest.demo.Nodes;
import io.portmesh.loadtest.nodeloss.NodeLossFabric;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.LongUnaryOperator;

/**
 * An agent-kill on a host with an HA pair (docs/architecture.md section 7.2): which slot dies (the fault's {@code
 * slot}: a, b, the active one or the standby, as {@code GET /v1/hosts/{id}} says just before), SIGKILL to it, and, when
 * it was the active one, the failover watched until the other slot is active with its trunk up ({@code
 * failedOverNanos}: the end of the host's outage, which its allowed loss window covers). The restart and the wait until
 * the host is settled again (the killed agent back as the ready standby) are {@link FaultInjector}'s, as for a single
 * agent.
 */
final class PairKills {
    private static final Duration READ_WAIT = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(20);

    private final Scenario s;
    private final NodeLossFabric fabric;
    private final BiConsumer<String, Object[]> progress;
    private final LongUnaryOperator runMs;

    PairKills(Scenario s, NodeLossFabric fabric, BiConsumer<String, Object[]> progress, LongUnaryOperator runMs) {
        this.s = s;
        this.fabric = fabric;
        this.progress = progress;
        this.runMs = runMs;
    }

    /**
     * Kills {@code host}'s agent of the fault's slot and, for the active one, watches the failover on a thread of its
     * own; empty when it was killed, else why not (the host could not be read, so which slot is active is unknown).
     */
    Optional<String> kill(InjectedFault f, String host) throws InterruptedException {
        JsonNode info;
        try {
            info = Nodes.callAny(fabric.nodes().apis(), n -> n.get("/v1/hosts/" + host), READ_WAIT);
        } catch (Exception | AssertionError e) {
            return Optional.of("which slot of " + host + " is active is unknown: " + e.getMessage());
        }
        String active = info.path("activeSlot").asText();
        if (!"a".equals(active) && !"b".equals(active)) {
            return Optional.of(host + " has no active slot now (" + HostSlots.describe(info) + ")");
        }
        String other = "a".equals(active) ? "b" : "a";
        String slot = switch (f.planned.slot()) {
            case Scenario.ACTIVE -> active;
            case "standby" -> other;
            default -> f.planned.slot();
        };
        f.killedSlot = slot;
        f.atNanos = fabric.agentJvms().kill(host, slot);
        if (slot.equals(active)) {
            f.killedActive = true;
            // a thread of its own: the common pool has one thread on 2 cores, and a watch may take setup-timeout
            Thread watch = new Thread(() -> awaitFailover(f, host, other), "failover-watch-" + host);
            watch.setDaemon(true);
            watch.start();
        }
        return Optional.empty();
    }

    private void awaitFailover(InjectedFault f, String host, String to) {
        try {
            HostSlots.Polled p = HostSlots.await(
                    fabric.nodes().api(aliveNode()), host, h -> HostSlots.activeAndUp(h, to), s.setupTimeout(), POLL);
            if (p.done()) {
                f.failedOverNanos = p.atNanos();
                progress.accept(
                        "%s failed over to slot %s %.0f ms after the kill (at %.1f s)",
                        new Object[] {host, to, (p.atNanos() - f.atNanos) / 1e6, runMs.applyAsLong(p.atNanos()) / 1e3});
            } else {
                progress.accept(
                        "%s did not fail over to slot %s: %s", new Object[] {host, to, HostSlots.describe(p.host())});
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception | Error e) { // said, not swallowed: the kill's failoverMs stays unset and its figure NaN
            progress.accept("%s: watching its failover failed: %s", new Object[] {host, e});
        }
    }

    /** A controller node running now (its API answers the polls), node 0 when none is. */
    private int aliveNode() {
        for (int i = 0; i < fabric.nodes().apis().size(); i++) {
            if (fabric.nodes().isAlive(i)) {
                return i;
            }
        }
        return 0;
    }

    /**
     * Once the host is settled again after a kill: whether the killed agent came back as the ready standby (the
     * controller does not fail back on its own), else what it is.
     */
    Optional<String> notStandbyAgain(InjectedFault f, String host) {
        try {
            JsonNode info = Nodes.callAny(fabric.nodes().apis(), n -> n.get("/v1/hosts/" + host), READ_WAIT);
            return HostSlots.readyStandby(info, f.killedSlot)
                    ? Optional.empty()
                    : Optional.of(
                            "slot " + f.killedSlot + " not back as the ready standby: " + HostSlots.describe(info));
        } catch (Exception | AssertionError e) {
            return Optional.of("not read after its restart: " + e.getMessage());
        }
    }
}
