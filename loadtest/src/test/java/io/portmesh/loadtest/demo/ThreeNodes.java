package io.portmesh.loadtest.demo;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntFunction;

/** The fault tests' common start: three controller node processes, and hosts registered under names of one run. */
final class ThreeNodes {
    private ThreeNodes() {}

    /**
     * Launches three nodes on free ports (the first is the seed) into {@code nodes}, so that the caller closes them
     * even when they never form a cluster, and waits until all three are Up.
     */
    static void start(String cassandra, Path logs, List<NodeProcess> nodes) throws Exception {
        start(cassandra, logs, nodes, index -> NodeProcess.Extras.NONE);
    }

    /** As {@link #start(String, Path, List)}, node {@code index} (1-3) launched with {@code extras.apply(index)}. */
    static void start(String cassandra, Path logs, List<NodeProcess> nodes, IntFunction<NodeProcess.Extras> extras)
            throws Exception {
        int[] p = io.portmesh.cluster.LocalPorts.freeTcpPorts(9);
        for (int i = 0; i < 3; i++) {
            nodes.add(NodeProcess.launch(
                    i + 1, p[i], List.of(p[0]), p[3 + i], p[6 + i], cassandra, logs, extras.apply(i + 1)));
        }
        DemoMain.awaitCluster(nodes);
    }

    /** Node {@code index} in a group of its own ({@link NodeProcess.Extras#ownGroup}). */
    static NodeProcess.Extras ownGroup(int index) {
        return NodeProcess.Extras.ownGroup(index);
    }

    /** Whether every member in a {@code GET /v1/cluster} answer is Up. */
    static boolean allUp(com.fasterxml.jackson.databind.JsonNode cluster) {
        for (com.fasterxml.jackson.databind.JsonNode m : cluster.path("members")) {
            if (!"Up".equals(m.path("status").asText())) {
                return false;
            }
        }
        return true;
    }

    /** A short id that keeps this run's names apart from earlier runs' data in a shared Cassandra. */
    static String runId() {
        return Long.toString(System.nanoTime() & 0xFFFFFF, 36);
    }

    /**
     * Registers {@code count} hosts {@code prefix-a-run}, {@code prefix-b-run}, ... with tunnel IPs .1, .2, ... of a
     * random 127.x.y.0/24 (loopback: every address answers); host name to tunnel IP, in order.
     */
    static Map<String, String> registerHosts(List<NodeProcess> nodes, String prefix, String run, int count)
            throws Exception {
        var rnd = ThreadLocalRandom.current();
        String net = "127." + rnd.nextInt(16, 250) + "." + rnd.nextInt(1, 250) + ".";
        Map<String, String> hosts = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String host = prefix + "-" + (char) ('a' + i) + "-" + run;
            String tep = net + (1 + i);
            Nodes.call(nodes, n -> n.post("/v1/hosts", Map.of("name", host, "tunnelIp", tep)));
            hosts.put(host, tep);
        }
        return hosts;
    }
}
