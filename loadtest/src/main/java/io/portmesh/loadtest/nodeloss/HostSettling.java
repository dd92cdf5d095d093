package io.portmesh.loadtest.nodeloss;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.loadtest.demo.HostSlots;
import io.portmesh.loadtest.demo.Nodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What a settled host of a {@link NodeLossFabric} is, as {@code GET /v1/hosts/{id}} (through any node) shows it: a
 * single agent connected to every running node with one MASTER, realized, as many flows installed as desired; a host
 * with an HA pair ({@link PairHosts}) the same per slot, one slot active and the other a ready standby.
 */
final class HostSettling {
    private static final Duration READ_WAIT = Duration.ofSeconds(5);
    /** Any number of connections will do ({@link #unsettled(ControllerNodes, List, Predicate, int)}). */
    static final int ANY_CONNECTIONS = -1;

    private HostSettling() {}

    /** Those of {@code hosts} not settled now, each with what is missing ({@code pair}: whether a host has a pair). */
    static List<String> unsettled(ControllerNodes nodes, List<String> hosts, Predicate<String> pair) {
        int running = 0;
        for (int i = 0; i < ControllerNodes.SIZE; i++) {
            running += nodes.isAlive(i) ? 1 : 0;
        }
        return unsettled(nodes, hosts, pair, running);
    }

    /**
     * As above, with {@code connections} wanted per agent, or {@link #ANY_CONNECTIONS}: a host forwarding again after
     * its agent's kill, however many nodes it is connected to (a node restarted after a kill is a running process tens
     * of seconds before it takes agents: waiting for a connection to it measured the node's rejoin, not the agent's
     * outage; the chaos run of 2026-12-07, docs/benchmarks.md).
     */
    static List<String> unsettled(ControllerNodes nodes, List<String> hosts, Predicate<String> pair, int connections) {
        int running = connections;
        List<String> out = new ArrayList<>();
        for (String h : hosts) {
            JsonNode info;
            try {
                info = Nodes.callAny(nodes.apis(), n -> n.get("/v1/hosts/" + h), READ_WAIT);
            } catch (Exception | AssertionError e) {
                out.add(h + ": " + e.getMessage());
                continue;
            }
            (pair.test(h) ? pair(info, running) : single(info, running)).ifPresent(why -> out.add(h + ": " + why));
        }
        return out;
    }

    /** What keeps a single-agent host from being settled, or empty when it is. */
    static Optional<String> single(JsonNode info, int running) {
        long masters = 0;
        for (JsonNode a : info.path("agents")) {
            masters += "MASTER".equals(a.path("role").asText()) ? 1 : 0;
        }
        if (!info.path("realized").asBoolean()
                || info.path("flowsInstalled").asInt()
                        != info.path("flowsDesired").asInt()
                || masters != 1
                || running != ANY_CONNECTIONS && info.path("agents").size() != running) {
            return Optional.of("realized " + info.path("realized") + ", flows " + info.path("flowsInstalled") + "/"
                    + info.path("flowsDesired") + ", " + info.path("agents").size() + " connections, " + masters
                    + " master(s)");
        }
        return Optional.empty();
    }

    /**
     * What keeps a pair host from being settled, or empty when it is: one slot active with its trunk up and the plan
     * held, the other a ready standby (trunk down, plan held), each slot connected to every running node with exactly
     * one MASTER connection (each slot has its own master: the plan goes to both), realized, and as many flows
     * installed as desired.
     */
    static Optional<String> pair(JsonNode info, int running) {
        String active = info.path("activeSlot").asText();
        String standby = "a".equals(active) ? "b" : "a";
        List<String> wrong = new ArrayList<>();
        if (!HostSlots.activeAndUp(info, active) || !HostSlots.slot(info, active, "up", true)) {
            wrong.add("active slot " + active + " not up with the plan");
        }
        if (!HostSlots.readyStandby(info, standby)) {
            wrong.add("slot " + standby + " not a ready standby");
        }
        for (String slot : List.of("a", "b")) {
            long connections = 0;
            long masters = 0;
            for (JsonNode a : info.path("agents")) {
                if (slot.equals(a.path("slot").asText())) {
                    connections++;
                    masters += "MASTER".equals(a.path("role").asText()) ? 1 : 0;
                }
            }
            if (running != ANY_CONNECTIONS && connections != running || masters != 1) {
                wrong.add("slot " + slot + ": " + connections + " connections, " + masters + " master(s)");
            }
        }
        if (!info.path("realized").asBoolean()
                || info.path("flowsInstalled").asInt()
                        != info.path("flowsDesired").asInt()) {
            wrong.add("realized " + info.path("realized") + ", flows " + info.path("flowsInstalled") + "/"
                    + info.path("flowsDesired"));
        }
        return wrong.isEmpty()
                ? Optional.empty()
                : Optional.of(String.join("; ", wrong) + " (" + HostSlots.describe(info) + ")");
    }
}
