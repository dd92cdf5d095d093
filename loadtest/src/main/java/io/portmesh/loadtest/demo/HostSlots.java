package io.portmesh.loadtest.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A host's switch VMs as {@code GET /v1/hosts/{id}} shows them ({@code activeSlot}, {@code slots[]}: docs/architecture.md
 * section 7.2), and polling it until they are as wanted, bounded: how the demo, the failover test and the failover
 * benchmark follow a failover from the outside.
 */
public final class HostSlots {
    private HostSlots() {}

    /** One poll's outcome: the last answer, whether it was as wanted, and when it was received (nanoTime). */
    public record Polled(JsonNode host, boolean done, long atNanos) {}

    /** Whether the host's {@code slot} has its trunk in this state ({@code up}, {@code down}, {@code unknown}) and, if asked, holds the plan. */
    public static boolean slot(JsonNode host, String slot, String trunk, boolean holdsPlan) {
        for (JsonNode s : host.path("slots")) {
            if (s.path("slot").asText().equals(slot)) {
                return s.path("trunk").asText().equals(trunk)
                        && (!holdsPlan || s.path("holdsPlan").asBoolean());
            }
        }
        return false;
    }

    /** {@code slot} is the active one, its trunk confirmed up: a failover to it has taken effect. */
    public static boolean activeAndUp(JsonNode host, String slot) {
        return slot.equals(host.path("activeSlot").asText()) && slot(host, slot, "up", false);
    }

    /** {@code slot} is a standby ready to take over: not active, its trunk confirmed down, the current plan held. */
    public static boolean readyStandby(JsonNode host, String slot) {
        return !slot.equals(host.path("activeSlot").asText()) && slot(host, slot, "down", true);
    }

    /** The host's slots in a few words, for a message: which is active, each one's trunk, plan and connections. */
    public static String describe(JsonNode host) {
        if (host == null) {
            return "no answer";
        }
        List<String> s = new ArrayList<>();
        for (JsonNode slot : host.path("slots")) {
            s.add(slot.path("slot").asText() + " trunk " + slot.path("trunk").asText()
                    + (slot.path("holdsPlan").asBoolean() ? " holding the plan" : " not holding the plan")
                    + ", " + slot.path("connections").asInt() + " connections");
        }
        return "slot " + host.path("activeSlot").asText() + " active; " + String.join("; ", s);
    }

    /**
     * Asks {@code GET /v1/hosts/{hostId}} every {@code every} until {@code done} holds or {@code wait} has passed (an
     * answer other than 2xx, or no answer, counts as not done; each ask is bounded by the client's own timeout).
     */
    public static Polled await(RestClient api, String hostId, Predicate<JsonNode> done, Duration wait, Duration every)
            throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        JsonNode last = null;
        while (true) {
            try {
                RestClient.Response r = api.get("/v1/hosts/" + hostId);
                long at = System.nanoTime();
                if (r.ok()) {
                    last = r.body();
                    if (done.test(last)) {
                        return new Polled(last, true, at);
                    }
                }
            } catch (IOException e) {
                // the node did not answer this time: ask again
            }
            if (System.nanoTime() - deadline >= 0) {
                return new Polled(last, false, System.nanoTime());
            }
            TimeUnit.NANOSECONDS.sleep(every.toNanos());
        }
    }

    /**
     * Polls every host of {@code hosts} (GET through the nodes in turn, every {@code every}) until each shows {@code
     * done}; when each first did (nanoTime, -1: never within {@code wait}).
     */
    public static long[] awaitAll(
            List<RestClient> apis, List<String> hosts, Predicate<JsonNode> done, Duration wait, Duration every) {
        long deadline = System.nanoTime() + wait.toNanos();
        long[] seen = new long[hosts.size()];
        java.util.Arrays.fill(seen, -1);
        int pending = hosts.size();
        for (int round = 0; pending > 0 && System.nanoTime() - deadline < 0; round++) {
            for (int i = 0; i < hosts.size(); i++) {
                if (seen[i] >= 0) {
                    continue;
                }
                try {
                    RestClient.Response r = apis.get((round + i) % apis.size()).get("/v1/hosts/" + hosts.get(i));
                    if (r.ok() && done.test(r.body())) {
                        seen[i] = System.nanoTime();
                        pending--;
                    }
                } catch (IOException e) {
                    // ask again next round
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
            if (pending > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(every.toNanos());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
        }
        return seen;
    }

    /** A pair host ready: {@code active} forwarding (trunk up, plan held) and {@code standby} a ready standby. */
    public static Predicate<JsonNode> activeWithStandby(String active, String standby) {
        return h -> activeAndUp(h, active) && slot(h, active, "up", true) && readyStandby(h, standby);
    }
}
