package io.portmesh.loadtest.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.loadtest.faults.LoopbackPartition;
import io.portmesh.loadtest.faults.Required;
import io.portmesh.persistence.SchemaInstaller;
import io.portmesh.persistence.testkit.CassandraExtension;
import io.portmesh.persistence.testkit.TestCassandra;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
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
 * Asserted: node 3 exits; nodes 1 and 2 stay alive and each sees two members, both Up; a survivor downed node 3 by the
 * one-way fault rule ({@code portmesh_members_downed_for_one_way_fault_total}, and its warning names node 3); no log
 * marks node 1 or 2 down; no resolver took the decision DownIndirectlyConnected.
 */
@Tag("scenario") // minutes of multi-JVM run: out of verify (mvn -Pscenarios); no harness scenario cuts one way yet
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
            List<JsonNode> views = new ArrayList<>();
            for (NodeProcess n : survivors) {
                JsonNode view = Nodes.await(
                        List.of(n),
                        "/v1/cluster",
                        c -> c.path("members").size() == 2 && ThreeNodes.allUp(c),
                        Duration.ofSeconds(30));
                views.add(view);
                assertThat(view.path("members").size() == 2 && ThreeNodes.allUp(view))
                        .as("node %d's view of the cluster: two members, both Up: %s", n.index, view)
                        .isTrue();
            }
            long downedForOneWay = 0;
            for (NodeProcess n : survivors) {
                downedForOneWay += n.counter("portmesh_members_downed_for_one_way_fault_total");
            }
            List<String> decisions = decisions(nodes);
            System.out.printf(
                    "one-way cut of node 3 (Artery :%d): its process exited %d ms after the first cut; members after: %s;"
                            + " downed for a one-way fault by the survivors: %d; resolver decisions:%n  %s%n",
                    deaf.remotePort,
                    (exited - cut) / 1_000_000,
                    views.get(0).path("members"),
                    downedForOneWay,
                    String.join("\n  ", decisions));
            assertThat(downedForOneWay)
                    .as("members the survivors downed by the one-way fault rule")
                    .isPositive();
            assertThat(decisions).noneMatch(l -> l.contains("DownIndirectlyConnected"));
            assertThat(logLines(survivors, "hears nobody while every other member hears from it"))
                    .as("the one-way fault rule's warning, naming node 3")
                    .isNotEmpty()
                    .allMatch(l -> l.contains(":" + deaf.remotePort));
            for (NodeProcess n : survivors) {
                assertThat(logLines(nodes, "[Down]"))
                        .as("node %d marked down by anyone", n.index)
                        // the subject of "Marking [unreachable] node [X] as [Down]" or "Association to [X] ...
                        // previous status [Down]", not the "Cluster Node [X]" that logs it
                        .noneMatch(l -> l.contains("node [" + n.address() + "]")
                                || l.contains("Association to [" + n.address() + "]"));
            }
        } finally {
            cuts.forEach(LoopbackPartition::close);
            NodeProcess.closeAll(nodes);
        }
    }

    /** The split brain resolvers' decisions in the nodes' logs. */
    private static List<String> decisions(List<NodeProcess> nodes) throws java.io.IOException {
        return logLines(nodes, "SBR took decision");
    }

    /** The lines of the nodes' logs that contain {@code text}, each prefixed with its node. */
    private static List<String> logLines(List<NodeProcess> nodes, String text) throws java.io.IOException {
        List<String> lines = new ArrayList<>();
        for (NodeProcess n : nodes) {
            if (Files.exists(n.log)) {
                Files.readAllLines(n.log).stream()
                        .filter(l -> l.contains(text))
                        .map(l -> "node " + n.index + ": " + l)
                        .forEach(lines::add);
            }
        }
        return lines;
    }
}
