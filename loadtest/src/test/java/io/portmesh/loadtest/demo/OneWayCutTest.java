package io.portmesh.loadtest.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.loadtest.faults.LoopbackPartition;
import io.portmesh.loadtest.faults.Required;
import io.portmesh.persistence.SchemaInstaller;
import io.portmesh.persistence.testkit.CassandraExtension;
import io.portmesh.persistence.testkit.TestCassandra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, a one-way cut (docs/architecture.md section 7.3, "A one-way cut"): three controller nodes in JVMs of their
 * own, each in a group of its own; what nodes 1 and 2 send to node 3's cluster port is dropped (iptables on their
 * OUTPUT, by group), node 1's first and node 2's 1.5 s later, while everything node 3 sends still arrives. Node 3 then
 * sees node 1 unreachable first and tells node 2 so (its gossip still reaches node 2, which still hears it), before
 * node 2 and node 1 see node 3 unreachable themselves: the records Pekko's split brain resolver takes for a cycle of
 * indirectly connected nodes, which downs node 1 with node 3 (as a CI run did with a one-way cut on 2026-12-07).
 * Asserted: node 3 exits, nodes 1 and 2 stay Up members and alive, a survivor downed node 3 by the one-way fault rule
 * ({@code portmesh_members_downed_for_one_way_fault_total}), and no survivor's resolver took the decision
 * DownIndirectlyConnected.
 */
@ExtendWith(CassandraExtension.class)
class OneWayCutTest {
    private static final Duration STAGGER = Duration.ofMillis(1_500);
    private static final Duration EXITS_WITHIN = Duration.ofSeconds(60);

    @Test
    void aNodeThatHearsNobodyIsDownedAndTheMajorityKeepsBothItsMembers(
            TestCassandra cassandra, @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path logs) throws Exception {
        Required.machine(LoopbackPartition.unavailableReason());
        new SchemaInstaller(io.portmesh.persistence.Replication.simple(1))
                .install(cassandra.contactPoint(), cassandra.localDatacenter());
        List<NodeProcess> nodes = new ArrayList<>();
        List<LoopbackPartition> cuts = new ArrayList<>();
        try {
            ThreeNodes.start(cassandra.contactPointString(), logs, nodes, ThreeNodes::ownGroup);
            NodeProcess deaf = nodes.get(2);
            List<NodeProcess> survivors = nodes.subList(0, 2);
            System.out.println("logs (kept when the test fails): " + logs);
            long cut = System.nanoTime();
            for (NodeProcess sender : survivors) {
                cuts.add(LoopbackPartition.blockFrom(sender.group.getAsInt(), deaf.remotePort));
                if (cuts.size() < survivors.size()) {
                    Thread.sleep(STAGGER.toMillis());
                }
            }
            long deadline = System.nanoTime() + EXITS_WITHIN.toNanos();
            while (deaf.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            long exited = System.nanoTime();
            assertThat(deaf.isAlive())
                    .as("node 3 still runs %d s after the cut", EXITS_WITHIN.toSeconds())
                    .isFalse();
            cuts.forEach(LoopbackPartition::close);
            assertThat(survivors)
                    .as(
                            "nodes 1 and 2 (the resolver's DownIndirectlyConnected would have downed one: %s)",
                            String.join("; ", decisions(nodes)))
                    .allMatch(NodeProcess::isAlive, "alive");
            JsonNode cluster = Nodes.await(
                    survivors,
                    "/v1/cluster",
                    c -> c.path("members").size() == 2 && ThreeNodes.allUp(c),
                    Duration.ofSeconds(30));
            long downedForOneWay = 0;
            for (NodeProcess n : survivors) {
                downedForOneWay += counter(n, "portmesh_members_downed_for_one_way_fault_total");
            }
            List<String> decisions = decisions(nodes);
            System.out.printf(
                    "one-way cut of node 3 (Artery :%d): its process exited %d ms after the first cut; members after: %s;"
                            + " downed for a one-way fault by the survivors: %d; resolver decisions:%n  %s%n",
                    deaf.remotePort,
                    (exited - cut) / 1_000_000,
                    cluster.path("members"),
                    downedForOneWay,
                    String.join("\n  ", decisions));
            assertThat(downedForOneWay)
                    .as("members the survivors downed by the one-way fault rule")
                    .isPositive();
            assertThat(decisions).noneMatch(l -> l.contains("DownIndirectlyConnected"));
        } finally {
            cuts.forEach(LoopbackPartition::close);
            NodeProcess.closeAll(nodes);
        }
    }

    /** A counter's value in the node's {@code /metrics} (Prometheus text), 0 when absent. */
    private static long counter(NodeProcess n, String name) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(n.url() + "/metrics"))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return r.body()
                .lines()
                .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** The split brain resolvers' decisions in the nodes' logs, each prefixed with its node. */
    private static List<String> decisions(List<NodeProcess> nodes) throws java.io.IOException {
        List<String> decisions = new ArrayList<>();
        for (NodeProcess n : nodes) {
            if (Files.exists(n.log)) {
                Files.readAllLines(n.log).stream()
                        .filter(l -> l.contains("SBR took decision"))
                        .map(l -> "node " + n.index + ": " + l)
                        .forEach(decisions::add);
            }
        }
        return decisions;
    }
}
